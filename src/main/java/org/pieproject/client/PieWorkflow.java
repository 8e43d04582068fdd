package org.pieproject.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.pieproject.client.session.Connection;
import org.pieproject.client.session.ProcessRegistry;
import org.pieproject.client.wire.ClientMessage;

/**
 * A workflow submitted to or attached on this connection, and the events of its child processes.
 *
 * <p>What the engine delivers, and what it does not (protocol.md §7.4): the child processes' events arrive
 * under process ids the client has never seen, with nothing that says which workflow they belong to; so
 * while workflow handles are open, every event of an unknown process is a {@link WorkflowEvent} here, shared
 * by all open workflow handles of the connection. The engine never sends the workflow's final result, and
 * no message says that a workflow has finished: {@link #recv(Duration)} simply stops yielding events.
 * Children stopped by {@link #cancel()} end with {@code Error("cancelled")}.
 */
public final class PieWorkflow implements AutoCloseable {
    private final Connection connection;
    private final ProcessRegistry processes;
    private final String id;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** The caller has already counted this handle in {@code processes}; {@link #close()} uncounts it. */
    PieWorkflow(Connection connection, ProcessRegistry processes, String id) {
        this.connection = connection;
        this.processes = processes;
        this.id = id;
    }

    /**
     * The id to attach to, cancel or detach this workflow by.
     *
     * @return the workflow id (a UUID)
     */
    public String id() {
        return id;
    }

    /**
     * Waits up to {@code timeout} for the next child event.
     *
     * @param timeout how long to wait; zero or negative means not at all
     * @return the next event, or empty if none came in time
     * @throws PieException if the thread is interrupted (its interrupt flag stays set)
     */
    public Optional<WorkflowEvent> recv(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return Optional.ofNullable(processes.pollWorkflowEvent(Math.max(0, timeout.toNanos())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PieException("interrupted while waiting for an event of workflow " + id, e);
        }
    }

    /**
     * Takes the next child event without waiting.
     *
     * @return the next event if one has already arrived, else empty
     */
    public Optional<WorkflowEvent> tryRecv() {
        return recv(Duration.ZERO);
    }

    /** Cancels the workflow on the engine. */
    public void cancel() {
        Connection.ok("cancel_workflow", connection.call("cancel_workflow", c -> new ClientMessage.CancelWorkflow(c, id)));
    }

    /** Asks the engine to stop sending this workflow's events to this connection. */
    public void detach() {
        Connection.ok("detach_workflow", connection.call("detach_workflow", c -> new ClientMessage.DetachWorkflow(c, id)));
    }

    /**
     * Stops taking child events for this handle on the client side. The workflow goes on running on the
     * engine; use {@link #cancel()} to stop it.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) processes.workflowHandles(-1);
    }

    @Override
    public String toString() {
        return "PieWorkflow[" + id + (closed.get() ? ", closed" : "") + "]";
    }
}
