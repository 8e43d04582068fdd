package org.pieproject.client.mcp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.pieproject.client.PieException;

/**
 * One local MCP server started as a child process and spoken to with JSON-RPC 2.0, one JSON object per
 * line, over its stdin and stdout. Thread-safe: many calls share the one pipe and are matched by id.
 *
 * <p>Three virtual threads serve the child: a reader that routes stdout lines to the waiting calls, a writer
 * that is the only one to touch stdin, and a drainer for stderr. Writes go through a queue rather than a
 * lock so that a child that stops reading its stdin can block only the writer, never a caller past its
 * deadline.
 */
final class StdioMcpServer {

    private static final System.Logger LOG = System.getLogger(StdioMcpServer.class.getName());
    static final String PROTOCOL_VERSION = "2024-11-05";
    static final String CLIENT_NAME = "pie-client-java";
    static final int STDERR_TAIL_BYTES = 8 * 1024;
    /** How much of a bad stdout line goes into the log. */
    private static final int LOGGED_LINE_CHARS = 200;

    // What went wrong, as the end of a sentence that starts with "MCP server '<name>' ".
    private static final String DIED = "died before response";
    private static final String NOT_RUNNING = "is no longer running";

    /** Why a call ended without a reply. */
    private static final class NoReply extends Exception {
        private static final long serialVersionUID = 1L;
        final String clause;

        NoReply(String clause) {
            super(clause, null, false, false);
            this.clause = clause;
        }
    }

    /** One line for stdin; {@code callId} is null for lines that must be written whatever happens. */
    private record Outgoing(Long callId, byte[] line) {}

    private static final Outgoing END_OF_INPUT = new Outgoing(null, new byte[0]);

    private final String name;
    private final Process process;
    private final int maxLineBytes;
    private final StderrTail stderr;
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Null while the child's stdout is open; afterwards why every still-pending call failed. */
    private final AtomicReference<String> endReason = new AtomicReference<>();

    private StdioMcpServer(String name, Process process, int maxLineBytes) {
        this.name = name;
        this.process = process;
        this.maxLineBytes = maxLineBytes;
        this.stderr = new StderrTail(name, process.getErrorStream(), STDERR_TAIL_BYTES);
    }

    /**
     * Starts {@code command args...} and completes the MCP initialize handshake.
     *
     * @throws PieException if the process cannot be started, or the handshake fails, times out or the child
     *                      exits first; the child is shut down and the message ends with its stderr tail
     */
    static StdioMcpServer start(String name, String command, List<String> args, String clientVersion,
                                Duration handshakeTimeout, int maxLineBytes) {
        List<String> commandLine = new ArrayList<>(1 + args.size());
        commandLine.add(command);
        commandLine.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(commandLine).start();
        } catch (IOException | RuntimeException e) {
            // Only the program, never the arguments: they may carry tokens.
            throw new PieException("MCP server '" + name + "': could not start '" + command + "': "
                    + e.getMessage(), e);
        }
        ChildReaper.track(process);
        StdioMcpServer server = new StdioMcpServer(name, process, maxLineBytes);
        try {
            server.startThreads();
            server.handshake(clientVersion, handshakeTimeout);
        } catch (PieException e) {
            throw e; // the handshake has already stopped the child
        } catch (RuntimeException e) {
            server.close();
            throw new PieException("MCP server '" + name + "' could not be started: " + e, e);
        }
        return server;
    }

    private void startThreads() {
        stderr.start();
        Thread.ofVirtual().name("mcp-" + name + "-stdout").start(this::readStdout);
        Thread.ofVirtual().name("mcp-" + name + "-stdin").start(this::writeStdin);
    }

    private void handshake(String clientVersion, Duration timeout) {
        JsonObject clientInfo = new JsonObject();
        clientInfo.addProperty("name", CLIENT_NAME);
        clientInfo.addProperty("version", clientVersion);
        JsonObject params = new JsonObject();
        params.addProperty("protocolVersion", PROTOCOL_VERSION);
        params.add("capabilities", new JsonObject());
        params.add("clientInfo", clientInfo);

        String failure;
        try {
            JsonObject reply = send("initialize", params, timeout);
            JsonElement error = reply.get("error");
            if (error == null || error.isJsonNull()) {
                outbox.add(new Outgoing(null, line(JsonRpc.notification("notifications/initialized",
                        new JsonObject()))));
                return;
            }
            JsonObject payload = JsonRpc.errorPayload(error);
            failure = "it answered with error " + payload.get("code") + ": "
                    + payload.get("message").getAsString();
        } catch (NoReply e) {
            failure = "it " + e.clause + exitStatusIfExited(e.clause);
        }
        close();
        throw new PieException("MCP server '" + name + "' failed the initialize handshake: " + failure
                + describeStderr());
    }

    /** A child whose stdout closed is usually on its way out; its exit status says why. */
    private String exitStatusIfExited(String clause) {
        if (!clause.equals(DIED)) {
            return "";
        }
        try {
            if (process.waitFor(ChildReaper.GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return " (exit status " + process.exitValue() + ")";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private String describeStderr() {
        try {
            // The child has been stopped; its last words may still be in the pipe.
            stderr.awaitDrained(ChildReaper.GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String tail = stderr.text().strip();
        return tail.isEmpty() ? "; it wrote nothing to stderr" : "; its stderr ended with:\n" + tail;
    }

    /**
     * Relays one call and returns the {@code mcp_response} payload; never throws.
     *
     * @param params the JSON value sent as {@code params}
     */
    McpReply call(String method, JsonElement params, Duration timeout) {
        try {
            return JsonRpc.toReply(send(method, params, timeout));
        } catch (NoReply e) {
            return McpReply.localFailure("MCP server '" + name + "' " + e.clause);
        }
    }

    private JsonObject send(String method, JsonElement params, Duration timeout) throws NoReply {
        if (!isRunning()) {
            throw new NoReply(NOT_RUNNING);
        }
        long id = nextId.getAndIncrement();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        String ended = endReason.get();
        if (ended != null) {
            // The reader finished between the check above and put(): it may not have seen this entry.
            pending.remove(id);
            reply.completeExceptionally(new NoReply(ended));
        }
        Outgoing outgoing = new Outgoing(id, line(JsonRpc.request(id, method, params)));
        outbox.add(outgoing);
        try {
            return reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof NoReply noReply ? noReply : new NoReply("failed: " + e.getCause());
        } catch (TimeoutException e) {
            forget(id, outgoing);
            JsonObject lateReply = reply.getNow(null);
            if (lateReply != null) {
                return lateReply;
            }
            throw new NoReply("did not answer " + method + " within " + describe(timeout));
        } catch (InterruptedException e) {
            forget(id, outgoing);
            Thread.currentThread().interrupt();
            throw new NoReply("was not waited for: the caller was interrupted");
        }
    }

    private void forget(long id, Outgoing outgoing) {
        pending.remove(id);
        outbox.remove(outgoing);
    }

    private static byte[] line(JsonObject message) {
        // Gson escapes control characters inside strings, so the text itself never contains a newline.
        byte[] json = JsonRpc.write(message).getBytes(StandardCharsets.UTF_8);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    private void writeStdin() {
        try (OutputStream stdin = process.getOutputStream()) {
            while (true) {
                Outgoing outgoing = outbox.take();
                if (outgoing == END_OF_INPUT) {
                    return;
                }
                if (outgoing.callId() != null && !pending.containsKey(outgoing.callId())) {
                    continue; // its caller gave up already
                }
                stdin.write(outgoing.line());
                stdin.flush();
            }
        } catch (IOException e) {
            // The child closed its stdin, which normally means it is exiting: the reader will see its
            // stdout close and fail what is pending; anything else runs into its deadline.
            LOG.log(System.Logger.Level.DEBUG, "MCP server ''{0}'': writing to its stdin failed: {1}",
                    name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            outbox.clear();
        }
    }

    private void readStdout() {
        String reason = DIED;
        try (InputStream stdout = process.getInputStream()) {
            BoundedLineReader reader = new BoundedLineReader(stdout, maxLineBytes);
            String text;
            while ((text = reader.readLine()) != null) {
                handleLine(text);
            }
        } catch (BoundedLineReader.LineTooLongException e) {
            reason = "sent a stdout line longer than " + maxLineBytes + " bytes and was stopped";
            LOG.log(System.Logger.Level.WARNING, "MCP server ''{0}'' {1}", name, reason);
            Thread.ofVirtual().name("mcp-" + name + "-stop").start(this::close);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "MCP server ''{0}'': reading its stdout failed: {1}",
                    name, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "MCP server '" + name + "': stdout reader failed", e);
        } finally {
            end(reason);
        }
    }

    private void end(String reason) {
        String previous = endReason.compareAndExchange(null, reason);
        String effective = previous == null ? reason : previous;
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<JsonObject> reply = pending.remove(id);
            if (reply != null) {
                reply.completeExceptionally(new NoReply(effective));
            }
        }
    }

    private void handleLine(String text) {
        if (text.isBlank()) {
            return;
        }
        JsonElement parsed;
        try {
            parsed = JsonRpc.parseStrict(text);
        } catch (JsonParseException e) {
            LOG.log(System.Logger.Level.WARNING, "MCP server ''{0}'' wrote a stdout line that is not JSON; "
                    + "skipped: {1}", name, abbreviate(text));
            return;
        }
        if (!(parsed instanceof JsonObject message)) {
            LOG.log(System.Logger.Level.WARNING, "MCP server ''{0}'' wrote a JSON value that is not an "
                    + "object; skipped: {1}", name, abbreviate(text));
            return;
        }
        JsonElement id = message.get("id");
        if (message.has("method")) {
            if (id == null || id.isJsonNull()) {
                LOG.log(System.Logger.Level.DEBUG, "MCP server ''{0}'' sent notification {1}", name,
                        message.get("method"));
            } else {
                answerServerRequest(id, message.get("method"));
            }
            return;
        }
        Long callId = id == null ? null : JsonRpc.numericId(id);
        CompletableFuture<JsonObject> reply = callId == null ? null : pending.remove(callId);
        if (reply == null) {
            LOG.log(System.Logger.Level.DEBUG, "MCP server ''{0}'' answered unknown id {1}; skipped", name, id);
            return;
        }
        reply.complete(message);
    }

    /**
     * MCP servers may ask the client things. This client offers no capabilities, so only {@code ping} gets
     * a real answer; every other request is refused rather than left to hang on the server side.
     */
    private void answerServerRequest(JsonElement id, JsonElement method) {
        boolean ping = method instanceof JsonPrimitive p && p.isString() && p.getAsString().equals("ping");
        LOG.log(System.Logger.Level.DEBUG, "MCP server ''{0}'' sent request {1}", name, method);
        JsonObject answer = ping
                ? JsonRpc.resultReply(id, new JsonObject())
                : JsonRpc.errorReply(id, -32601, "Method not found");
        outbox.add(new Outgoing(null, line(answer)));
    }

    boolean isRunning() {
        return endReason.get() == null && !closing.get();
    }

    int pendingCalls() {
        return pending.size();
    }

    ProcessHandle processHandle() {
        return process.toHandle();
    }

    /**
     * Ends the child (close stdin, wait 1 s, SIGTERM, wait 1 s, SIGKILL) and fails what is still pending.
     * Safe to call more than once and from any thread; every call returns once the child has ended.
     */
    void close() {
        if (!closing.compareAndSet(false, true)) {
            stopped.join();
            return;
        }
        try {
            List<ProcessHandle> descendants = process.descendants().toList();
            outbox.clear();
            outbox.add(END_OF_INPUT);
            ChildReaper.stop(process, descendants);
            // Normally the reader has seen stdout close by now; if a grandchild keeps the pipe open, the
            // callers must not wait for it.
            end(DIED);
        } finally {
            stopped.complete(null);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= LOGGED_LINE_CHARS ? text : text.substring(0, LOGGED_LINE_CHARS) + "…";
    }

    /** "500 ms", "30 s", "1.5 s": short and exact. */
    static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis % 1000 == 0) {
            return (millis / 1000) + " s";
        }
        return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + " s";
    }
}
