package org.pieproject.client.testkit;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import org.pieproject.client.hash.Blake3;
import org.java_websocket.WebSocket;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage;

/**
 * One connection's engine session. Everything it does runs on its own single thread, one task at a time in
 * arrival order (protocol.md §1.7): the client's requests, and the process output routed to it. That thread
 * is also the only one that writes to the connection, so what the session sends keeps its order.
 */
final class Session {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    private static final Set<String> WORKFLOW_NODES = Set.of(
            "literal", "process", "pipe", "map", "fold", "fork", "cond", "iterate", "take");

    private final int number;
    private final WebSocket conn;
    private final TestEngine engine;
    private final ExecutorService loop;
    private final Runnable wakeSelector;
    private volatile boolean closed;
    /** The gateway in front of this session in gateway mode; null for an engine 0.4 session. */
    private final GatewaySession gateway;

    // Confined to the session thread.
    private boolean authenticated;
    private String username;
    private String pendingUser;
    private byte[] pendingChallenge;
    private final UploadTable uploads;
    private final Set<UUID> reachable = new HashSet<>();

    // Read by process threads.
    private final List<String> mcpServers = new CopyOnWriteArrayList<>();
    private final AtomicLong nextMcpId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, CompletableFuture<McpResult>> pendingMcp = new ConcurrentHashMap<>();

    /**
     * @param wakeSelector wakes the server's selector thread; a socket it watches is only really closed on
     *                     its next selection, so an abrupt close must be followed by a wake-up
     */
    Session(int number, WebSocket conn, TestEngine engine, String trustedIdentity, Runnable wakeSelector) {
        this(number, conn, engine, trustedIdentity, wakeSelector, null, null);
    }

    /** A gateway-mode socket: a dev gateway in front of an engine session. */
    static Session gatewaySocket(int number, WebSocket conn, TestEngine engine, Runnable wakeSelector,
                                 GatewayControls controls) {
        return new Session(number, conn, engine, null, wakeSelector, controls, null);
    }

    /** A gateway-mode one-shot HTTP turn, written to {@code outlet}. */
    static Session gatewayOneShot(int number, TestEngine engine, GatewayControls controls, GatewaySession.Outlet outlet) {
        return new Session(number, null, engine, null, () -> {}, controls, outlet);
    }

    private Session(int number, WebSocket conn, TestEngine engine, String trustedIdentity, Runnable wakeSelector,
                    GatewayControls controls, GatewaySession.Outlet httpOutlet) {
        this.number = number;
        this.conn = conn;
        this.engine = engine;
        this.wakeSelector = wakeSelector;
        this.uploads = new UploadTable(engine.settings().maxUploadMb());
        this.loop = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("pie-test-session-" + number).factory());
        if (trustedIdentity != null) {
            authenticated = true;
            username = trustedIdentity;
        }
        if (controls != null) {
            // Behind the gateway every engine session is served as the trusted "internal" user (dev's server.rs).
            authenticated = true;
            username = "internal";
            this.gateway = new GatewaySession(engine, controls, httpOutlet != null ? httpOutlet : socketOutlet());
        } else {
            this.gateway = null;
        }
    }

    private GatewaySession.Outlet socketOutlet() {
        return new GatewaySession.Outlet() {
            @Override
            public void message(ServerMessage m) {
                if (!engine.faults().isSilent()) sendBytes(m.encode());
            }

            @Override
            public void turnDone() {
                sendText("{\"type\":\"turn_done\"}");
            }

            @Override
            public void error(String message) {
                JsonObject o = new JsonObject();
                o.addProperty("type", "error");
                o.addProperty("message", message);
                sendText(TestEngine.GSON.toJson(o));
            }

            @Override
            public void close() {
                conn.close(1000, "");
            }
        };
    }

    private void sendText(String text) {
        try {
            conn.send(text);
        } catch (WebsocketNotConnectedException e) {
            LOG.log(System.Logger.Level.DEBUG, "session {0}: not connected", number);
        }
    }

    // ---- gateway mode ----

    /** A text frame: the gateway's {@code cancel}, or a turn as JSON. */
    void onText(String text) {
        if (gateway == null) {
            LOG.log(System.Logger.Level.DEBUG, "text frame ignored"); // an engine skips them (§1.2)
            return;
        }
        run(() -> {
            if (text.strip().equals("cancel")) {
                gateway.cancel();
                return;
            }
            ClientMessage message;
            try {
                Map<String, Object> map = GatewayJson.toMap(text);
                engine.recordReceived(map);
                String error = GatewaySession.vocabularyError(map);
                if (error != null) {
                    gateway.badFrame(error);
                    return;
                }
                message = ClientMessageDecoder.bind(map);
            } catch (ClientMessageDecoder.Undecodable e) {
                gateway.badFrame(e.getMessage());
                return;
            }
            handleMessage(message);
        });
    }

    /** One HTTP turn: decoded by the caller already. */
    void submit(ClientMessage message) {
        run(() -> handleMessage(message));
    }

    /** The HTTP client went away before its turn ended. */
    void clientGone() {
        run(gateway::clientGone);
    }

    boolean abortGatewayStream(String processId) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (gateway == null || !run(() -> done.complete(gateway.abortStream(processId)))) return false;
        try {
            return done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    int number() {
        return number;
    }

    // ---- from the WebSocket library's threads ----

    void onFrame(byte[] frame) {
        run(() -> handleFrame(frame));
    }

    void onClosed() {
        // The gateway closes a socket's session with it, which cancels its live turns (ws.rs: handle.close()).
        if (gateway != null) run(gateway::clientGone);
        closed = true;
        engine.sessionClosed(this);
        if (engine.settings().detachOnDisconnect()) mcpServers.clear();
        for (Long id : pendingMcp.keySet()) {
            CompletableFuture<McpResult> f = pendingMcp.remove(id);
            if (f != null) f.complete(new McpResult(false, mcpError("the client disconnected")));
        }
        loop.shutdown();
    }

    /** Server shutdown: stop whatever the session is doing. */
    void shutdownNow() {
        closed = true;
        loop.shutdownNow();
    }

    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return loop.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private boolean run(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    // ---- output, from processes and faults; queued behind whatever the session is doing ----

    /** {@code seq} is the event's place in its process's output, kept if delivery fails and it is buffered. */
    void deliverEvent(TestProcess process, ServerMessage.ProcessEvent event, long seq) {
        Runnable send = () -> {
            if (closed || conn != null && !conn.isOpen()) {
                process.deliveryFailed(this, event, seq);
            } else {
                sendNow(event);
            }
        };
        if (!run(send)) process.deliveryFailed(this, event, seq);
    }

    void deliverFile(String processId, String hash, long totalChunks, byte[] data, String name) {
        run(() -> {
            for (long i = 0; i < totalChunks; i++) {
                int from = (int) (i * TestProcess.FILE_CHUNK);
                byte[] chunk = Arrays.copyOfRange(data, from, Math.min(data.length, from + TestProcess.FILE_CHUNK));
                sendNow(new ServerMessage.FileChunk(processId, hash, i, totalChunks, chunk, name));
            }
        });
    }

    void sendRawLater(byte[] bytes) {
        run(() -> sendBytes(bytes));
    }

    void sendTextLater(String text) {
        run(() -> {
            try {
                conn.send(text);
            } catch (WebsocketNotConnectedException e) {
                LOG.log(System.Logger.Level.DEBUG, "session {0}: not connected", number);
            }
        });
    }

    void dropConnection() {
        // Ends the TCP connection without a Close frame, as a crashed engine would. Shutting the socket down
        // first sends the FIN at once; a plain close of a channel the selector watches may wait for the
        // selector's next round.
        if (conn instanceof WebSocketImpl impl && impl.getChannel() instanceof SocketChannel channel) {
            try {
                channel.shutdownOutput();
                channel.shutdownInput();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "session {0}: shutdown failed: {1}", number, e.getMessage());
            }
        }
        conn.closeConnection(1006, "dropped by the test server");
        wakeSelector.run();
    }

    void closeConnection() {
        conn.close(1001, "closed by the test server");
    }

    List<String> mcpServers() {
        return List.copyOf(mcpServers);
    }

    /** Relays an MCP call to this session's client and waits for the answer (no time limit). */
    McpResult mcpCall(String processId, String server, String method, String params) throws InterruptedException {
        long corrId = nextMcpId.getAndIncrement() & ServerMessage.MAX_U32;
        CompletableFuture<McpResult> answer = new CompletableFuture<>();
        pendingMcp.put(corrId, answer);
        try {
            if (closed || !run(() -> sendNow(new ServerMessage.McpRequest(corrId, processId, server, method, params)))) {
                return new McpResult(false, mcpError("the client disconnected"));
            }
            return answer.get();
        } catch (ExecutionException e) {
            return new McpResult(false, mcpError(String.valueOf(e.getCause())));
        } finally {
            pendingMcp.remove(corrId);
        }
    }

    static String mcpError(String message) {
        JsonObject o = new JsonObject();
        o.addProperty("code", -32000);
        o.addProperty("message", message);
        return TestEngine.GSON.toJson(o);
    }

    /** Writes one message now; only on the session thread. */
    void sendNow(ServerMessage message) {
        if (gateway != null) {
            gateway.outgoing(message);
            return;
        }
        if (engine.faults().isSilent()) return;
        sendBytes(message.encode());
    }

    private void sendBytes(byte[] bytes) {
        int parts = engine.faults().fragments();
        try {
            if (parts <= 1) {
                conn.send(bytes);
                return;
            }
            int step = (bytes.length + parts - 1) / parts;
            for (int i = 0; i < parts; i++) {
                int from = Math.min(bytes.length, i * step);
                int to = Math.min(bytes.length, from + step);
                conn.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(Arrays.copyOfRange(bytes, from, to)), i == parts - 1);
            }
        } catch (WebsocketNotConnectedException e) {
            LOG.log(System.Logger.Level.DEBUG, "session {0}: not connected, message dropped", number);
        }
    }

    private void reply(long corrId, boolean ok, String result) {
        sendNow(new ServerMessage.Response(corrId, ok, result));
    }

    // ---- requests, on the session thread ----

    private void handleFrame(byte[] frame) {
        ClientMessage message;
        try {
            Map<String, Object> map = ClientMessageDecoder.readMap(frame);
            engine.recordReceived(map);
            String error = gateway == null ? null : GatewaySession.vocabularyError(map);
            if (error != null) {
                gateway.badFrame(error);
                return;
            }
            message = ClientMessageDecoder.bind(map);
        } catch (ClientMessageDecoder.Undecodable e) {
            LOG.log(System.Logger.Level.DEBUG, "session {0}: undecodable frame dropped: {1}", number, e.getMessage());
            if (gateway != null) gateway.badFrame(e.getMessage());
            return;
        }
        handleMessage(message);
    }

    private void handleMessage(ClientMessage message) {
        boolean authMessage = message instanceof ClientMessage.AuthIdentify
                || message instanceof ClientMessage.AuthProve || message instanceof ClientMessage.AuthByToken;
        if (!authenticated && !authMessage) {
            LOG.log(System.Logger.Level.DEBUG, "session {0}: {1} before authentication dropped",
                    number, message.getClass().getSimpleName());
            return;
        }
        if (gateway != null && !gateway.open(message)) return;
        try {
            handle(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "session " + number + ": request failed", e);
        }
    }

    private void handle(ClientMessage message) {
        switch (message) {
            case ClientMessage.AuthIdentify m -> identify(m);
            case ClientMessage.AuthProve m -> prove(m);
            case ClientMessage.AuthByToken m -> byToken(m);
            case ClientMessage.CheckProgram m -> {
                String id = m.name() + "@" + m.version();
                if (!ProgramId.isValid(id)) {
                    reply(m.corrId(), false, ProgramId.invalidText(id));
                } else {
                    reply(m.corrId(), true, engine.programs.containsKey(id) ? "true" : "false");
                }
            }
            case ClientMessage.Query m -> {
                if (m.subject().equals("model_status")) {
                    reply(m.corrId(), true, TestEngine.GSON.toJson(engine.settings().modelStatus()));
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: unknown query subject {1}; no reply",
                            number, m.subject());
                }
            }
            case ClientMessage.AddProgram m -> addProgram(m);
            case ClientMessage.LaunchProcess m -> launchProcess(m);
            case ClientMessage.LaunchProcesses m -> launchProcesses(m);
            case ClientMessage.RunProcesses m -> runProcesses(m);
            case ClientMessage.LaunchDaemon m -> {
                Optional<TestEngine.Program> program = resolve(m.corrId(), m.inferlet());
                if (program.isPresent()) {
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: daemon {1} on port {2}",
                            number, m.inferlet(), m.port() & 0xFFFF);
                    reply(m.corrId(), true, "server launched");
                }
            }
            case ClientMessage.AttachProcess m -> attach(m);
            case ClientMessage.TerminateProcess m -> terminate(m);
            case ClientMessage.ListProcesses m -> listProcesses(m);
            case ClientMessage.Ping m -> reply(m.corrId(), true, "Pong");
            case ClientMessage.SignalProcess m -> {
                Optional<UUID> id = Uuids.parse(m.processId());
                if (id.isEmpty() || !reachable.contains(id.get())) {
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: signal to {1} ignored", number, m.processId());
                    return;
                }
                TestProcess p = engine.processes.get(id.get());
                if (p != null) p.signal(m.message());
            }
            case ClientMessage.TransferFile m -> transferFile(m);
            case ClientMessage.RegisterMcpServer m -> {
                mcpServers.add(m.name());
                reply(m.corrId(), true, "MCP server registered");
            }
            case ClientMessage.McpResponse m -> {
                CompletableFuture<McpResult> waiting = pendingMcp.remove(m.corrId());
                if (waiting == null) {
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: mcp_response for unknown id {1}", number, m.corrId());
                } else {
                    waiting.complete(new McpResult(m.ok(), m.result()));
                }
            }
            case ClientMessage.SubmitWorkflow m -> submitWorkflow(m);
            case ClientMessage.CancelWorkflow m -> {
                Optional<UUID> id = Uuids.parse(m.workflowId());
                if (id.isEmpty()) {
                    reply(m.corrId(), false, "Invalid workflow ID");
                } else if (engine.workflows.remove(id.get()) == null) {
                    reply(m.corrId(), false, "Service not found");
                } else {
                    reply(m.corrId(), true, "Workflow cancelled");
                }
            }
            case ClientMessage.AttachWorkflow m -> {
                Optional<UUID> id = Uuids.parse(m.workflowId());
                TestEngine.Workflow w = id.map(engine.workflows::get).orElse(null);
                if (id.isEmpty()) {
                    reply(m.corrId(), false, "Invalid workflow ID");
                } else if (w == null) {
                    reply(m.corrId(), false, "Workflow not found");
                } else if (!w.owner().equals(username)) {
                    reply(m.corrId(), false, "Permission denied");
                } else if (!w.attached().compareAndSet(null, this)) {
                    reply(m.corrId(), false, "already attached");
                } else {
                    reply(m.corrId(), true, "Workflow attached");
                }
            }
            case ClientMessage.DetachWorkflow m -> {
                Optional<UUID> id = Uuids.parse(m.workflowId());
                if (id.isEmpty()) {
                    reply(m.corrId(), false, "Invalid workflow ID");
                } else {
                    TestEngine.Workflow w = engine.workflows.get(id.get());
                    if (w != null) w.attached().compareAndSet(this, null);
                    reply(m.corrId(), true, "Workflow detached");
                }
            }
        }
    }

    // ---- authentication (§4.1) ----

    private void identify(ClientMessage.AuthIdentify m) {
        if (authenticated) {
            reply(m.corrId(), true, "Already authenticated");
        } else if (!engine.settings().authEnabled()) {
            authenticated = true;
            username = m.username();
            reply(m.corrId(), true, "Authenticated (Engine disabled authentication)");
        } else if (!engine.authenticator().knows(m.username())) {
            reply(m.corrId(), false, "User '" + m.username() + "' is not authorized");
        } else {
            pendingUser = m.username();
            pendingChallenge = engine.authenticator().newChallenge();
            reply(m.corrId(), true, Base64.getEncoder().encodeToString(pendingChallenge));
        }
    }

    private void prove(ClientMessage.AuthProve m) {
        if (authenticated) {
            reply(m.corrId(), false, "Already authenticated");
            return;
        }
        if (pendingChallenge == null) {
            reply(m.corrId(), false, "No pending authentication");
            return;
        }
        String user = pendingUser;
        byte[] challenge = pendingChallenge;
        pendingUser = null;
        pendingChallenge = null;
        byte[] signature;
        try {
            signature = Authenticator.decodeStrict(m.signature());
        } catch (IllegalArgumentException e) {
            reply(m.corrId(), false, "Invalid signature encoding: " + e.getMessage());
            return;
        }
        if (engine.authenticator().verify(user, challenge, signature)) {
            authenticated = true;
            username = user;
            reply(m.corrId(), true, "Authenticated");
        } else {
            reply(m.corrId(), false, "Signature verification failed");
        }
    }

    private void byToken(ClientMessage.AuthByToken m) {
        if (authenticated) {
            reply(m.corrId(), true, "Already authenticated");
            return;
        }
        byte[] expected = engine.settings().token().getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(expected, m.token().getBytes(StandardCharsets.UTF_8))) {
            authenticated = true;
            username = "internal";
            reply(m.corrId(), true, "Authenticated");
            return;
        }
        Duration delay = engine.settings().tokenFailureDelay();
        long millis = delay != null ? delay.toMillis() : ThreadLocalRandom.current().nextLong(1000, 3001);
        try {
            // Holds up the whole session, as the engine does (§4.5).
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        reply(m.corrId(), false, "Invalid token");
    }

    // ---- programs (§5) ----

    private void addProgram(ClientMessage.AddProgram m) {
        byte[] chunk = Arrays.copyOfRange(m.data(), m.offset(), m.offset() + m.length());
        UploadTable.Outcome outcome = uploads.accept(m.programHash(), m.chunkIndex(), m.totalChunks(), chunk,
                m.manifest(), m.forceOverwrite());
        switch (outcome) {
            case UploadTable.Outcome.Pending p -> {
            }
            case UploadTable.Outcome.Failed f -> reply(m.corrId(), false, f.text());
            case UploadTable.Outcome.Complete c -> {
                ManifestParser.Identity identity;
                try {
                    identity = ManifestParser.parse(c.manifest());
                } catch (ManifestParser.InvalidManifest e) {
                    reply(m.corrId(), false, "Invalid manifest: Failed to parse manifest TOML: " + e.getMessage());
                    return;
                }
                TestEngine.Program program = new TestEngine.Program(identity.id(), identity.name(), c.data(), c.manifest());
                if (c.forceOverwrite()) {
                    engine.programs.put(program.id(), program);
                } else {
                    engine.programs.putIfAbsent(program.id(), program);
                }
                reply(m.corrId(), true, "Program installed successfully");
            }
        }
    }

    /** The identifier check and "install" step of every launch; replies and returns empty on failure. */
    private Optional<TestEngine.Program> resolve(long corrId, String inferlet) {
        if (!ProgramId.isValid(inferlet)) {
            reply(corrId, false, ProgramId.invalidText(inferlet));
            return Optional.empty();
        }
        TestEngine.Program program = engine.programs.get(inferlet);
        if (program == null) {
            String[] parts = inferlet.split("@", 2);
            reply(corrId, false, "Failed to download manifest: https://registry.pie-project.org/v1/inferlets/"
                    + parts[0] + "/" + parts[1] + "/manifest returned 404 Not Found");
            return Optional.empty();
        }
        return Optional.of(program);
    }

    // ---- processes (§6, §7.1, §7.2) ----

    private void launchProcess(ClientMessage.LaunchProcess m) {
        Optional<TestEngine.Program> program = resolve(m.corrId(), m.inferlet());
        if (program.isEmpty()) return;
        boolean capture = m.captureOutputs();
        TestProcess p = engine.launch(program.get(), m.input(), username, capture, capture ? this : null);
        if (capture) reachable.add(p.uuid());
        // Output the process makes meanwhile is queued behind this task, so it follows the reply.
        reply(m.corrId(), true, capture ? p.processId() : "");
    }

    private boolean budgetsMatch(long corrId, List<String> inputs, List<Long> budgets) {
        if (budgets != null && budgets.size() != inputs.size()) {
            reply(corrId, false, "token_budgets length " + budgets.size() + " does not match inputs length " + inputs.size());
            return false;
        }
        return true;
    }

    private void launchProcesses(ClientMessage.LaunchProcesses m) {
        if (!budgetsMatch(m.corrId(), m.inputs(), m.tokenBudgets())) return;
        Optional<TestEngine.Program> program = resolve(m.corrId(), m.inferlet());
        if (program.isEmpty()) return;
        boolean capture = m.captureOutputs();
        JsonArray ids = new JsonArray();
        for (String input : m.inputs()) {
            TestProcess p = engine.launch(program.get(), input, username, capture, capture ? this : null);
            if (capture) reachable.add(p.uuid());
            ids.add(p.processId());
        }
        reply(m.corrId(), true, TestEngine.GSON.toJson(ids));
    }

    private void runProcesses(ClientMessage.RunProcesses m) {
        if (!budgetsMatch(m.corrId(), m.inputs(), m.tokenBudgets())) return;
        Optional<TestEngine.Program> program = resolve(m.corrId(), m.inferlet());
        if (program.isEmpty()) return;
        List<TestProcess> started = new ArrayList<>();
        for (String input : m.inputs()) started.add(engine.launch(program.get(), input, username, false, null));
        JsonArray results = new JsonArray();
        try {
            // Holds up the session until all have ended (§7.2).
            for (TestProcess p : started) {
                TestProcess.Outcome outcome = p.outcome().get();
                if (!outcome.ok()) {
                    reply(m.corrId(), false, outcome.value());
                    return;
                }
                results.add(outcome.value());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        reply(m.corrId(), true, TestEngine.GSON.toJson(results));
    }

    private void attach(ClientMessage.AttachProcess m) {
        TestProcess p = ownProcess(m.corrId(), m.processId(), "Invalid process_id");
        if (p == null) return;
        if (p.attach(this, m.corrId())) {
            reachable.add(p.uuid());
        } else {
            reply(m.corrId(), false, "Process not found");
        }
    }

    private void terminate(ClientMessage.TerminateProcess m) {
        TestProcess p = ownProcess(m.corrId(), m.processId(), "Invalid process ID");
        if (p == null) return;
        // Forgotten before the reply, so the client never finds it after "Process terminated"; the
        // "Signal" event joins the queue behind this task, so it still follows the reply.
        p.terminate();
        reply(m.corrId(), true, "Process terminated");
    }

    /**
     * The caller's own process named {@code processId}, or null after answering why not. The engine words
     * an invalid id differently per request, hence {@code invalidText}.
     */
    private TestProcess ownProcess(long corrId, String processId, String invalidText) {
        Optional<UUID> id = Uuids.parse(processId);
        if (id.isEmpty()) {
            reply(corrId, false, invalidText);
            return null;
        }
        TestProcess p = engine.processes.get(id.get());
        if (p == null) {
            reply(corrId, false, "Process not found");
            return null;
        }
        if (!p.owner().equals(username)) {
            reply(corrId, false, "Permission denied");
            return null;
        }
        return p;
    }

    private void listProcesses(ClientMessage.ListProcesses m) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (TestProcess p : engine.processes.values()) {
            if (!p.owner().equals(username)) continue;
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", p.processId());
            o.put("username", p.owner());
            o.put("program", p.program());
            o.put("input", p.input());
            o.put("elapsed_secs", p.elapsedSecs());
            list.add(o);
        }
        reply(m.corrId(), true, TestEngine.GSON.toJson(list));
    }

    private void transferFile(ClientMessage.TransferFile m) {
        Optional<UUID> id = Uuids.parse(m.processId());
        if (id.isEmpty() || !reachable.contains(id.get())) {
            LOG.log(System.Logger.Level.DEBUG, "session {0}: transfer_file to {1} ignored", number, m.processId());
            return;
        }
        byte[] chunk = Arrays.copyOfRange(m.data(), m.offset(), m.offset() + m.length());
        UploadTable.Outcome outcome = uploads.accept(m.fileHash(), m.chunkIndex(), m.totalChunks(), chunk, null, false);
        switch (outcome) {
            case UploadTable.Outcome.Pending p -> {
            }
            case UploadTable.Outcome.Failed f ->
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: transfer_file refused: {1}", number, f.text());
            case UploadTable.Outcome.Complete c -> {
                String actual = Blake3.hex(c.data());
                if (!actual.equals(m.fileHash())) {
                    LOG.log(System.Logger.Level.DEBUG, "session {0}: transferred file hash mismatch; dropped", number);
                    return;
                }
                TestProcess p = engine.processes.get(id.get());
                if (p != null) p.offerFile(this, c.data());
            }
        }
    }

    // ---- workflows (§7.4) ----

    private void submitWorkflow(ClientMessage.SubmitWorkflow m) {
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(m.json()));
            reader.setStrictness(Strictness.STRICT);
            root = TestEngine.GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("trailing characters");
            checkNode(root);
        } catch (IOException | JsonParseException | IllegalStateException e) {
            reply(m.corrId(), false, "Invalid workflow JSON: " + e.getMessage());
            return;
        }
        JsonObject node = root.getAsJsonObject();
        if (node.get("type").getAsString().equals("pipe") && node.getAsJsonArray("stages").isEmpty()) {
            reply(m.corrId(), false, "Workflow has no executable steps");
            return;
        }
        UUID id = UUID.randomUUID();
        engine.workflows.put(id, new TestEngine.Workflow(id, username, new AtomicReference<>(this)));
        reply(m.corrId(), true, id.toString());
    }

    private static void checkNode(JsonElement e) {
        if (!e.isJsonObject()) throw new JsonParseException("expected a workflow node object");
        JsonObject o = e.getAsJsonObject();
        JsonElement type = o.get("type");
        if (type == null) throw new JsonParseException("missing field `type`");
        if (!type.isJsonPrimitive() || !type.getAsJsonPrimitive().isString()
                || !WORKFLOW_NODES.contains(type.getAsString())) {
            throw new JsonParseException("unknown variant " + type + ", expected one of " + WORKFLOW_NODES);
        }
        if (type.getAsString().equals("pipe") && (o.get("stages") == null || !o.get("stages").isJsonArray())) {
            throw new JsonParseException("missing field `stages`");
        }
    }

    @Override
    public String toString() {
        return "Session[" + number + (username == null ? "" : ", user=" + username) + "]";
    }
}
