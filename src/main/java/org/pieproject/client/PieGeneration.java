package org.pieproject.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.gateway.SseReader;
import org.pieproject.client.session.FileDownloads;
import org.pieproject.client.session.MessageRouter;
import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.wire.ServerMessage;

/**
 * One generation over a Pie 0.5 gateway's HTTP path ({@link PieHttpClient#generate}): the process that one
 * {@code POST /v1/generate} launched, read like a {@link PieProcess} (the same {@link ProcessEvent}s,
 * {@link #recv()}, iteration, {@link #result()}). A virtual thread reads the server-sent events as they
 * come; the stream ends after the process's {@code return} or {@code error} with {@code [DONE]}, or with
 * the gateway's {@code event: error} when it aborts it, which readers get as a
 * {@link PieConnectionException} after the events that came before. {@link #close()} ends the HTTP request,
 * and with it the process on the gateway. Signals, file uploads and termination need a WebSocket turn.
 */
public final class PieGeneration implements ProcessStream, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PieGeneration.class.getName());

    private final InputStream body;
    private final ProcessQueue queue;
    private final FileDownloads files;
    private final CompletableFuture<ServerMessage.Response> answer = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long corrId;
    private volatile String id = "";
    private final Thread reader;

    PieGeneration(InputStream body, long corrId, int maxQueuedEvents, long maxFileBytes, int maxEventBytes) {
        this.body = body;
        this.corrId = corrId;
        this.queue = new ProcessQueue("generation", maxQueuedEvents);
        this.files = new FileDownloads(maxFileBytes);
        this.reader = Thread.ofVirtual().name("pie-http-sse").start(() -> read(new SseReader(body, maxEventBytes)));
    }

    /** The launch's answer, as the first event of the stream brings it. */
    CompletableFuture<ServerMessage.Response> answer() {
        return answer;
    }

    void launched(String processId) {
        this.id = processId;
    }

    private void read(SseReader sse) {
        PieException end;
        try {
            while (true) {
                SseReader.Event e = sse.next();
                if (e == null) {
                    end = new PieConnectionException(what() + "the gateway ended the stream before [DONE]");
                    break;
                }
                if (e.type().equals("error")) {
                    end = new PieConnectionException(what() + "the gateway aborted the stream: " + e.data());
                    break;
                }
                if (e.data().equals("[DONE]")) {
                    end = new PieException(what() + "the stream is over");
                    break;
                }
                accept(e.data());
            }
        } catch (IOException e) {
            end = closed.get() ? new PieException(what() + "the generation was closed")
                    : new PieConnectionException(what() + "the stream broke: " + e.getMessage(), e);
        } catch (PieException e) {
            end = e;
        }
        answer.completeExceptionally(end);
        queue.close(end);
        closeBody();
    }

    private String what() {
        return "generation" + (id.isEmpty() ? "" : " " + id) + ": ";
    }

    /** One {@code data:} payload: a server message as JSON. What does not parse is logged and dropped. */
    private void accept(String json) {
        try {
            JsonObject o = JsonParser.parseString(json).getAsJsonObject();
            switch (o.get("type").getAsString()) {
                case "response" -> {
                    ServerMessage.Response r = new ServerMessage.Response(o.get("corr_id").getAsLong(),
                            o.get("ok").getAsBoolean(), o.get("result").getAsString());
                    if (r.corrId() == corrId) answer.complete(r);
                }
                case "process_event" -> {
                    String value = o.has("value") && !o.get("value").isJsonNull() ? o.get("value").getAsString() : "";
                    ProcessEvent event = MessageRouter.event(o.get("event").getAsString(), value);
                    if (event != null) queue.offer(event);
                }
                case "file" -> {
                    var chunk = o.getAsJsonArray("chunk_data");
                    byte[] data = new byte[chunk.size()];
                    for (int i = 0; i < data.length; i++) data[i] = (byte) chunk.get(i).getAsInt();
                    JsonElement name = o.get("name");
                    ProcessEvent.File f = files.accept(new ServerMessage.FileChunk(o.get("process_id").getAsString(),
                            o.get("file_hash").getAsString(), o.get("chunk_index").getAsLong(),
                            o.get("total_chunks").getAsLong(), data,
                            name == null || name.isJsonNull() ? null : name.getAsString()));
                    if (f != null) queue.offer(f);
                }
                default -> LOG.log(System.Logger.Level.DEBUG, "ignoring an event of unknown type");
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException
                 | ClassCastException | NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "dropping an event that is not a server message: {0}", e.getMessage());
        }
    }

    /**
     * The id of the process this generation launched.
     *
     * @return a lowercase UUID
     */
    @Override
    public String id() {
        return id;
    }

    /**
     * Waits for the next event. After the terminal event it throws, and so it does when the gateway aborted
     * the stream or the connection broke, after the events that had already arrived.
     *
     * @return the next event
     * @throws PieException when the stream is over, was aborted, or the thread is interrupted
     */
    @Override
    public ProcessEvent recv() {
        return Objects.requireNonNull(poll(-1));
    }

    /**
     * Waits up to {@code timeout} for the next event. Otherwise as {@link #recv()}.
     *
     * @param timeout how long to wait; zero or negative means not at all
     * @return the next event, or empty if none came in time
     */
    public Optional<ProcessEvent> recv(Duration timeout) {
        return Optional.ofNullable(poll(Math.max(0, timeout.toNanos())));
    }

    private @Nullable ProcessEvent poll(long timeoutNanos) {
        try {
            return queue.poll(timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PieException("interrupted while waiting for an event of " + what(), e);
        }
    }

    /**
     * Ends the HTTP request: the gateway then ends the turn, and terminates the process if it still runs.
     * Events already received stay readable; then {@code recv()} throws. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        queue.close(new PieException(what() + "the generation was closed"));
        closeBody();
        reader.interrupt();
    }

    private void closeBody() {
        try {
            body.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the event stream failed: {0}", e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "PieGeneration[" + (id.isEmpty() ? "not launched" : id) + (queue.ended() ? ", ended" : "") + "]";
    }
}
