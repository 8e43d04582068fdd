package org.pieproject.client.transport;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Probes every open connection of the JVM from one virtual thread that wakes every {@link #INTERVAL}: a
 * thread per connection cost each connect and close a thread start and an interrupt, a measurable part of
 * a short connection's life. The thread ends when no connection is left to probe.
 */
final class LivenessProbe {
    static final Duration INTERVAL = Duration.ofMillis(250);

    private static final Set<WebSocketTransport> OPEN = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Thread thread; // guarded by LOCK

    private LivenessProbe() {
    }

    /** Starts probing {@code t} (at the next tick, so within one interval). */
    static void watch(WebSocketTransport t) {
        OPEN.add(t);
        LOCK.lock();
        try {
            if (thread == null) thread = Thread.ofVirtual().name("pie-ws-probe").start(LivenessProbe::run);
        } finally {
            LOCK.unlock();
        }
    }

    /** Stops probing {@code t}: it is closed. */
    static void unwatch(WebSocketTransport t) {
        OPEN.remove(t);
    }

    /** Whether {@code t} is probed; for tests. */
    static boolean watching(WebSocketTransport t) {
        return OPEN.contains(t);
    }

    private static void run() {
        while (true) {
            try {
                Thread.sleep(INTERVAL); // the probe's period, not synchronisation
            } catch (InterruptedException e) {
                LOCK.lock();
                thread = null;
                LOCK.unlock();
                return;
            }
            for (WebSocketTransport t : OPEN) t.probe();
            LOCK.lock();
            try {
                // Added after this look means watch() takes the lock after us and starts a new thread.
                if (OPEN.isEmpty()) {
                    thread = null;
                    return;
                }
            } finally {
                LOCK.unlock();
            }
        }
    }
}
