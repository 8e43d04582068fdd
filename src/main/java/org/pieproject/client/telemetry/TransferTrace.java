package org.pieproject.client.telemetry;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/** One upload or download, from its first chunk to its last (and, for a program, the engine's answer). */
public final class TransferTrace {
    private final Telemetry telemetry;
    private final @Nullable TransferEvent event;
    private final String direction;
    private final String kind;
    private final long bytes;
    private final long startNanos;

    TransferTrace(Telemetry telemetry, @Nullable TransferEvent event, String direction, String kind, long bytes,
                  long startNanos) {
        this.telemetry = telemetry;
        this.event = event;
        this.direction = direction;
        this.kind = kind;
        this.bytes = bytes;
        this.startNanos = startNanos;
        if (event != null) event.begin();
    }

    /**
     * The transfer is over.
     *
     * @param failure what it failed with, or null if it went through
     */
    public void ended(@Nullable Throwable failure) {
        ended(failure == null ? "ok" : "failed");
    }

    /**
     * The transfer is over.
     *
     * @param outcome {@code ok}, or a word for what went wrong (never the data, never a secret)
     */
    public void ended(String outcome) {
        ended(outcome, bytes);
    }

    /**
     * The transfer is over, and only now is its size known (a download).
     *
     * @param outcome {@code ok}, or a word for what went wrong
     * @param bytes   how many bytes were transferred
     */
    public void ended(String outcome, long bytes) {
        if (event != null) event.end();
        if (event != null && event.shouldCommit()) {
            event.direction = direction;
            event.kind = kind;
            event.bytes = bytes;
            event.outcome = outcome;
            event.commit();
        }
        if (telemetry.hasListener()) {
            Map<String, String> tags = Map.of("direction", direction, "kind", kind);
            telemetry.time("pie.client.transfers", System.nanoTime() - startNanos,
                    Map.of("direction", direction, "kind", kind, "outcome", outcome));
            if (outcome.equals("ok")) telemetry.count("pie.client.transfer.bytes", bytes, tags);
        }
    }
}
