package org.pieproject.client;

import java.util.List;

/**
 * Everything a process produced, collected by {@link PieProcess#output()} once it returned.
 *
 * @param value    the value it returned
 * @param stdout   its standard output, concatenated
 * @param stderr   its standard error, concatenated
 * @param messages the messages it sent, in order
 * @param files    the files it sent, in order
 */
public record ProcessOutput(String value, String stdout, String stderr, List<String> messages,
                            List<ProcessEvent.File> files) {}
