package org.pieproject.client.telemetry;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * One traced process, from launch or attach to its end, which its queue reports once: on the terminal
 * event, or when the stream ends without one. Only made when someone would see it ({@link
 * Telemetry#processStarted}).
 */
public final class ProcessTrace {
    private final Telemetry telemetry;
    private final @Nullable ProcessRunEvent event;
    private final String inferlet;
    private final long startNanos;
    private final AtomicBoolean ended = new AtomicBoolean();

    ProcessTrace(Telemetry telemetry, @Nullable ProcessRunEvent event, String inferlet, long startNanos) {
        this.telemetry = telemetry;
        this.event = event;
        this.inferlet = inferlet;
        this.startNanos = startNanos;
        if (event != null) event.begin();
    }

    /**
     * The process, or its stream, has ended; later calls are ignored.
     *
     * @param processId its id
     * @param outcome   {@code return}, {@code error}, {@code disconnected} or {@code closed}
     * @param events    how many events the engine sent for it, the terminal one included
     */
    public void ended(String processId, String outcome, long events) {
        if (!ended.compareAndSet(false, true)) return;
        if (event != null) event.end();
        if (event != null && event.shouldCommit()) {
            event.inferlet = inferlet;
            event.processId = processId;
            event.outcome = outcome;
            event.events = events;
            event.commit();
        }
        if (telemetry.hasListener()) {
            telemetry.time("pie.client.processes", System.nanoTime() - startNanos,
                    Map.of("inferlet", inferlet, "outcome", outcome));
            if (events > 0) telemetry.count("pie.client.process.events", events, Map.of("inferlet", inferlet));
        }
    }
}
