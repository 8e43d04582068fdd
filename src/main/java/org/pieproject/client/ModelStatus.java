package org.pieproject.client;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import com.google.gson.JsonElement;

/**
 * The engine's {@code model_status} report, by model. The engine sends one flat JSON object whose keys are
 * {@code "<model>.<stat>"}; this view groups them by model and names the figures every engine version
 * reports. Everything else stays available as JSON in {@link Model#stats()}.
 *
 * @param models each loaded model's figures, by model name (empty when no model is loaded)
 */
public record ModelStatus(Map<String, Model> models) {

    /**
     * The figures of one model.
     *
     * @param name  the model's name
     * @param stats every statistic the engine reported for it, by name without the model prefix
     */
    public record Model(String name, Map<String, JsonElement> stats) {
        public OptionalLong kvPagesUsed() {
            return integer("kv_pages_used");
        }

        public OptionalLong kvPagesTotal() {
            return integer("kv_pages_total");
        }

        public OptionalLong totalBatches() {
            return integer("total_batches");
        }

        public OptionalLong totalTokensProcessed() {
            return integer("total_tokens_processed");
        }

        public OptionalDouble lastBatchLatencyMicros() {
            return number("last_batch_latency_us");
        }

        public OptionalDouble avgBatchLatencyMicros() {
            return number("avg_batch_latency_us");
        }

        /** A numeric statistic by name, if the engine reported it as a single number. */
        public OptionalDouble number(String stat) {
            JsonElement e = stats.get(stat);
            return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()
                    ? OptionalDouble.of(e.getAsDouble()) : OptionalDouble.empty();
        }

        private OptionalLong integer(String stat) {
            OptionalDouble d = number(stat);
            return d.isPresent() ? OptionalLong.of((long) d.getAsDouble()) : OptionalLong.empty();
        }
    }
}
