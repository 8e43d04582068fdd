package org.pieproject.client.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fails requests whose deadline has passed, for every open connection of the JVM, from one thread that
 * wakes every {@link #TICK}. Callers then wait for their answer without a timeout of their own: on a
 * virtual thread a timed wait arms a timer for every request, which cost about a quarter of the request
 * rate with 64 requests in flight. The price is up to one tick of lateness on a timeout.
 */
public final class RequestDeadlines {
    /** How late a timeout may be reported, at most. */
    public static final Duration TICK = Duration.ofMillis(5);

    private static final Set<PendingRequests> TABLES = ConcurrentHashMap.newKeySet();
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Thread sweeper; // guarded by LOCK

    private RequestDeadlines() {
    }

    /**
     * Starts watching one connection's requests.
     *
     * @param table the connection's pending requests
     */
    public static void watch(PendingRequests table) {
        TABLES.add(table);
        LOCK.lock();
        try {
            if (sweeper == null) sweeper = Thread.ofVirtual().name("pie-deadlines").start(RequestDeadlines::sweep);
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Stops watching a connection (it is closed or lost); the thread ends when nothing is left to watch.
     *
     * @param table the connection's pending requests
     */
    public static void unwatch(PendingRequests table) {
        TABLES.remove(table);
    }

    private static void sweep() {
        while (true) {
            try {
                Thread.sleep(TICK); // the sweep's period, not synchronisation
            } catch (InterruptedException e) {
                LOCK.lock();
                sweeper = null;
                LOCK.unlock();
                return;
            }
            long now = System.nanoTime();
            for (PendingRequests t : TABLES) t.expire(now);
            LOCK.lock();
            try {
                if (TABLES.isEmpty()) {
                    sweeper = null;
                    return;
                }
            } finally {
                LOCK.unlock();
            }
        }
    }
}
