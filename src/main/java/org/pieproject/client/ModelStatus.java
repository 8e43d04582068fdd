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
        /**
         * KV-cache pages in use: with {@link #kvPagesTotal()}, how full the model is.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalLong kvPagesUsed() {
            return integer("kv_pages_used");
        }

        /**
         * KV-cache pages the model has in all.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalLong kvPagesTotal() {
            return integer("kv_pages_total");
        }

        /**
         * Forward batches run since the engine started.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalLong totalBatches() {
            return integer("total_batches");
        }

        /**
         * Tokens processed since the engine started.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalLong totalTokensProcessed() {
            return integer("total_tokens_processed");
        }

        /**
         * How long the latest batch took, in microseconds.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalDouble lastBatchLatencyMicros() {
            return number("last_batch_latency_us");
        }

        /**
         * The mean batch latency, in microseconds.
         *
         * @return the figure, or empty if the engine did not report it
         */
        public OptionalDouble avgBatchLatencyMicros() {
            return number("avg_batch_latency_us");
        }

        /**
         * A statistic this class does not name, for figures that newer engines add.
         *
         * @param stat the statistic's name without the model prefix, e.g. {@code "kv_pages_used"}
         * @return its value, or empty if the engine did not report it as a single number
         */
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
