package org.pieproject.client.testkit;

import java.util.regex.Pattern;

/** The program identifier rule of protocol.md §5.1, with ASCII digits only. */
final class ProgramId {
    private static final Pattern ID = Pattern.compile("([a-zA-Z0-9][a-zA-Z0-9_-]*)@([0-9]+\\.[0-9]+\\.[0-9]+)");

    private ProgramId() {
    }

    static boolean isValid(String id) {
        return ID.matcher(id).matches();
    }

    static String invalidText(String id) {
        return "Invalid program identifier '" + id + "': expected 'name@major.minor.patch'";
    }
}
