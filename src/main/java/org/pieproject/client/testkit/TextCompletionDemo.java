package org.pieproject.client.testkit;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.TypeAdapter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * A stand-in for Pie's {@code text-completion} inferlet with the same contract, so that code written for it
 * (such as the LangChain4j models) can be tested on {@link PieTestServer}:
 *
 * <ul>
 *   <li>Input: one JSON object with {@code prompt} (a string, required), {@code max_tokens} (a non-negative
 *       integer, default 256), {@code system} (a string, default {@value #DEFAULT_SYSTEM}),
 *       {@code temperature} (a number, default 0.6) and {@code top_p} (a number, default 0.95). Other
 *       fields are ignored; {@code null} is not accepted in place of a value.</li>
 *   <li>Output: each piece of text as one {@code stdout} write, in order, at most {@code max_tokens} of
 *       them (one piece stands for one token); the return value is the whole text, as plain text (not
 *       JSON).</li>
 *   <li>Malformed input ends the process with an error that starts with {@code "Failed to parse JSON
 *       input: "}, as the real one's does (its detail differs: the real one names line and column).</li>
 * </ul>
 *
 * <p>What it answers is a function of the parsed input (by default it repeats the prompt), cut into pieces at
 * word boundaries: {@code "Hello there"} streams as {@code "Hello"}, {@code " there"}. Every input it
 * parsed is kept, in order, for tests to assert on ({@link #inputs()}).
 *
 * <pre>{@code
 * TextCompletionDemo demo = new TextCompletionDemo(in -> "You said: " + in.prompt());
 * PieTestServer server = PieTestServer.builder().inferlet("text-completion@0.1.0", demo).start();
 * }</pre>
 */
public final class TextCompletionDemo implements Inferlet {
    /** The system message used when the input has none, the same as the real inferlet's. */
    public static final String DEFAULT_SYSTEM = "You are a helpful, respectful and honest assistant.";
    /** The real inferlet's default for {@code max_tokens}. */
    public static final int DEFAULT_MAX_TOKENS = 256;
    /** The real inferlet's default for {@code temperature}. */
    public static final double DEFAULT_TEMPERATURE = 0.6;
    /** The real inferlet's default for {@code top_p}. */
    public static final double DEFAULT_TOP_P = 0.95;

    private static final String PARSE_ERROR = "Failed to parse JSON input: ";
    // Read with a strict reader: Gson's JsonParser would turn leniency on, and accept what serde refuses.
    private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);

    private final Function<? super Input, String> answer;
    private final ConcurrentLinkedQueue<Input> inputs = new ConcurrentLinkedQueue<>();

    /** A demo that answers with the prompt itself. */
    public TextCompletionDemo() {
        this(Input::prompt);
    }

    /**
     * A demo that answers what {@code answer} says for each input.
     *
     * @param answer the whole text to stream for an input (before {@code max_tokens} cuts it)
     */
    public TextCompletionDemo(Function<? super Input, String> answer) {
        this.answer = Objects.requireNonNull(answer, "answer");
    }

    /**
     * The inputs this demo has parsed, in the order its processes parsed them.
     *
     * @return a snapshot of the parsed inputs
     */
    public List<Input> inputs() {
        return List.copyOf(inputs);
    }

    @Override
    public String run(InferletContext ctx) {
        Input input = Input.parse(ctx.input());
        inputs.add(input);
        StringBuilder text = new StringBuilder();
        List<String> pieces = pieces(answer.apply(input));
        for (int i = 0; i < pieces.size() && i < input.maxTokens(); i++) {
            ctx.stdout(pieces.get(i));
            text.append(pieces.get(i));
        }
        return text.toString();
    }

    /**
     * Cuts text into the pieces the demo streams: each piece is a run of whitespace followed by a run of
     * anything else, so the pieces joined give the text back.
     *
     * @param text the text
     * @return its pieces, in order
     */
    public static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) i++;
            pieces.add(text.substring(start, i));
            start = i;
        }
        return pieces;
    }

    /**
     * The input of {@code text-completion}, with the defaults applied.
     *
     * @param prompt      the user's message
     * @param maxTokens   the most pieces to stream
     * @param system      the system message
     * @param temperature the sampling temperature
     * @param topP        the nucleus sampling threshold
     */
    public record Input(String prompt, int maxTokens, String system, double temperature, double topP) {

        /**
         * Reads an input as the real inferlet does.
         *
         * @param json the input as the client sent it
         * @return the input, with defaults for the fields it lacks
         * @throws IllegalArgumentException with a message starting {@code "Failed to parse JSON input: "}
         */
        public static Input parse(String json) {
            JsonObject o = object(json);
            if (!o.has("prompt")) throw new IllegalArgumentException(PARSE_ERROR + "missing field `prompt`");
            return new Input(string(o, "prompt"),
                    o.has("max_tokens") ? count(o, "max_tokens") : DEFAULT_MAX_TOKENS,
                    o.has("system") ? string(o, "system") : DEFAULT_SYSTEM,
                    o.has("temperature") ? number(o, "temperature") : DEFAULT_TEMPERATURE,
                    o.has("top_p") ? number(o, "top_p") : DEFAULT_TOP_P);
        }

        private static JsonObject object(String json) {
            JsonElement root;
            try (JsonReader reader = new JsonReader(new StringReader(json))) {
                reader.setStrictness(Strictness.STRICT);
                root = JSON.read(reader);
                if (reader.peek() != JsonToken.END_DOCUMENT) throw new IllegalArgumentException(PARSE_ERROR + "trailing characters");
            } catch (IOException | JsonParseException e) {
                throw new IllegalArgumentException(PARSE_ERROR + (json.isBlank() ? "EOF while parsing a value" : "not valid JSON"), e);
            }
            if (!root.isJsonObject()) throw new IllegalArgumentException(PARSE_ERROR + "invalid type: " + describe(root) + ", expected struct Input");
            return root.getAsJsonObject();
        }

        private static String string(JsonObject o, String field) {
            JsonElement e = o.get(field);
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) return e.getAsString();
            throw invalid(field, e, "a string");
        }

        private static int count(JsonObject o, String field) {
            JsonElement e = o.get(field);
            // usize: only a literal of digits alone (serde refuses 5.0, 5e1 and -1 for an integer).
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsString().chars().allMatch(Character::isDigit)) {
                BigInteger n = new BigInteger(e.getAsString());
                return n.min(BigInteger.valueOf(Integer.MAX_VALUE)).intValue();
            }
            throw invalid(field, e, "usize");
        }

        private static double number(JsonObject o, String field) {
            JsonElement e = o.get(field);
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) return e.getAsDouble();
            throw invalid(field, e, "f32");
        }

        private static IllegalArgumentException invalid(String field, JsonElement e, String expected) {
            return new IllegalArgumentException(PARSE_ERROR + "invalid type for `" + field + "`: " + describe(e) + ", expected " + expected);
        }

        private static String describe(JsonElement e) {
            if (e.isJsonNull()) return "null";
            if (e.isJsonArray()) return "sequence";
            if (e.isJsonObject()) return "map";
            JsonPrimitive p = e.getAsJsonPrimitive();
            if (p.isString()) return "string";
            if (p.isBoolean()) return "boolean `" + p.getAsBoolean() + "`";
            return "number `" + p.getAsString() + "`";
        }
    }
}
