package org.pieproject.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.session.Connection;
import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.telemetry.TransferTrace;
import org.pieproject.client.wire.ClientMessage;

/**
 * A process running on the engine, as seen from this connection: its events in order, and the means to
 * send it signals and files. Safe to use from several threads, though events are usually read by one.
 *
 * <p>Iterating a process ({@code for (ProcessEvent e : process)}) or streaming it ({@link #events()})
 * yields its events up to and including the terminal one. {@link #close()} only ends this handle: the
 * process goes on running on the engine (the protocol has no detach), and its further events are dropped
 * by this client; use {@link #terminate()} to stop it.
 */
public final class PieProcess implements ProcessStream, AutoCloseable {
    private final Connection connection;
    private final String id;
    private final @Nullable ProcessQueue queue; // null when the process was launched without captured output
    private final AtomicBoolean closed = new AtomicBoolean();

    PieProcess(Connection connection, String id, @Nullable ProcessQueue queue) {
        this.connection = connection;
        this.id = id;
        this.queue = queue;
    }

    /**
     * The id to attach to, list or terminate this process by.
     *
     * @return a lowercase UUID, or "" for a process launched with {@code captureOutputs=false}
     */
    @Override
    public String id() {
        return id;
    }

    /**
     * Waits for the next event. After the terminal event ({@link ProcessEvent.Return} or
     * {@link ProcessEvent.Error}) it throws at once, and so it does when the connection is lost, after the
     * events that had already arrived.
     *
     * @return the next event
     * @throws PieException when the stream is over, the connection is lost, or the thread is interrupted
     *                      (its interrupt flag stays set)
     */
    @Override
    public ProcessEvent recv() {
        return poll(-1);
    }

    /**
     * Waits up to {@code timeout} for the next event. Otherwise as {@link #recv()}.
     *
     * @param timeout how long to wait; zero or negative means not at all
     * @return the next event, or empty if none came in time
     */
    public Optional<ProcessEvent> recv(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Optional.ofNullable(poll(Math.max(0, timeout.toNanos())));
    }

    /**
     * Takes the next event without waiting. Otherwise as {@link #recv()}.
     *
     * @return the next event if one has already arrived, else empty
     */
    public Optional<ProcessEvent> tryRecv() {
        return Optional.ofNullable(poll(0));
    }

    private @Nullable ProcessEvent poll(long timeoutNanos) {
        if (queue == null) {
            throw new PieException("process was launched with captureOutputs=false; it has no event stream");
        }
        try {
            return queue.poll(timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PieException("interrupted while waiting for an event of process " + id, e);
        }
    }

    /**
     * Sends a message the inferlet reads with its receive call. The engine confirms nothing.
     *
     * @param message the message text
     */
    public void signal(String message) {
        Objects.requireNonNull(message, "message");
        requireId();
        connection.send(new ClientMessage.SignalProcess(id, message));
    }

    /**
     * Sends a file to the inferlet in 256 KiB chunks. The engine hands it over only if the inferlet is
     * already waiting for a file, and confirms nothing; inferlets usually say (with a message) when they
     * are ready.
     *
     * @param data the file's bytes
     */
    public void transferFile(byte[] data) {
        Objects.requireNonNull(data, "data");
        requireId();
        TransferTrace upload = connection.telemetry().transferStarted("upload", "file", data.length);
        RuntimeException failure = null;
        try {
            String hash = PieClient.hashBlob(data);
            long total = PieClient.chunkCount(data.length);
            connection.sendChunks(total, i -> {
                int off = (int) (i * PieClient.CHUNK_SIZE);
                return new ClientMessage.TransferFile(id, hash, i, total, data, off, Math.min(PieClient.CHUNK_SIZE, data.length - off));
            }, () -> false);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            upload.ended(failure);
        }
    }

    /** Stops the process on the engine ({@link PieClient#terminateProcess}); its stream then ends with {@code Error("Signal")}. */
    public void terminate() {
        requireId();
        Connection.ok("terminate_process",
                connection.call("terminate_process", c -> new ClientMessage.TerminateProcess(c, id)));
    }

    /**
     * Ends this handle: further events of the process are dropped, and {@code recv()} gives what had
     * already arrived, then throws. Does not stop
     * the process on the engine (see {@link #terminate()}); another connection can attach to it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || queue == null) return;
        connection.release(id);
        queue.close(new PieException("process handle " + id + " is closed"));
    }

    private void requireId() {
        if (id.isEmpty()) throw new PieException("process was launched with captureOutputs=false; it has no id");
    }

    @Override
    public String toString() {
        String state = queue == null ? "not captured" : queue.ended() ? "ended" : "running";
        return "PieProcess[" + (id.isEmpty() ? "no id" : id) + ", " + state + "]";
    }
}
