package org.pieproject.client;

import java.time.Duration;

/**
 * One live process as {@code list_processes} describes it.
 *
 * @param id       the process id (lowercase UUID)
 * @param username the user who owns it
 * @param program  the inferlet, {@code name@major.minor.patch}
 * @param input    its input, as it was launched
 * @param elapsed  how long it has been running (whole seconds)
 */
public record ProcessInfo(String id, String username, String program, String input, Duration elapsed) {}
