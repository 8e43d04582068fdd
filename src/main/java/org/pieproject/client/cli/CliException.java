package org.pieproject.client.cli;

import java.io.Serial;

/**
 * A failure the command line reports as {@code Error: <message>} on stderr, with exit code 1: bad input
 * files, an unknown or ambiguous process id, a missing config file. Its message is written for the user.
 */
final class CliException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** A failure with a message for the user. */
    public CliException(String message) {
        super(message);
    }

    /** A failure with a message for the user and the exception behind it. */
    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
