package org.pieproject.client.session;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.ConnectionState;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcessLostException;
import org.pieproject.client.PieRequestException;
import org.pieproject.client.PieTimeoutException;
import org.pieproject.client.ReconnectPolicy;
import org.pieproject.client.gateway.GatewayTurns;
import org.pieproject.client.gateway.GatewayVocabulary;
import org.pieproject.client.telemetry.ReconnectAttemptEvent;
import org.pieproject.client.telemetry.RequestTrace;
import org.pieproject.client.telemetry.Telemetry;
import org.pieproject.client.transport.FrameHandler;
import org.pieproject.client.transport.ListenerThread;
import org.pieproject.client.transport.TlsSettings;
import org.pieproject.client.transport.TransportClosedException;
import org.pieproject.client.transport.WebSocketTransport;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ClientMessage.Request;
import org.pieproject.client.wire.MsgPackWriter;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/**
 * The life of one client's connection to the engine: opening it, authenticating and remembering how,
 * sending requests and waiting for their answers over whichever WebSocket is current, and closing. The
 * request and event tables ({@link PendingRequests}, {@link ProcessRegistry}) outlive any one WebSocket.
 * {@code PieClient} is the front door for the calls; this class is what they travel over.
 *
 * <p>When the WebSocket is lost, every call waiting for an answer fails at once (requests are at most once:
 * none is ever resent). Without a {@link ReconnectPolicy} that is the end of the connection. With one, a
 * virtual thread ({@code pie-reconnect}) waits out the policy's backoff and opens a new WebSocket, then
 * re-establishes what the engine forgot: it authenticates as the first time, registers the MCP servers
 * again and re-attaches every process that still has an open queue; only then do other callers get
 * through. Calls made meanwhile wait for that, within their own deadline. Its own requests travel on the
 * new WebSocket at once (see {@link #usable}).
 */
public final class Connection {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    /** Uploads and file transfers travel in chunks of this many bytes (256 KiB). */
    public static final int CHUNK_SIZE = 262_144;
    /** Chunks kept in flight by an upload: enough to keep the socket busy, few enough to bound memory. */
    private static final int CHUNKS_IN_FLIGHT = 8;

    static final String AUTH_DISABLED = "Authenticated (Engine disabled authentication)";
    static final String ALREADY_AUTHENTICATED = "Already authenticated";

    /**
     * What a connection needs to open a WebSocket and run requests over it.
     *
     * @param uri             the engine's address
     * @param headers         extra upgrade request headers
     * @param tls             the TLS of {@code wss://} connections
     * @param connectTimeout  how long opening may take
     * @param sendTimeout     how long one message may wait for the socket
     * @param requestTimeout  the default deadline of a request
     * @param maxMessageBytes the largest message taken from the engine
     * @param maxFileBytes    the largest file taken from an inferlet
     * @param reconnect       how to get a lost connection back, or null to end with it
     */
    public record Settings(URI uri, Map<String, String> headers, TlsSettings tls, Duration connectTimeout, Duration sendTimeout,
                           Duration requestTimeout, int maxMessageBytes, long maxFileBytes,
                           @Nullable ReconnectPolicy reconnect) {
        @Override
        public String toString() {
            // Header values may be credentials: names only.
            return "Settings[uri=" + uri + ", headers=" + headers.keySet() + "]";
        }
    }

    /** How a connection authenticated, so that a new one can do it again; captures secrets, never printed. */
    @FunctionalInterface
    public interface Credentials {
        /**
         * Authenticates {@code connection} the same way again.
         *
         * @param connection a new connection
         */
        void authenticate(Connection connection);
    }

    private final Settings settings;
    private final PendingRequests pending;
    private final ProcessRegistry processes;
    private final Consumer<ServerMessage.McpRequest> mcpRequests;
    private final StateEvents stateEvents;
    private final Telemetry telemetry;
    /** The turns open on a Pie 0.5 gateway socket; null for an engine up to 0.4. */
    private final @Nullable GatewayTurns turns;
    /** Guards the moves between links and states: a loss, a link taking over, the final close. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The current WebSocket, or the last one while reconnecting. */
    private volatile Link link;
    /** Done while requests can go out; incomplete while reconnecting; failed once closed for good. */
    private volatile CompletableFuture<Void> up = CompletableFuture.completedFuture(null);
    private volatile ConnectionState state;
    /** The thread re-establishing the connection, while it does; its own requests skip the wait in {@link #usable}. */
    private volatile @Nullable Thread reconnector;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile @Nullable String user;
    private volatile @Nullable Credentials credentials;
    /** The MCP servers registered with the engine, by name, to register again after a reconnect. */
    private final Map<String, LongFunction<Request>> mcpServers = new ConcurrentHashMap<>();

    private Connection(Settings settings, PendingRequests pending, ProcessRegistry processes,
                       Consumer<ServerMessage.McpRequest> mcpRequests, List<Consumer<? super ConnectionState>> listeners,
                       Telemetry telemetry, @Nullable GatewayTurns turns) {
        this.settings = settings;
        this.telemetry = telemetry;
        this.turns = turns;
        this.pending = pending;
        this.processes = processes;
        this.mcpRequests = mcpRequests;
        this.stateEvents = new StateEvents(listeners);
        this.link = openLink();
        RequestDeadlines.watch(pending);
        moveTo(new ConnectionState.Connected(settings.uri()));
    }

    /**
     * One WebSocket and the router that decodes its messages (with its own file reassembly: a file cut off
     * by a loss is never completed by the next connection).
     */
    private final class Link implements FrameHandler {
        private final MessageRouter router =
                new MessageRouter(pending, processes, new FileDownloads(settings.maxFileBytes(), telemetry), mcpRequests, turns);
        /** Set once this link's loss has been dealt with, by whoever sees it first. */
        final AtomicBoolean lost = new AtomicBoolean();
        @Nullable WebSocketTransport transport;

        @Override
        public void onMessage(byte[] buf, int length) {
            router.onMessage(buf, length);
        }

        @Override
        public void onText(String text) {
            router.onText(text);
        }

        @Override
        public void onClosed(TransportClosedException cause) {
            lost(this, cause);
        }
    }

    private Link openLink() {
        Link l = new Link();
        Telemetry.Opening opening = telemetry.opening(settings.uri());
        try {
            l.transport = WebSocketTransport.connect(settings.uri(), settings.headers(), settings.tls(),
                    settings.connectTimeout(), settings.maxMessageBytes(), settings.sendTimeout(),
                    telemetry.reportingClose(l, settings.uri()));
        } catch (RuntimeException e) {
            opening.failed(e);
            throw e;
        }
        opening.opened();
        return l;
    }

    /**
     * Opens a connection, or throws a {@link PieConnectionException} saying why not.
     *
     * @param settings    where and how to connect
     * @param pending     the requests table, filled by callers and emptied by answers
     * @param processes   the process event queues
     * @param mcpRequests what to do with an inferlet's MCP call; must not block
     * @param listeners   receive the connection's states, in order, off the listener thread
     * @param telemetry   where requests, transfers and the connection's life are reported
     * @param turns       the turns of a Pie 0.5 gateway socket (its control frames go there, and requests
     *                    outside its vocabulary are refused), or null for an engine up to 0.4
     * @return the open, not yet authenticated connection
     */
    public static Connection open(Settings settings, PendingRequests pending, ProcessRegistry processes,
                                  Consumer<ServerMessage.McpRequest> mcpRequests,
                                  List<Consumer<? super ConnectionState>> listeners, Telemetry telemetry,
                                  @Nullable GatewayTurns turns) {
        return new Connection(settings, pending, processes, mcpRequests, listeners, telemetry, turns);
    }

    /**
     * Where this connection reports what it does; process handles report their uploads there.
     *
     * @return the telemetry
     */
    public Telemetry telemetry() {
        return telemetry;
    }

    /**
     * The settings this connection opens WebSockets with.
     *
     * @return the settings
     */
    public Settings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- authentication

    /**
     * Authenticates as {@code user}, with {@code key} when the engine asks for a signature, and remembers how.
     *
     * @param user the user name
     * @param key  the private key, or null when the engine has authentication disabled
     */
    public void authenticate(String user, @Nullable ParsedPrivateKey key) {
        Response identify = call("auth_identify", id -> new ClientMessage.AuthIdentify(id, user));
        String answer = ok("authentication", identify);
        if (answer.equals(AUTH_DISABLED) || answer.equals(ALREADY_AUTHENTICATED)) {
            authenticated(user, c -> c.authenticate(user, key));
            return;
        }
        byte[] challenge;
        try {
            challenge = Base64.getDecoder().decode(answer);
        } catch (IllegalArgumentException e) {
            throw new PieException("authentication failed: the engine's answer to auth_identify is neither a"
                    + " challenge nor a known text (" + answer.length() + " characters)");
        }
        if (key == null) {
            // The engine keeps the challenge pending; a later auth_identify replaces it, so nothing is stuck.
            throw new PieException("authentication failed: the engine requires a private key for user '" + user
                    + "'; pass a ParsedPrivateKey to authenticate(user, key)");
        }
        String signature = Base64.getEncoder().encodeToString(key.sign(challenge));
        ok("authentication", call("auth_prove", id -> new ClientMessage.AuthProve(id, signature)));
        authenticated(user, c -> c.authenticate(user, key));
    }

    /**
     * Authenticates with the engine's internal token, and remembers it. The engine answers a wrong token only
     * after 1-3 s, so this waits that much longer than the request timeout.
     *
     * @param token the token (never logged)
     */
    public void authByToken(String token) {
        Duration timeout = settings.requestTimeout().plusSeconds(3);
        ok("token authentication", call("auth_by_token", id -> new ClientMessage.AuthByToken(id, token), timeout, null));
        authenticated("internal", c -> c.authByToken(token));
    }

    private void authenticated(String name, Credentials again) {
        this.user = name;
        this.credentials = again;
    }

    /**
     * How this connection authenticated, or null if it has not.
     *
     * @return the remembered credentials
     */
    public @Nullable Credentials credentials() {
        return credentials;
    }

    /**
     * The user this connection acts for.
     *
     * @return the user, or null before authentication
     */
    public @Nullable String user() {
        return user;
    }

    // ---------------------------------------------------------------- requests

    /**
     * Sends a request and waits for its answer within the request timeout.
     *
     * @param op      the request's name, for messages
     * @param request the request, given its correlation id
     * @return the engine's answer
     */
    public Response call(String op, LongFunction<Request> request) {
        return call(op, request, settings.requestTimeout(), null);
    }

    /**
     * Sends a request and waits for its answer within {@code timeout}.
     *
     * @param op       the request's name, for messages
     * @param request  the request, given its correlation id
     * @param timeout  how long to wait for the answer
     * @param onAnswer run on the listener thread with the answer before the caller wakes up, or null
     * @return the engine's answer
     */
    public Response call(String op, LongFunction<Request> request, Duration timeout, @Nullable Consumer<Response> onAnswer) {
        RequestTrace trace = telemetry.requestStarted();
        boolean answered = false;
        Throwable failure = null;
        try {
            Response r = exchange(op, request, timeout, onAnswer);
            answered = r.ok();
            return r;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            trace.ended(op, answered, failure);
        }
    }

    /** Sends one request and waits for its answer; {@link #call} reports it. */
    private Response exchange(String op, LongFunction<Request> request, Duration timeout,
                              @Nullable Consumer<Response> onAnswer) {
        refuseOnGateway(op);
        long deadline = System.nanoTime() + timeout.toNanos();
        WebSocketTransport transport = usable(op, deadline, timeout);
        CompletableFuture<Response> answer = new CompletableFuture<>();
        long corrId = register(transport, answer, onAnswer, deadline);
        CompletableFuture<Void> sent;
        try {
            Request message = request.apply(corrId);
            if (turns != null) turns.opened(corrId, op, message);
            MsgPackWriter w = encode(message);
            sent = transport.sendLater(w.array(), w.size());
        } catch (RuntimeException e) {
            pending.remove(corrId);
            throw e;
        }
        // The caller waits for the answer alone (one wake-up per request, not two); a failed send ends
        // that wait at once.
        sent.whenComplete((v, err) -> {
            if (err != null) answer.completeExceptionally(transport.closeCause() != null ? transport.closeCause() : err);
        });
        try {
            return await(op, corrId, answer, timeout);
        } catch (PieTimeoutException e) {
            if (!sent.isDone() && transport.failIfSendStuck()) {
                throw new PieTimeoutException(op + ": the request could not be sent (the engine stopped reading?)");
            }
            throw e;
        }
    }

    /**
     * Registers a waiting request under a fresh correlation id.
     *
     * @param answer   completed with the answer
     * @param onAnswer run with the answer first, or null
     * @param deadline a {@link System#nanoTime()} value, or {@code Long.MAX_VALUE} for none yet
     * @return the correlation id
     * @throws PieConnectionException if the connection is closed
     */
    public long register(CompletableFuture<Response> answer, @Nullable Consumer<Response> onAnswer, long deadline) {
        WebSocketTransport transport = usable("request", System.nanoTime() + settings.requestTimeout().toNanos(),
                settings.requestTimeout());
        return register(transport, answer, onAnswer, deadline);
    }

    private long register(WebSocketTransport transport, CompletableFuture<Response> answer,
                          @Nullable Consumer<Response> onAnswer, long deadline) {
        long corrId = pending.register(new PendingRequests.Pending(answer, onAnswer, deadline));
        // Closing fails what is pending; a request registered after that must not wait for its deadline.
        var cause = transport.closeCause();
        if (cause != null) {
            pending.remove(corrId);
            throw new PieConnectionException("connection is closed: " + cause.getMessage(), cause);
        }
        return corrId;
    }

    /**
     * The WebSocket to send on: the current one when the connection is up; while it is being re-established,
     * the new one for the re-establishing thread, and for every other caller the new one once it is ready,
     * waiting for it until {@code deadline}.
     *
     * @throws PieTimeoutException    if the connection is not back by the deadline
     * @throws PieConnectionException if the connection is closed for good
     */
    private WebSocketTransport usable(String op, long deadline, Duration timeout) {
        CompletableFuture<Void> ready = up;
        if (!ready.isDone() && Thread.currentThread() != reconnector) {
            try {
                ready.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PieException(op + ": interrupted while waiting for the connection to come back", e);
            } catch (TimeoutException e) {
                throw new PieTimeoutException(op + ": the connection was not back within " + timeout + " (" + state + ")");
            } catch (ExecutionException e) {
                // Failed: closed for good; reported below.
            }
        }
        if (up.isCompletedExceptionally()) {
            Throwable why = up.exceptionNow();
            throw new PieConnectionException("connection is closed: " + why.getMessage(), why);
        }
        return Objects.requireNonNull(link.transport);
    }

    /**
     * Waits for the answer of a registered request.
     *
     * @param op      the request's name, for messages
     * @param corrId  its correlation id
     * @param answer  its future
     * @param timeout its deadline, for the message
     * @return the answer
     */
    public Response await(String op, long corrId, CompletableFuture<Response> answer, Duration timeout) {
        try {
            // No timed wait here: RequestDeadlines fails the future when its deadline passes.
            waitFor(answer);
            return answer.get();
        } catch (InterruptedException e) {
            pending.remove(corrId);
            Thread.currentThread().interrupt();
            throw new PieException(op + ": interrupted while waiting for the engine", e);
        } catch (ExecutionException e) {
            pending.remove(corrId);
            Throwable cause = e.getCause();
            if (cause instanceof PieRequestException r) throw new PieRequestException(op, r.reason()); // a gateway's error frame
            if (cause instanceof PendingRequests.DeadlineExceeded) {
                String hint = user == null
                        ? "; the connection may not be authenticated (the engine silently drops every request sent"
                        + " before authenticate())"
                        : "";
                throw new PieTimeoutException(op + ": no answer from the engine within " + timeout + hint);
            }
            throw new PieConnectionException(op + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * Parks until {@code f} is done. Not {@code f.get()}: its wait puts three more frames on the stack that a
     * parked virtual thread must keep (about 300 bytes per launch while the code is still warming up), and
     * its wake-up cannot wait for the end of the listener's run of callbacks as {@link ListenerThread} does.
     */
    private static void waitFor(CompletableFuture<?> f) throws InterruptedException {
        if (f.isDone()) return;
        Thread me = Thread.currentThread();
        f.whenComplete((r, e) -> ListenerThread.unparkSoon(me));
        while (!f.isDone()) {
            LockSupport.park(f);
            if (Thread.interrupted()) throw new InterruptedException();
        }
    }

    /**
     * Refuses, before anything is sent, a request a Pie 0.5 gateway does not understand.
     *
     * @param op the request's name
     * @throws PieException naming the gateway, when this connection goes to one and it lacks {@code op}
     */
    public void refuseOnGateway(String op) {
        if (turns != null && !GatewayVocabulary.accepts(op)) throw new PieException(GatewayVocabulary.refusal(op));
    }

    /**
     * Tells the gateway's turn tracking that an upload (answered once, after its last chunk) is under way.
     *
     * @param corrId the upload's correlation id
     */
    public void openedUpload(long corrId) {
        if (turns != null) turns.openedUpload(corrId);
    }

    /**
     * Sends a text message (a gateway's control frame), in order with the binary ones, without waiting.
     *
     * @param text the message
     */
    public void sendText(String text) {
        usable("send", System.nanoTime() + settings.requestTimeout().toNanos(), settings.requestTimeout()).sendText(text);
    }

    /**
     * Sends a message that has no answer, waiting until the socket has taken it.
     *
     * @param m the message
     */
    public void send(ClientMessage m) {
        WebSocketTransport transport = usable("send", System.nanoTime() + settings.requestTimeout().toNanos(),
                settings.requestTimeout());
        MsgPackWriter w = encode(m);
        transport.send(w.array(), w.size());
    }

    private static MsgPackWriter encode(ClientMessage m) {
        MsgPackWriter w = new MsgPackWriter(m instanceof ClientMessage.AddProgram
                || m instanceof ClientMessage.TransferFile ? CHUNK_SIZE + 512 : 128);
        m.writeTo(w);
        return w;
    }

    /**
     * Sends chunk messages {@code 0..total-1} back to back with a few in flight (no waiting for the
     * socket between them), stopping early once {@code stop} says so.
     *
     * @param total how many chunks
     * @param chunk the message of chunk {@code i}
     * @param stop  checked before each chunk
     */
    public void sendChunks(long total, LongFunction<ClientMessage> chunk, BooleanSupplier stop) {
        WebSocketTransport transport = usable("send", System.nanoTime() + settings.requestTimeout().toNanos(),
                settings.requestTimeout());
        // A chunk is encoded into the buffer of the one sent CHUNKS_IN_FLIGHT before it, once the JDK is done
        // with that: an upload allocates that many buffers, not a fresh 256 KiB one per chunk.
        ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        ArrayDeque<MsgPackWriter> buffers = new ArrayDeque<>(); // the messages in flight, in the same order
        for (long i = 0; i < total && !stop.getAsBoolean(); i++) {
            MsgPackWriter w;
            if (inFlight.size() == CHUNKS_IN_FLIGHT) {
                transport.awaitSent(inFlight.removeFirst());
                w = buffers.removeFirst();
                w.reset();
                chunk.apply(i).writeTo(w);
            } else {
                w = encode(chunk.apply(i));
            }
            inFlight.addLast(transport.sendLater(w.array(), w.size()));
            buffers.addLast(w);
        }
        while (!inFlight.isEmpty()) transport.awaitSent(inFlight.removeFirst());
    }

    /**
     * Fails the answer of {@code op} as a {@link PieRequestException} when the engine said no.
     *
     * @param op what was asked, for the message
     * @param r  the answer
     * @return the answer's text
     */
    public static String ok(String op, Response r) {
        if (!r.ok()) throw new PieRequestException(op, r.result());
        return r.result();
    }

    /**
     * Announces an MCP server to the engine, and again after every reconnect.
     *
     * @param name    the name inferlets call it by
     * @param request the {@code register_mcp_server} request, given its correlation id
     */
    public void registerMcpServer(String name, LongFunction<Request> request) {
        ok("register_mcp_server", call("register_mcp_server", request));
        mcpServers.put(name, request);
    }

    // ---------------------------------------------------------------- processes

    /**
     * The handle of a process is done with: drop its events from now on.
     *
     * @param processId the canonical process id
     */
    public void release(String processId) {
        processes.release(processId);
    }

    /**
     * What {@link #reattach} found.
     *
     * @param attached     the queues of the processes now attached, by canonical id
     * @param unattachable running, but the engine will not attach them (engine 0.4 keeps a lost session's)
     * @param ended        no longer on the engine
     */
    public record Reattached(Map<String, ProcessQueue> attached, List<String> unattachable, List<String> ended) {}

    /**
     * Attaches to each process and sorts them by outcome; "Process not found" is told apart with
     * {@code list_processes} (engine 0.4 answers it for processes still tied to a lost session).
     *
     * @param processIds canonical process ids
     * @return the outcome
     */
    public Reattached reattach(List<String> processIds) {
        return reattach(processIds, false);
    }

    /** With {@code onlyOpen}, skips processes whose handle was closed meanwhile (the automatic re-attach). */
    private Reattached reattach(List<String> processIds, boolean onlyOpen) {
        Map<String, ProcessQueue> attached = new LinkedHashMap<>();
        List<String> notFound = new ArrayList<>();
        for (String id : processIds) {
            if (onlyOpen && processes.get(id) == null) continue;
            try {
                attached.put(id, attach(id));
            } catch (PieRequestException e) {
                if (!e.reason().equals("Process not found")) throw e;
                notFound.add(id);
            }
        }
        List<String> stuck = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        if (!notFound.isEmpty()) {
            List<String> live = ProcessLists.ids(ok("list_processes", call("list_processes", ClientMessage.ListProcesses::new)));
            for (String id : notFound) (live.contains(id) ? stuck : gone).add(id);
        }
        return new Reattached(attached, List.copyOf(stuck), List.copyOf(gone));
    }

    /**
     * Attaches to a running process and returns its queue, which first receives what the engine kept.
     *
     * @param processId the canonical process id
     * @return the process's queue (the one it already had, if a handle is open)
     * @throws PieRequestException if the engine refuses, e.g. "Process not found"
     */
    public ProcessQueue attach(String processId) {
        boolean known = processes.get(processId) != null;
        // Opened before the request goes out: the replayed events follow the answer at once.
        ProcessQueue queue = processes.open(processId);
        try {
            ok("attach_process", call("attach_process", c -> new ClientMessage.AttachProcess(c, processId)));
        } catch (RuntimeException e) {
            if (!known) processes.forget(processId);
            throw e;
        }
        return queue;
    }

    // ---------------------------------------------------------------- life

    /**
     * The address this connection goes to.
     *
     * @return the engine's URI
     */
    public URI uri() {
        return settings.uri();
    }

    /**
     * Whether requests can be sent now.
     *
     * @return true while a WebSocket is open and ready
     */
    public boolean isOpen() {
        WebSocketTransport t = link.transport;
        return up.isDone() && !up.isCompletedExceptionally() && t != null && t.closeCause() == null;
    }

    /**
     * What the connection is doing now.
     *
     * @return the latest state
     */
    public ConnectionState state() {
        return state;
    }

    private void moveTo(ConnectionState next) {
        state = next;
        stateEvents.emit(next);
    }

    /**
     * A link's WebSocket ended (on whatever thread noticed). Calls waiting for an answer fail at once; then
     * either the connection ends with it, or a reconnect starts.
     */
    private void lost(Link l, TransportClosedException cause) {
        lock.lock();
        try {
            if (l != link || !l.lost.compareAndSet(false, true)) return; // not (yet) the current one, or seen
            pending.failAll(cause);
            if (turns != null) turns.socketLost();
            if (closed.get() || finished.get()) return; // close() ends it
            if (!up.isDone()) return; // lost while being re-established: the reconnect thread tries again
            moveTo(new ConnectionState.Disconnected(cause));
            if (settings.reconnect() == null) {
                finish(cause);
                return;
            }
            up = new CompletableFuture<>();
            reconnector = Thread.ofVirtual().name("pie-reconnect").unstarted(() -> reconnect(l, cause));
            reconnector.start();
        } finally {
            lock.unlock();
        }
    }

    /** Closes for good: every waiting call and reader fails with {@code cause}. Once. */
    private void finish(PieException cause) {
        lock.lock();
        try {
            if (!finished.compareAndSet(false, true)) return;
            CompletableFuture<Void> ready = up;
            if (ready.isDone()) {
                up = CompletableFuture.failedFuture(cause);
            } else {
                ready.completeExceptionally(cause);
            }
            RequestDeadlines.unwatch(pending);
            pending.failAll(cause);
            processes.closeAll(cause);
            moveTo(new ConnectionState.Closed(closed.get() ? null : cause));
        } finally {
            lock.unlock();
        }
    }

    /** Thrown inside a reconnect when the engine refuses the credentials that worked before: no retry. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(PieException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** The reconnect thread: backoff, a new WebSocket, re-establish; until it works, gives up or is closed. */
    private void reconnect(Link old, PieConnectionException cause) {
        ReconnectPolicy policy = Objects.requireNonNull(settings.reconnect());
        Objects.requireNonNull(old.transport).close(); // releases what it held; it is already failed
        PieException last = cause;
        try {
            for (int attempt = 1; !closed.get(); attempt++) {
                if (attempt > policy.maxAttempts() || attempt < 1) {
                    finish(new PieConnectionException("gave up reconnecting after " + policy.maxAttempts()
                            + " attempts; the last failed with: " + last.getMessage(), last));
                    return;
                }
                Duration delay = policy.delayBefore(attempt, ThreadLocalRandom.current());
                moveTo(new ConnectionState.Reconnecting(attempt, delay, last));
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    return; // close() interrupts the wait
                }
                if (closed.get()) return;
                ReconnectAttemptEvent report = telemetry.reconnectAttemptStarted();
                boolean connected = false;
                try {
                    Link fresh;
                    try {
                        fresh = openLink();
                    } catch (PieException e) {
                        last = e;
                        continue;
                    }
                    try {
                        reestablish(fresh);
                    } catch (Refused e) {
                        last = (PieException) e.getCause();
                        finish(last);
                        return;
                    } catch (PieException e) {
                        last = e;
                        Objects.requireNonNull(fresh.transport).close();
                        continue;
                    }
                    lock.lock();
                    try {
                        if (closed.get() || finished.get()) return;
                        if (fresh.lost.get()) {
                            last = Objects.requireNonNullElse(fresh.transport.closeCause(), last);
                            continue;
                        }
                        reconnector = null;
                        connected = true;
                        up.complete(null);
                        moveTo(new ConnectionState.Reconnected(settings.uri(), attempt));
                    } finally {
                        lock.unlock();
                    }
                    return;
                } finally {
                    telemetry.reconnectAttemptEnded(report, settings.uri(), attempt, delay, connected ? null : last);
                }
            }
        } finally {
            lock.lock();
            try {
                if (reconnector == Thread.currentThread()) reconnector = null;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Makes {@code fresh} the current link and gives it back what the engine forgot: the authentication,
     * the MCP servers and the attachment of every process that still has an open handle. A process the
     * engine no longer has, or will not attach, ends its handle with {@link PieProcessLostException}.
     */
    private void reestablish(Link fresh) {
        lock.lock();
        try {
            if (closed.get()) {
                Objects.requireNonNull(fresh.transport).close();
                throw new PieConnectionException("connection closed by the client");
            }
            link = fresh;
            WebSocketTransport t = Objects.requireNonNull(fresh.transport);
            // Lost between opening and taking over: nobody else will report it (lost() saw an old link).
            if (t.closeCause() != null && fresh.lost.compareAndSet(false, true)) throw t.closeCause();
        } finally {
            lock.unlock();
        }
        Credentials again = credentials;
        if (again != null) {
            try {
                again.authenticate(this);
            } catch (PieConnectionException | PieTimeoutException e) {
                throw e; // the new connection failed: another attempt
            } catch (PieException e) {
                Objects.requireNonNull(fresh.transport).close();
                throw new Refused(new PieConnectionException("reconnected, but the engine refused the"
                        + " authentication that worked before: " + e.getMessage(), e));
            }
        }
        for (Map.Entry<String, LongFunction<Request>> server : mcpServers.entrySet()) {
            try {
                ok("register_mcp_server", call("register_mcp_server", server.getValue()));
            } catch (PieRequestException e) {
                LOG.log(System.Logger.Level.WARNING, "after a reconnect the engine refused MCP server {0}: {1}",
                        server.getKey(), e.reason());
            }
        }
        Reattached r = reattach(processes.openIds(), true);
        for (String id : r.unattachable()) processes.end(id, new PieProcessLostException(id, true));
        for (String id : r.ended()) processes.end(id, new PieProcessLostException(id, false));
    }

    /**
     * Closes the WebSocket and stops reconnecting; every waiting call and reader fails at once. Returns at
     * once even during a backoff wait. Idempotent.
     */
    public void close() {
        Thread waiting;
        WebSocketTransport t;
        lock.lock();
        try {
            if (!closed.compareAndSet(false, true)) return;
            waiting = reconnector;
            t = link.transport;
        } finally {
            lock.unlock();
        }
        if (waiting != null) waiting.interrupt();
        TransportClosedException cause = null;
        if (t != null) {
            t.close();
            cause = t.closeCause();
        }
        finish(cause != null ? cause : new PieConnectionException("connection closed by the client"));
    }
}
