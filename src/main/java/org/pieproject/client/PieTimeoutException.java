package org.pieproject.client;

/**
 * The engine did not answer in time. The engine leaves some requests unanswered by design (anything sent
 * before authentication, undecodable frames, unknown query subjects), so every call has a deadline.
 */
public class PieTimeoutException extends PieException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which request went unanswered, and for how long
     */
    public PieTimeoutException(String message) {
        super(message);
    }
}
