package org.pieproject.client.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.pieproject.client.hash.Blake3;
import org.pieproject.client.wire.ServerMessage;

/**
 * One running process: its attached session, its replay buffer, its inbound signals and file wait, and the
 * thread running its inferlet. Every output passes through {@link #lock}, so that an attach (reply, then
 * replay) and new output can never interleave, and output reaches the session's ordered queue in the order
 * it was produced.
 */
final class TestProcess implements InferletContext {
    private static final System.Logger LOG = System.getLogger(TestProcess.class.getName());

    static final int RING_CAPACITY = 4096;
    static final int FILE_CHUNK = 262_144;

    /** How a process ended: {@code ok} for {@code return}, else {@code error}. */
    record Outcome(boolean ok, String value) {
    }

    private record FileWait(Session session, CompletableFuture<byte[]> future) {
    }

    private final TestEngine engine;
    private final UUID uuid;
    private final String id;
    private final String program;
    private final String input;
    private final String owner;
    private final boolean capture;
    private final Instant created = Instant.now();
    private final Inferlet inferlet;
    private final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final LinkedBlockingQueue<String> signals = new LinkedBlockingQueue<>();

    private final ReentrantLock lock = new ReentrantLock();
    private Session attached;                    // guarded by lock
    /**
     * The replay buffer by each event's place in the output (guarded by lock). Sorted, not appended to: an
     * event whose delivery to a lost session fails can come back after later output was already buffered.
     */
    private final TreeMap<Long, ServerMessage.ProcessEvent> buffer = new TreeMap<>();
    private long outputSeq;                      // guarded by lock
    private boolean ended;                       // guarded by lock
    private FileWait fileWait;                   // guarded by lock
    private Thread thread;                       // guarded by lock

    TestProcess(TestEngine engine, String program, String input, String owner, boolean capture, Session attached,
                Inferlet inferlet) {
        this.engine = engine;
        this.uuid = UUID.randomUUID();
        this.id = uuid.toString();
        this.program = program;
        this.input = input;
        this.owner = owner;
        this.capture = capture;
        this.attached = attached;
        this.inferlet = inferlet;
    }

    UUID uuid() {
        return uuid;
    }

    String owner() {
        return owner;
    }

    long elapsedSecs() {
        return Duration.between(created, Instant.now()).toSeconds();
    }

    CompletableFuture<Outcome> outcome() {
        return outcome;
    }

    void start() {
        lock.lock();
        try {
            thread = Thread.ofVirtual().name("pie-test-process-" + id).start(this::runInferlet);
        } finally {
            lock.unlock();
        }
    }

    private void runInferlet() {
        try {
            String result = inferlet.run(this);
            finish(new Outcome(true, result == null ? "" : result));
        } catch (Throwable t) {
            String message = t.getMessage() != null ? t.getMessage() : t.toString();
            finish(new Outcome(false, message));
        }
    }

    /** Emits the terminal event unless the process already ended (e.g. it was terminated). */
    private void finish(Outcome end) {
        lock.lock();
        try {
            if (ended) return;
            ended = true;
            engine.forget(this);
            route(new ServerMessage.ProcessEvent(id, end.ok() ? "return" : "error", end.value()));
        } finally {
            lock.unlock();
        }
        outcome.complete(end);
    }

    /** {@code terminate_process}: the client sees {@code error}/{@code Signal}; the inferlet is interrupted. */
    void terminate() {
        Thread t;
        lock.lock();
        try {
            t = thread;
            if (ended) return;
            ended = true;
            engine.forget(this);
            route(new ServerMessage.ProcessEvent(id, "error", "Signal"));
        } finally {
            lock.unlock();
        }
        outcome.complete(new Outcome(false, "Signal"));
        if (t != null) t.interrupt();
    }

    /** Stops the inferlet without any event: the server is shutting down. */
    void kill() {
        Thread t;
        lock.lock();
        try {
            ended = true;
            t = thread;
        } finally {
            lock.unlock();
        }
        outcome.complete(new Outcome(false, "Signal"));
        if (t != null) t.interrupt();
    }

    Thread thread() {
        lock.lock();
        try {
            return thread;
        } finally {
            lock.unlock();
        }
    }

    /** Sends an event to the attached session, or keeps it for replay when the rules say so (§6.4). */
    private void route(ServerMessage.ProcessEvent event) {
        long seq = ++outputSeq;
        if (attached != null) {
            attached.deliverEvent(this, event, seq);
        } else if (capture && isBuffered(event.event())) {
            keep(seq, event);
        }
    }

    private void keep(long seq, ServerMessage.ProcessEvent event) {
        buffer.put(seq, event);
        if (buffer.size() > RING_CAPACITY) buffer.pollFirstEntry();
    }

    private static boolean isBuffered(String event) {
        return switch (event) {
            case "stdout", "stderr", "return", "error" -> true;
            default -> false;
        };
    }

    /** The attached session could not take the event because it is gone. */
    void deliveryFailed(Session session, ServerMessage.ProcessEvent event, long seq) {
        if (!engine.settings().detachOnDisconnect()) return; // 0.4: the write fails quietly, the event is lost
        lock.lock();
        try {
            if (attached == session) attached = null;
            // Already attached elsewhere: the buffer was replayed, and this event's moment has passed.
            if (attached == null && !ended && capture && isBuffered(event.event())) keep(seq, event);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Attaches {@code session} and, in the same step, sends it the "Process attached" reply and the replay
     * buffer. Returns false if the process is already attached (to any session, this one included).
     */
    boolean attach(Session session, long corrId) {
        lock.lock();
        try {
            if (ended || attached != null) return false;
            attached = session;
            session.sendNow(new ServerMessage.Response(corrId, true, "Process attached"));
            for (ServerMessage.ProcessEvent event : buffer.values()) session.sendNow(event);
            buffer.clear();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The session ended (designed behaviour): stop sending to it. */
    void detach(Session session) {
        lock.lock();
        try {
            if (attached == session) attached = null;
            if (fileWait != null && fileWait.session() == session) fileWait = null;
        } finally {
            lock.unlock();
        }
    }

    void signal(String message) {
        signals.add(message);
    }

    /** A completed, verified {@code transfer_file} upload; delivered only to a wait this session ends. */
    void offerFile(Session session, byte[] data) {
        lock.lock();
        try {
            if (fileWait != null && fileWait.session() == session) {
                fileWait.future().complete(data);
                fileWait = null;
            } else {
                LOG.log(System.Logger.Level.DEBUG, "process {0} is not waiting for a file; dropped", id);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- InferletContext ----

    @Override
    public String processId() {
        return id;
    }

    @Override
    public String program() {
        return program;
    }

    @Override
    public String input() {
        return input;
    }

    @Override
    public String username() {
        return owner;
    }

    @Override
    public void stdout(String text) {
        stream("stdout", text);
    }

    @Override
    public void stderr(String text) {
        stream("stderr", text);
    }

    private void stream(String event, String text) {
        if (!capture) return; // thrown away at the source
        lock.lock();
        try {
            if (!ended) route(new ServerMessage.ProcessEvent(id, event, text));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void message(String text) {
        lock.lock();
        try {
            if (!ended && attached != null) attached.deliverEvent(this, new ServerMessage.ProcessEvent(id, "message", text), ++outputSeq);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sendFile(byte[] data) {
        sendFile(data, null);
    }

    @Override
    public void sendFile(byte[] data, String name) {
        if (data.length == 0) return; // zero chunks: nothing on the wire
        String hash = Blake3.hex(data);
        long total = (data.length + FILE_CHUNK - 1) / FILE_CHUNK;
        lock.lock();
        try {
            if (!ended && attached != null) attached.deliverFile(id, hash, total, data.clone(), name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String receiveSignal() throws InterruptedException {
        return signals.take();
    }

    @Override
    public Optional<String> receiveSignal(Duration timeout) throws InterruptedException {
        return Optional.ofNullable(signals.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public byte[] receiveFile() throws InterruptedException {
        return awaitFile(null).orElseThrow();
    }

    @Override
    public Optional<byte[]> receiveFile(Duration timeout) throws InterruptedException {
        return awaitFile(timeout);
    }

    private Optional<byte[]> awaitFile(Duration timeout) throws InterruptedException {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        FileWait wait;
        lock.lock();
        try {
            wait = new FileWait(attached, future);
            fileWait = wait;
        } finally {
            lock.unlock();
        }
        try {
            return Optional.of(timeout == null ? future.get() : future.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            lock.lock();
            try {
                if (fileWait == wait) fileWait = null;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public List<String> mcpServers() {
        Session s = attachedSession();
        return s == null ? List.of() : s.mcpServers();
    }

    @Override
    public McpResult mcp(String serverName, String method, String paramsJson) throws InterruptedException {
        Session s = attachedSession();
        if (s == null) return new McpResult(false, Session.mcpError("no client is attached to the process"));
        return s.mcpCall(id, serverName, method, paramsJson);
    }

    private Session attachedSession() {
        lock.lock();
        try {
            return attached;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "TestProcess[" + id + ", " + program + ", owner=" + owner + "]";
    }
}
