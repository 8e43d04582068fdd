package org.pieproject.client.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The state all sessions share: programs, processes, workflows, faults, and what tests may observe. */
final class TestEngine {

    /** serde_json's compact output: no HTML escaping. */
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    static final int RECEIVED_HISTORY = 1000;

    /** A stored program; {@code wasm} is null for one registered in the builder. */
    record Program(String id, String name, byte[] wasm, String manifest) {
    }

    /** A submitted workflow; it runs nothing in the test engine and never finishes. */
    record Workflow(UUID id, String owner, AtomicReference<Session> attached) {
    }

    private final Settings settings;
    private final Authenticator authenticator;
    private final Faults faults;
    final ConcurrentHashMap<UUID, TestProcess> processes = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, Program> programs = new ConcurrentHashMap<>();
    final ConcurrentHashMap<UUID, Workflow> workflows = new ConcurrentHashMap<>();
    final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    private final ReentrantLock observed = new ReentrantLock();
    private final Condition changed = observed.newCondition();
    private final ArrayDeque<Map<String, Object>> received = new ArrayDeque<>(); // guarded by observed

    TestEngine(Settings settings) {
        this.settings = settings;
        this.authenticator = new Authenticator(settings.users());
        this.faults = new Faults(this);
        for (String id : settings.inferlets().keySet()) {
            programs.put(id, new Program(id, id.substring(0, id.indexOf('@')), null, null));
        }
    }

    Settings settings() {
        return settings;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    Faults faults() {
        return faults;
    }

    /** What a launch of {@code program} runs: its own inferlet, the one for its name, or the default. */
    Inferlet behaviourOf(Program program) {
        Inferlet own = settings.inferlets().get(program.id());
        if (own != null) return own;
        return settings.uploadInferlets().getOrDefault(program.name(), settings.defaultUploadInferlet());
    }

    /** Creates, registers and starts a process; it is attached to {@code session} when that is not null. */
    TestProcess launch(Program program, String input, String owner, boolean capture, Session session) {
        TestProcess p = new TestProcess(this, program.id(), input, owner, capture, session, behaviourOf(program));
        processes.put(p.uuid(), p);
        p.start();
        return p;
    }

    /** A process that ended is forgotten at once (§6.2). */
    void forget(TestProcess p) {
        processes.remove(p.uuid(), p);
    }

    void sessionOpened(Session s) {
        sessions.add(s);
        signalChange();
    }

    void sessionClosed(Session s) {
        // Detach first: a test that saw the session count drop may rely on the detach having happened.
        if (settings.detachOnDisconnect()) {
            for (TestProcess p : processes.values()) p.detach(s);
            for (Workflow w : workflows.values()) w.attached().compareAndSet(s, null);
        }
        sessions.remove(s);
        signalChange();
    }

    void recordReceived(Map<String, Object> message) {
        observed.lock();
        try {
            if (received.size() == RECEIVED_HISTORY) received.removeFirst();
            received.addLast(message);
            changed.signalAll();
        } finally {
            observed.unlock();
        }
    }

    List<Map<String, Object>> received() {
        observed.lock();
        try {
            return List.copyOf(received);
        } finally {
            observed.unlock();
        }
    }

    void clearReceived() {
        observed.lock();
        try {
            received.clear();
        } finally {
            observed.unlock();
        }
    }

    Optional<Map<String, Object>> awaitReceived(Predicate<? super Map<String, Object>> matcher, Duration timeout)
            throws InterruptedException {
        return awaitValue(() -> {
            for (Map<String, Object> m : received) if (matcher.test(m)) return m;
            return null;
        }, timeout);
    }

    boolean awaitSessions(int count, Duration timeout) throws InterruptedException {
        return awaitValue(() -> sessions.size() == count ? Boolean.TRUE : null, timeout).isPresent();
    }

    private <T> Optional<T> awaitValue(Supplier<T> probe, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        observed.lock();
        try {
            while (true) {
                T value = probe.get();
                if (value != null) return Optional.of(value);
                long left = deadline - System.nanoTime();
                if (left <= 0) return Optional.empty();
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            observed.unlock();
        }
    }

    private void signalChange() {
        observed.lock();
        try {
            changed.signalAll();
        } finally {
            observed.unlock();
        }
    }
}
