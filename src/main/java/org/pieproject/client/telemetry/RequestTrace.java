package org.pieproject.client.telemetry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/** One request, from the caller's call until its answer, timeout or failure ({@link Telemetry#requestStarted}). */
public final class RequestTrace {
    private final Telemetry telemetry;
    private final @Nullable RequestEvent event;
    private final long startNanos;

    RequestTrace(Telemetry telemetry, @Nullable RequestEvent event, long startNanos) {
        this.telemetry = telemetry;
        this.event = event;
        this.startNanos = startNanos;
        if (event != null) event.begin();
    }

    /**
     * The request has ended.
     *
     * @param type     the request's protocol name
     * @param answered whether the engine answered it with {@code ok}: false if it refused
     * @param failure  what the call failed with instead of an answer, or null
     */
    public void ended(String type, boolean answered, @Nullable Throwable failure) {
        if (event != null) event.end();
        boolean record = event != null && event.shouldCommit();
        if (!record && !telemetry.hasListener()) return;
        String outcome = failure == null ? (answered ? "ok" : "refused") : Telemetry.outcomeOf(failure);
        if (record) {
            event.type = type;
            event.outcome = outcome;
            event.commit();
        }
        if (telemetry.hasListener()) {
            telemetry.time("pie.client.requests", System.nanoTime() - startNanos, Map.of("type", type, "outcome", outcome));
        }
    }
}
