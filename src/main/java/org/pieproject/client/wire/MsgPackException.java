package org.pieproject.client.wire;

/** A byte sequence that is not the MessagePack this codec was asked to read. Internal: never reaches users. */
public final class MsgPackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, without a stack trace (bad input is expected, not a bug).
     *
     * @param message what was wrong, and where
     */
    public MsgPackException(String message) {
        super(message, null, false, false); // thrown on bad input from the network: no stack trace needed
    }
}
