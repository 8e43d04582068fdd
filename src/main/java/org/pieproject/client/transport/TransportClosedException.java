package org.pieproject.client.transport;

import org.pieproject.client.PieConnectionException;

/** Why a connection ended: the engine closed it, the network failed, a limit was broken, or we closed it. */
public final class TransportClosedException extends PieConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the connection ended
     * @param cause   the underlying failure, or null when the engine or we closed it
     */
    public TransportClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
