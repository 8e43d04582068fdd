package org.pieproject.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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
public final class PieProcess implements Iterable<ProcessEvent>, AutoCloseable {
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

    /**
     * Reads the process to its end and returns the value it returned.
     *
     * @return the value of its {@link ProcessEvent.Return}
     * @throws PieRequestException with the process's error text if it ended with an error
     */
    public String result() {
        return output().value();
    }

    /**
     * Reads the process to its end and returns everything it produced: the return value, standard output
     * and error (concatenated), messages and files.
     *
     * @return what the process produced from now until it returned
     * @throws PieRequestException with the process's error text if it ended with an error
     */
    public ProcessOutput output() {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        List<String> messages = new ArrayList<>();
        List<ProcessEvent.File> files = new ArrayList<>();
        while (true) {
            switch (recv()) {
                case ProcessEvent.Stdout(String text) -> out.append(text);
                case ProcessEvent.Stderr(String text) -> err.append(text);
                case ProcessEvent.Message(String text) -> messages.add(text);
                case ProcessEvent.File f -> files.add(f);
                case ProcessEvent.Return(String value) -> {
                    return new ProcessOutput(value, out.toString(), err.toString(), List.copyOf(messages), List.copyOf(files));
                }
                case ProcessEvent.Error(String message) -> throw new PieRequestException("process " + id, message);
            }
        }
    }

    /** The events from now on, ending with the terminal one. Reading blocks as {@link #recv()} does. */
    @Override
    public Iterator<ProcessEvent> iterator() {
        return new Iterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public ProcessEvent next() {
                if (done) throw new NoSuchElementException();
                ProcessEvent e = recv();
                done = e.isTerminal();
                return e;
            }
        };
    }

    /**
     * The events as a stream, for filtering and collecting. Reading blocks as {@link #recv()} does.
     *
     * @return the events from now on as a sequential stream, ending with the terminal one
     */
    public Stream<ProcessEvent> events() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
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
