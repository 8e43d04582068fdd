package org.pieproject.client;

/**
 * A process handle ended because its process could not be re-attached after the connection came back.
 * {@link PieProcess#recv()} throws it once the events that did arrive are read; it is never a normal end,
 * which is a {@link ProcessEvent.Return} or {@link ProcessEvent.Error} event.
 */
public final class PieProcessLostException extends PieConnectionException {
    private static final long serialVersionUID = 1L;

    /** The process whose handle ended. */
    private final String processId;
    /** Whether the engine still listed it as running. */
    private final boolean stillRunning;

    /**
     * Creates the exception.
     *
     * @param processId    the process
     * @param stillRunning whether the engine still lists it as running
     */
    public PieProcessLostException(String processId, boolean stillRunning) {
        super(stillRunning
                ? "process " + processId + " still runs on the engine, but the engine will not attach it again"
                + " (an engine 0.3/0.4 keeps it tied to the lost connection); its further events cannot be"
                + " received, but it can be listed and terminated"
                : "process " + processId + " ended while the connection was down; its last events, the"
                + " terminal one included, are lost");
        this.processId = processId;
        this.stillRunning = stillRunning;
    }

    /**
     * The process whose handle ended.
     *
     * @return its id
     */
    public String processId() {
        return processId;
    }

    /**
     * Whether the engine still had the process running when the client asked.
     *
     * @return true for an engine 0.3/0.4 that will not re-attach it, false if it had ended
     */
    public boolean stillRunning() {
        return stillRunning;
    }
}
