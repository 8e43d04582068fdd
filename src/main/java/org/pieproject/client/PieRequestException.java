package org.pieproject.client;

/** The engine answered a request with {@code ok=false}; {@link #reason()} is the engine's own text. */
public class PieRequestException extends PieException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    public PieRequestException(String operation, String reason) {
        super(operation + " failed: " + reason);
        this.reason = reason;
    }

    /** The engine's reply text, exactly as sent (e.g. "Process not found"). */
    public String reason() {
        return reason;
    }
}
