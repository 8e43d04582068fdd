package org.pieproject.client;

/** The engine answered a request with {@code ok=false}; {@link #reason()} is the engine's own text. */
public class PieRequestException extends PieException {
    private static final long serialVersionUID = 1L;

    /** The engine's reply text, kept apart from the message so that callers can compare it. */
    private final String reason;

    /**
     * Creates the exception; its message is {@code "<operation> failed: <reason>"}.
     *
     * @param operation what was asked, e.g. {@code "launch_process"}
     * @param reason    the engine's reply text
     */
    public PieRequestException(String operation, String reason) {
        super(operation + " failed: " + reason);
        this.reason = reason;
    }

    /**
     * The engine's reply text, so callers can tell refusals apart.
     *
     * @return the text exactly as the engine sent it (e.g. "Process not found")
     */
    public String reason() {
        return reason;
    }
}
