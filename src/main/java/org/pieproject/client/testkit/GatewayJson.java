package org.pieproject.client.testkit;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * A client message written as JSON (the gateway takes a turn as a JSON text frame, and the HTTP body is
 * one) read into the same generic map a MessagePack frame gives, so that one binder checks both: integers
 * become {@code Long}, other numbers {@code Double}, arrays {@code List}, objects {@code Map}.
 */
final class GatewayJson {
    /** The body was not JSON at all (axum's Json extractor answers 400). */
    static final class Syntax extends Exception {
        private static final long serialVersionUID = 1L;

        Syntax(String message) {
            super(message, null, false, false);
        }
    }

    private GatewayJson() {
    }

    /** For a text frame: a syntax error is one more undecodable frame. */
    static Map<String, Object> toMap(String text) throws ClientMessageDecoder.Undecodable {
        try {
            return parse(text);
        } catch (Syntax e) {
            throw new ClientMessageDecoder.Undecodable(e.getMessage());
        }
    }

    /** The top-level object; {@link Syntax} when the text is not one JSON object. */
    static Map<String, Object> parse(String text) throws Syntax, ClientMessageDecoder.Undecodable {
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            root = TestEngine.GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new Syntax("trailing characters");
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new Syntax(String.valueOf(e.getMessage()));
        }
        if (root == null || !root.isJsonObject()) {
            throw new ClientMessageDecoder.Undecodable("invalid type: expected internally tagged enum ClientMessage");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) value(root);
        return map;
    }

    private static Object value(JsonElement e) {
        if (e.isJsonNull()) return null;
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            e.getAsJsonObject().entrySet().forEach(en -> m.put(en.getKey(), value(en.getValue())));
            return Collections.unmodifiableMap(m);
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) l.add(value(x));
            return Collections.unmodifiableList(l);
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) return p.getAsBoolean();
        if (p.isString()) return p.getAsString();
        try {
            return p.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException notIntegral) {
            return p.getAsDouble();
        }
    }
}
