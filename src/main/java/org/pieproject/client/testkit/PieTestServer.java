package org.pieproject.client.testkit;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;

import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.DefaultSSLWebSocketServerFactory;
import org.java_websocket.server.WebSocketServer;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieException;

/**
 * An in-process Pie engine for tests: it speaks the engine's WebSocket protocol (engine 0.4 semantics,
 * protocol.md) and runs Java {@link Inferlet}s instead of WebAssembly, so client code can be tested without
 * a GPU.
 *
 * <pre>{@code
 * try (PieTestServer server = PieTestServer.builder()
 *         .inferlet("text-completion@0.1.0", ctx -> {
 *             ctx.stdout("Hello");
 *             return "{\"ok\":true}";
 *         })
 *         .start()) {
 *     URI uri = server.uri(); // ws://127.0.0.1:<port>
 *     ...
 * }
 * }</pre>
 *
 * <p>What it reproduces: every reply text of the engine, the authentication state machine with real
 * signature checks, silent dropping of undecodable frames and of requests before authentication, one
 * request at a time per connection with all output through one ordered queue, chunked uploads with the
 * engine's quirks, attach/replay with the 4096-event buffer, termination with the {@code "Signal"} error,
 * signals, file transfer both ways, and the MCP relay. It accepts the upgrade on any path (the 0.5 clients
 * use {@code /v1/ws}). With {@link Builder#gateway(boolean) gateway(true)} it is a Pie 0.5 gateway instead
 * (identity header, {@code /v1/ws} turns with text control frames, {@code POST /v1/generate} over SSE).
 *
 * <p><b>Programs.</b> {@link Builder#inferlet} installs a program under its {@code name@version}.
 * {@code add_program} uploads install programs too; what an uploaded program runs is, in this order: an
 * inferlet registered with {@link Builder#inferlet} for the same {@code name@version}, one registered with
 * {@link Builder#uploadedInferlet} for its name, else {@link Builder#defaultUploadedInferlet} (by default,
 * one that returns its input). Launching a program that is not installed fails as a failed registry
 * download does. Daemons are acknowledged but run nothing. Workflows are validated and acknowledged but run
 * nothing and never finish.
 *
 * <p><b>Differences from engine 0.4.</b> By default a session that ends detaches its processes, as the
 * engine is designed to; {@link Builder#detachOnDisconnect(boolean) detachOnDisconnect(false)} reproduces
 * the 0.3/0.4 defect. Manifests are read only for {@code [package] name} and {@code version}.
 *
 * <p><b>Logging.</b> The server logs through {@link System.Logger} at DEBUG level only and never prints.
 * Java-WebSocket logs through SLF4J 2: when the test class path has no SLF4J provider, SLF4J itself prints
 * a three-line "No SLF4J providers were found" notice to stderr once. Add {@code org.slf4j:slf4j-nop} (or
 * the logging back end of your choice) to the test class path to avoid it.
 *
 * <p>Thread-safe. {@link #close()} stops the server, its processes and its threads.
 */
public final class PieTestServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PieTestServer.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final TestEngine engine;
    private final Server server;
    /** Gateway mode only: the gateway's port, in front of {@link #server}. */
    private final GatewayFrontDoor frontDoor;
    private final GatewayControls gateway;
    private final Set<Session> allSessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessionNumbers = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile Thread flusher;

    /**
     * How often queued output is re-announced to Java-WebSocket's selector. Java-WebSocket 1.6.0 can lose a
     * write demand: a frame queued from another thread just after the selector thread drained the queue,
     * but before it dropped its write interest, stays queued until something else is written, so a reply
     * could wait forever. Re-announcing whatever is still queued bounds that wait to this interval.
     */
    private static final Duration FLUSH_INTERVAL = Duration.ofMillis(2);

    /** Set when the server speaks TLS ({@code wss://}). */
    private final @Nullable SSLContext tls;
    /** Runs the TLS engine's delegated tasks; ours (not the factory's own), so that close() can end it. */
    private final @Nullable ExecutorService tlsTasks;

    private PieTestServer(Settings settings, @Nullable SSLContext tls, boolean gatewayMode) {
        if (tls != null && gatewayMode) {
            throw new IllegalArgumentException("the test gateway's front door speaks plain HTTP only: tls(...) and"
                    + " gateway(true) do not go together");
        }
        this.engine = new TestEngine(settings);
        this.tls = tls;
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        if (gatewayMode) {
            this.gateway = new GatewayControls();
            try {
                this.frontDoor = new GatewayFrontDoor(address, engine, gateway, sessionNumbers);
            } catch (java.io.IOException e) {
                throw new PieException("the test gateway could not listen on " + address + ": " + e.getMessage(), e);
            }
            // The WebSocket server behind it takes only what the front door relays.
            address = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        } else {
            this.gateway = null;
            this.frontDoor = null;
        }
        this.server = new Server(address, settings.maxMessageBytes());
        this.tlsTasks = tls == null ? null
                : Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("pie-test-tls").factory());
        if (tls != null) server.setWebSocketFactory(new DefaultSSLWebSocketServerFactory(tls, tlsTasks));
    }

    /**
     * A builder with the defaults: 127.0.0.1, an ephemeral port, authentication disabled, no programs.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private PieTestServer startServer() {
        server.start();
        flusher = Thread.ofPlatform().daemon().name("pie-test-flusher").start(this::reannounceQueuedOutput);
        try {
            started.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            throw new PieException("the test server could not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new PieException("the test server did not start within " + START_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new PieException("interrupted while starting the test server", e);
        }
        if (frontDoor != null) frontDoor.start(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.getPort()));
        return this;
    }

    /**
     * The address to connect to: {@code ws://127.0.0.1:<port>} (no path; any path is accepted),
     * {@code wss://...} when the server speaks TLS, or in gateway mode {@code ws://127.0.0.1:<port>/v1/ws}.
     *
     * @return the URI to give {@code PieClient.connect}
     */
    public URI uri() {
        return URI.create((tls == null ? "ws://" : "wss://") + hostPort() + (frontDoor != null ? "/v1/ws" : ""));
    }

    private String hostPort() {
        String host = engine.settings().host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port();
    }

    /**
     * Gateway mode only: the gateway's HTTP address, {@code http://127.0.0.1:<port>}, whose
     * {@code POST /v1/generate} runs one turn and streams it back as server-sent events.
     *
     * @return the base URI to give {@code PieHttpClient}
     * @throws IllegalStateException if the server is not in gateway mode
     */
    public URI httpUri() {
        gateway();
        return URI.create("http://" + hostPort());
    }

    /**
     * Gateway mode only: admission, stream aborts and the identities the gateway read.
     *
     * @return the gateway's controls
     * @throws IllegalStateException if the server is not in gateway mode
     */
    public GatewayControls gateway() {
        if (gateway == null) throw new IllegalStateException("the test server is not in gateway mode (Builder.gateway(true))");
        return gateway;
    }

    /**
     * The port the server listens on.
     *
     * @return the port
     */
    public int port() {
        return frontDoor != null ? frontDoor.port() : server.getPort();
    }

    /**
     * The engine's internal token for {@code auth_by_token}: the one given to {@link Builder#token}, or
     * 64 random URL-safe base64 characters.
     *
     * @return the token
     */
    public String internalToken() {
        return engine.settings().token();
    }

    /**
     * Switches for misbehaving on purpose.
     *
     * @return the fault switches of this server
     */
    public Faults faults() {
        return engine.faults();
    }

    /**
     * How many connections are open right now.
     *
     * @return the number of open connections
     */
    public int connectedSessions() {
        return engine.sessions.size();
    }

    /**
     * Waits until exactly {@code count} connections are open; false if that did not happen in time.
     *
     * @param count   the number of connections to wait for
     * @param timeout how long to wait
     * @throws InterruptedException if the waiting thread is interrupted
     * @return true once they are, false if that did not happen in time
     */
    public boolean awaitConnectedSessions(int count, Duration timeout) throws InterruptedException {
        return engine.awaitSessions(count, timeout);
    }

    /**
     * The last (up to 1000) messages clients sent, oldest first, across all sessions, as decoded
     * MessagePack maps: keys are strings; values are {@code null}, Boolean, Long, Double, String,
     * byte[], List or Map. Frames that were not MessagePack maps are not included; maps the engine could
     * not bind (unknown type, bad field) are.
     *
     * @return a copy of the recorded messages
     */
    public List<Map<String, Object>> receivedMessages() {
        return engine.received();
    }

    /** Forgets the messages recorded so far. */
    public void clearReceivedMessages() {
        engine.clearReceived();
    }

    /**
     * Waits until a recorded client message matches {@code matcher}; returns the first that does.
     *
     * @param matcher which message to wait for
     * @param timeout how long to wait
     * @throws InterruptedException if the waiting thread is interrupted
     * @return the first matching message, or empty if none came in time
     */
    public Optional<Map<String, Object>> awaitReceived(Predicate<? super Map<String, Object>> matcher, Duration timeout)
            throws InterruptedException {
        return engine.awaitReceived(matcher, timeout);
    }

    /**
     * The ids of the processes that are still running, of every user.
     *
     * @return their ids
     */
    public List<String> runningProcesses() {
        List<String> ids = new ArrayList<>();
        for (TestProcess p : engine.processes.values()) ids.add(p.processId());
        return ids;
    }

    /**
     * Whether a program {@code name@version} is installed (as {@code check_program} would answer).
     *
     * @param id {@code name@major.minor.patch}
     * @return whether it is installed
     */
    public boolean hasProgram(String id) {
        return engine.programs.containsKey(id);
    }

    /**
     * The bytes of an uploaded program, or empty if {@code id} was not uploaded with {@code add_program}.
     *
     * @param id {@code name@major.minor.patch}
     * @return a copy of the wasm bytes, or empty
     */
    public Optional<byte[]> uploadedProgram(String id) {
        TestEngine.Program p = engine.programs.get(id);
        return p == null || p.wasm() == null ? Optional.empty() : Optional.of(p.wasm().clone());
    }

    private void reannounceQueuedOutput() {
        while (!closed.get()) {
            for (WebSocket conn : server.getConnections()) {
                if (conn.hasBufferedData()) server.wakeWriter(conn);
            }
            try {
                Thread.sleep(FLUSH_INTERVAL); // a watchdog's period, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops everything: connections, sessions, processes (without events) and the server's threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Thread f = flusher;
        if (f != null) f.interrupt();
        if (frontDoor != null) frontDoor.close();
        for (TestProcess p : engine.processes.values()) p.kill();
        for (Session s : allSessions) s.shutdownNow();
        try {
            server.stop(1000);
            if (tlsTasks != null) {
                tlsTasks.shutdownNow();
                tlsTasks.awaitTermination(1, TimeUnit.SECONDS);
            }
            if (f != null) f.join(1000);
            for (Thread worker : server.workers()) worker.join(1000);
            for (Session s : allSessions) s.awaitStopped(Duration.ofSeconds(1));
            for (TestProcess p : engine.processes.values()) {
                Thread t = p.thread();
                if (t != null) t.join(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        started.completeExceptionally(new IllegalStateException("closed"));
    }

    @Override
    public String toString() {
        return "PieTestServer[" + (started.isDone() && !started.isCompletedExceptionally() ? uri() : "not started") + "]";
    }

    /** The Java-WebSocket glue: one {@link Session} per connection. */
    private final class Server extends WebSocketServer {

        Server(InetSocketAddress address, int maxMessageBytes) {
            super(address, Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
                    List.<Draft>of(new Draft_6455(List.of(), List.of(new Protocol("")), maxMessageBytes)));
            setReuseAddr(true);
            setTcpNoDelay(true);
            setDaemon(true);
            setConnectionLostTimeout(0); // the engine never pings
        }

        List<Thread> workers() {
            return decoders == null ? List.of() : List.copyOf(decoders);
        }

        void wakeWriter(WebSocket conn) {
            try {
                onWriteDemand(conn);
            } catch (RuntimeException e) {
                // The connection is closing; its key is gone and there is nothing left to write.
            }
        }

        @Override
        public void onStart() {
            started.complete(null);
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            String identity = null;
            if (engine.settings().trustIdentityHeader()) {
                String header = handshake.getFieldValue("x-pie-identity");
                if (header != null && !header.isBlank()) identity = header.strip();
            }
            Session session = gateway != null
                    ? Session.gatewaySocket(sessionNumbers.incrementAndGet(), conn, engine, () -> onWriteDemand(conn), gateway)
                    : new Session(sessionNumbers.incrementAndGet(), conn, engine, identity, () -> onWriteDemand(conn));
            if (gateway != null) gateway.sessions.add(session);
            conn.setAttachment(session);
            allSessions.add(session);
            if (closed.get()) session.shutdownNow();
            engine.sessionOpened(session);
            LOG.log(System.Logger.Level.DEBUG, "session {0} opened on {1}", session.number(),
                    handshake.getResourceDescriptor());
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer message) {
            Session session = conn.getAttachment();
            if (session == null) return;
            byte[] frame = new byte[message.remaining()];
            message.get(frame);
            session.onFrame(frame);
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            // An engine skips text frames (§1.2); the gateway takes "cancel" and JSON turns.
            Session session = conn.getAttachment();
            if (session != null) session.onText(message);
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            Session session = conn.getAttachment();
            if (session != null) session.onClosed();
            if (session != null && gateway != null) gateway.sessions.remove(session);
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                if (!started.completeExceptionally(ex)) {
                    LOG.log(System.Logger.Level.DEBUG, "test server error", ex);
                }
            } else {
                LOG.log(System.Logger.Level.DEBUG, "connection error", ex);
            }
        }
    }

    /**
     * Configures a {@link PieTestServer}. Every option has a default that matches the engine's, except that
     * authentication is disabled until a user is added.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private final Map<String, Inferlet> inferlets = new LinkedHashMap<>();
        private final Map<String, Inferlet> uploadInferlets = new LinkedHashMap<>();
        private Inferlet defaultUploadInferlet = InferletContext::input;
        private long maxUploadMb = 256;
        private boolean authEnabled;
        private final Map<String, List<PublicKey>> users = new LinkedHashMap<>();
        private String token;
        private Duration tokenFailureDelay;
        private boolean trustIdentityHeader;
        private boolean detachOnDisconnect = true;
        private Map<String, Object> modelStatus = defaultModelStatus();
        private int maxMessageBytes = 64 * 1024 * 1024;
        private @Nullable SSLContext tls;
        private boolean gatewayMode;

        private Builder() {
        }

        private static Map<String, Object> defaultModelStatus() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test-model.kv_pages_used", 0);
            m.put("test-model.kv_pages_total", 1024);
            m.put("test-model.total_batches", 0);
            m.put("test-model.total_tokens_processed", 0);
            m.put("test-model.last_batch_latency_us", 0);
            m.put("test-model.avg_batch_latency_us", 0);
            return m;
        }

        /**
         * The TCP port to listen on; 0 (the default) picks a free one.
         *
         * @param port 0 to 65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = port;
            return this;
        }

        /**
         * The address to listen on; default {@code 127.0.0.1}.
         *
         * @param host a host name or IP address
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * Installs a program: {@code check_program} answers "true" for it and launches run {@code inferlet}.
         *
         * @param id       {@code name@major.minor.patch}
         * @param inferlet what its processes run
         * @return this builder
         */
        public Builder inferlet(String id, Inferlet inferlet) {
            if (!ProgramId.isValid(id)) throw new IllegalArgumentException(ProgramId.invalidText(id));
            inferlets.put(id, Objects.requireNonNull(inferlet, "inferlet"));
            return this;
        }

        /**
         * What programs uploaded with {@code add_program} run when their manifest's {@code [package] name} is
         * {@code name} (any version). Uploading does not install anything by itself.
         *
         * @param name     the program name, without a version
         * @param inferlet what its processes run
         * @return this builder
         */
        public Builder uploadedInferlet(String name, Inferlet inferlet) {
            uploadInferlets.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(inferlet, "inferlet"));
            return this;
        }

        /**
         * What other uploaded programs run; by default an inferlet that returns its input.
         *
         * @param inferlet what their processes run
         * @return this builder
         */
        public Builder defaultUploadedInferlet(Inferlet inferlet) {
            this.defaultUploadInferlet = Objects.requireNonNull(inferlet, "inferlet");
            return this;
        }

        /**
         * The upload size cap ({@code runtime.max_upload_mb}); default 256.
         *
         * @param megabytes the largest upload, in MiB
         * @return this builder
         */
        public Builder maxUploadMb(long megabytes) {
            if (megabytes < 0) throw new IllegalArgumentException("negative upload cap");
            this.maxUploadMb = megabytes;
            return this;
        }

        /**
         * Registers a user with the public keys that may sign its challenges, and turns authentication on.
         * RSA (2048–4096 bits), Ed25519 and EC P-256/P-384 keys are accepted, as by the engine.
         *
         * @param name the user name
         * @param keys the user's public keys
         * @return this builder
         * @throws IllegalArgumentException for a key type or size the engine refuses
         */
        public Builder user(String name, PublicKey... keys) {
            Objects.requireNonNull(name, "name");
            for (PublicKey key : keys) Authenticator.schemeFor(Objects.requireNonNull(key, "key"));
            users.computeIfAbsent(name, n -> new ArrayList<>()).addAll(List.of(keys));
            authEnabled = true;
            return this;
        }

        /**
         * Turns authentication on or off. Off (the default unless {@link #user} was called), any
         * {@code auth_identify} authenticates with the claimed name; on, only registered users can.
         *
         * @param enabled whether to check users' signatures
         * @return this builder
         */
        public Builder authentication(boolean enabled) {
            this.authEnabled = enabled;
            return this;
        }

        /**
         * The internal token {@code auth_by_token} accepts (whether authentication is on or not).
         *
         * @param token the token
         * @return this builder
         */
        public Builder token(String token) {
            this.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * How long a wrong token holds up the session before "Invalid token" is sent; by default a random
         * time between 1 and 3 s, as the engine does.
         *
         * @param delay the delay; zero for none
         * @return this builder
         */
        public Builder tokenFailureDelay(Duration delay) {
            if (delay.isNegative()) throw new IllegalArgumentException("negative delay");
            this.tokenFailureDelay = delay;
            return this;
        }

        /**
         * Trusts the {@code x-pie-identity} upgrade header as a 0.5 gateway does: a connection that carries
         * it starts authenticated, as the header's whole value ({@code user} or {@code tenant/user}).
         * Off by default.
         *
         * @param trust whether to honour the header
         * @return this builder
         */
        public Builder trustIdentityHeader(boolean trust) {
            this.trustIdentityHeader = trust;
            return this;
        }

        /**
         * Whether a session that ends detaches its processes (default true, the engine's designed and
         * documented behaviour). False reproduces engine 0.3/0.4, where they stay attached to the dead
         * session: their events are lost and re-attaching answers "Process not found".
         *
         * @param detach whether a closed session's processes are detached
         * @return this builder
         */
        public Builder detachOnDisconnect(boolean detach) {
            this.detachOnDisconnect = detach;
            return this;
        }

        /**
         * The answer to {@code query model_status}: keys {@code "<model>.<stat>"}, values numbers or lists of
         * numbers. The default describes one idle model called {@code test-model}.
         *
         * @param status the statistics (copied)
         * @return this builder
         */
        public Builder modelStatus(Map<String, ?> status) {
            this.modelStatus = new LinkedHashMap<>(status);
            return this;
        }

        /**
         * The largest message (and frame) accepted, in bytes; default 64 MiB, the engine's message limit.
         * A larger one closes the connection with code 1009, where the engine would just stop reading.
         *
         * @param bytes a positive size
         * @return this builder
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("message size cap must be positive");
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Serves {@code wss://} with the key and certificate of {@code context}'s key managers (as a real
         * engine behind a TLS terminator would); {@link PieTestServer#uri()} then names {@code wss}.
         *
         * @param context a server-side context, e.g. initialised from a key store holding the certificate
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * Puts a Pie 0.5 gateway (Pie's dev line) in front of the engine, on the same port: WebSocket turns on
         * {@code /v1/ws} with the gateway's text control frames, and one-shot {@code POST /v1/generate}
         * answered with server-sent events. Both refuse a request without {@code x-pie-identity} (401);
         * only the gateway's twelve messages are understood; every connection acts as the user
         * {@code internal}. {@link PieTestServer#gateway()} controls admission and stream aborts.
         *
         * @param on whether to run as a gateway (default false: an engine 0.4)
         * @return this builder
         */
        public Builder gateway(boolean on) {
            this.gatewayMode = on;
            return this;
        }

        /**
         * Starts the server and waits until it listens.
         *
         * @return the running server; close it when done
         * @throws PieException if it cannot bind its address
         */
        public PieTestServer start() {
            String internal = token;
            if (internal == null) {
                byte[] raw = new byte[48];
                new SecureRandom().nextBytes(raw);
                internal = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            }
            Map<String, List<PublicKey>> userKeys = new LinkedHashMap<>();
            users.forEach((name, keys) -> userKeys.put(name, List.copyOf(keys)));
            Settings settings = new Settings(host, port, Map.copyOf(inferlets), Map.copyOf(uploadInferlets),
                    defaultUploadInferlet, maxUploadMb, authEnabled, userKeys, internal, tokenFailureDelay,
                    trustIdentityHeader, detachOnDisconnect, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modelStatus)),
                    maxMessageBytes);
            return new PieTestServer(settings, tls, gatewayMode).startServer();
        }
    }
}
