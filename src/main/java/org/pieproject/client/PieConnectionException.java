package org.pieproject.client;

import org.jspecify.annotations.Nullable;

/** The connection to the engine could not be opened, or it was lost; the message says why. */
public class PieConnectionException extends PieException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception without a cause.
     *
     * @param message why the connection could not be opened or was lost
     */
    public PieConnectionException(String message) {
        super(message);
    }

    /**
     * Creates an exception caused by another, typically an I/O or WebSocket failure.
     *
     * @param message why the connection could not be opened or was lost
     * @param cause   the underlying failure, or null
     */
    public PieConnectionException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
