package org.pieproject.client;

/** The connection to the engine could not be opened, or it was lost; the message says why. */
public class PieConnectionException extends PieException {
    private static final long serialVersionUID = 1L;

    public PieConnectionException(String message) {
        super(message);
    }

    public PieConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
