package org.pieproject.client.session;

import java.time.Duration;

import org.pieproject.client.transport.PeriodicSweep;

/**
 * Fails requests whose deadline has passed, for every open connection of the JVM, from one
 * {@link PeriodicSweep} that wakes every {@link #TICK}. Callers then wait for their answer without a
 * timeout of their own: on a virtual thread a timed wait arms a timer for every request, which cost about a
 * quarter of the request rate with 64 requests in flight. The price is up to one tick of lateness on a
 * timeout.
 */
public final class RequestDeadlines {
    /** How late a timeout may be reported, at most. */
    public static final Duration TICK = Duration.ofMillis(5);

    private static final PeriodicSweep<PendingRequests> SWEEP =
            new PeriodicSweep<>("pie-deadlines", TICK, table -> table.expire(System.nanoTime()));

    private RequestDeadlines() {
    }

    /**
     * Starts watching one connection's requests.
     *
     * @param table the connection's pending requests
     */
    public static void watch(PendingRequests table) {
        SWEEP.add(table);
    }

    /**
     * Stops watching a connection (it is closed or lost); the thread ends when nothing is left to watch.
     *
     * @param table the connection's pending requests
     */
    public static void unwatch(PendingRequests table) {
        SWEEP.remove(table);
    }
}
