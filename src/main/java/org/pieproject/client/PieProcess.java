package org.pieproject.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.wire.ClientMessage;

/**
 * A process running on the engine, as seen from this connection: its events in order, and the means to
 * send it signals and files. Safe to use from several threads, though events are usually read by one.
 */
public final class PieProcess {
    private final PieClient client;
    private final String id;
    private final ProcessQueue queue; // null when the process was launched without captured output

    PieProcess(PieClient client, String id, ProcessQueue queue) {
        this.client = client;
        this.id = id;
        this.queue = queue;
    }

    /** The process id (a lowercase UUID), or "" for a process launched with {@code captureOutputs=false}. */
    public String id() {
        return id;
    }

    /**
     * Waits for the next event. After the terminal event ({@link ProcessEvent.Return} or
     * {@link ProcessEvent.Error}) it throws at once, and so it does when the connection is lost, after the
     * events that had already arrived.
     *
     * @throws PieException when the stream is over, the connection is lost, or the thread is interrupted
     *                      (its interrupt flag stays set)
     */
    public ProcessEvent recv() {
        return poll(-1);
    }

    /** Waits up to {@code timeout} for the next event; empty if none came in time. Otherwise as {@link #recv()}. */
    public Optional<ProcessEvent> recv(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return Optional.ofNullable(poll(Math.max(0, timeout.toNanos())));
    }

    /** The next event if one has already arrived. Otherwise as {@link #recv()}. */
    public Optional<ProcessEvent> tryRecv() {
        return Optional.ofNullable(poll(0));
    }

    private ProcessEvent poll(long timeoutNanos) {
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

    /** Sends a message the inferlet reads with its receive call. The engine confirms nothing. */
    public void signal(String message) {
        Objects.requireNonNull(message, "message");
        requireId();
        client.send(new ClientMessage.SignalProcess(id, message));
    }

    /**
     * Sends a file to the inferlet in 256 KiB chunks. The engine hands it over only if the inferlet is
     * already waiting for a file, and confirms nothing; inferlets usually say (with a message) when they
     * are ready.
     */
    public void transferFile(byte[] data) {
        Objects.requireNonNull(data, "data");
        requireId();
        String hash = PieClient.hashBlob(data);
        long total = PieClient.chunkCount(data.length);
        for (long i = 0; i < total; i++) {
            int off = (int) (i * PieClient.CHUNK_SIZE);
            int len = Math.min(PieClient.CHUNK_SIZE, data.length - off);
            client.send(new ClientMessage.TransferFile(id, hash, i, total, data, off, len));
        }
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
