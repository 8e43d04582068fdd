package org.pieproject.client.transport;

import java.time.Duration;

/**
 * Probes every open connection of the JVM every {@link #INTERVAL}, from one {@link PeriodicSweep}: see
 * {@link WebSocketTransport#probe} for why a connection needs probing at all.
 */
final class LivenessProbe {
    static final Duration INTERVAL = Duration.ofMillis(250);

    private static final PeriodicSweep<WebSocketTransport> SWEEP =
            new PeriodicSweep<>("pie-ws-probe", INTERVAL, WebSocketTransport::probe);

    private LivenessProbe() {
    }

    /** Starts probing {@code t} (at the next tick, so within one interval). */
    static void watch(WebSocketTransport t) {
        SWEEP.add(t);
    }

    /** Stops probing {@code t}: it is closed. */
    static void unwatch(WebSocketTransport t) {
        SWEEP.remove(t);
    }

    /** Whether {@code t} is probed; for tests. */
    static boolean watching(WebSocketTransport t) {
        return SWEEP.contains(t);
    }
}
