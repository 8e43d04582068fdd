package org.pieproject.client;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * The engine's {@code model_status} report, by model. The engine sends one flat JSON object whose keys are
 * {@code "<model>.<stat>"}; this view groups them by model and names the figures every engine version
 * reports. Everything else stays available as JSON in {@link Model#stats()}.
 *
 * @param models each loaded model's figures, by model name (empty when no model is loaded)
 */
public record ModelStatus(Map<String, Model> models) {

    /** Reads the engine's flat {@code {"<model>.<stat>": value}} object and groups it by model. */
    static ModelStatus parse(String json) {
        Map<String, Map<String, JsonElement>> byModel = new TreeMap<>();
        try {
            for (var e : JsonParser.parseString(json).getAsJsonObject().entrySet()) {
                int dot = e.getKey().indexOf('.');
                String model = dot < 0 ? "" : e.getKey().substring(0, dot);
                byModel.computeIfAbsent(model, k -> new TreeMap<>()).put(e.getKey().substring(dot + 1), e.getValue());
            }
        } catch (JsonParseException | IllegalStateException e) {
            throw new PieException("model_status: the engine's answer is not a JSON object: " + e.getMessage());
        }
        Map<String, Model> models = new TreeMap<>();
        byModel.forEach((name, stats) -> models.put(name, new Model(name, Collections.unmodifiableMap(stats))));
        return new ModelStatus(Collections.unmodifiableMap(models));
    }


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
