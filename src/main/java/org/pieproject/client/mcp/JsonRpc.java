package org.pieproject.client.mcp;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/** The JSON-RPC 2.0 texts of the MCP stdio bridge: strict parsing, requests, and turning replies into {@link McpReply}. */
final class JsonRpc {

    /** Default code and message when an error reply leaves them out, as the official clients use. */
    static final String DEFAULT_ERROR_MESSAGE = "MCP error";

    // serializeNulls: a null member of a server's result is data and must survive the round trip.
    // disableHtmlEscaping: '<' and '&' are passed on as they came, not as \u003c escapes.
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private JsonRpc() {}

    /**
     * Parses one complete JSON text. Unlike Gson's default (lenient) parsing, bare words, single quotes, NaN
     * and trailing content are rejected, so "valid JSON" means what the official clients' parsers mean.
     */
    static JsonElement parseStrict(String text) throws JsonParseException {
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("trailing content after the JSON value");
            }
            return element;
        } catch (IOException e) {
            throw new JsonParseException(e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new JsonParseException("JSON nested too deeply");
        }
    }

    /** The params of a relayed call: {@code paramsJson} if it is valid JSON, otherwise {@code {}}. */
    static JsonElement paramsOrEmpty(String paramsJson) {
        if (paramsJson == null || paramsJson.isBlank()) {
            return new JsonObject();
        }
        try {
            return parseStrict(paramsJson);
        } catch (JsonParseException e) {
            return new JsonObject();
        }
    }

    static String write(JsonElement element) {
        return GSON.toJson(element);
    }

    static JsonObject request(long id, String method, JsonElement params) {
        JsonObject message = new JsonObject();
        message.addProperty("jsonrpc", "2.0");
        message.addProperty("id", id);
        message.addProperty("method", method);
        message.add("params", params);
        return message;
    }

    static JsonObject notification(String method, JsonElement params) {
        JsonObject message = new JsonObject();
        message.addProperty("jsonrpc", "2.0");
        message.addProperty("method", method);
        message.add("params", params);
        return message;
    }

    static JsonObject resultReply(JsonElement id, JsonElement result) {
        JsonObject message = new JsonObject();
        message.addProperty("jsonrpc", "2.0");
        message.add("id", id);
        message.add("result", result);
        return message;
    }

    static JsonObject errorReply(JsonElement id, int code, String text) {
        JsonObject error = new JsonObject();
        error.addProperty("code", code);
        error.addProperty("message", text);
        JsonObject message = new JsonObject();
        message.addProperty("jsonrpc", "2.0");
        message.add("id", id);
        message.add("error", error);
        return message;
    }

    /** The id of a reply if it is an integral number that fits a long; otherwise null. */
    static Long numericId(JsonElement id) {
        if (id instanceof JsonPrimitive primitive && primitive.isNumber()) {
            try {
                return new BigDecimal(primitive.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Maps a server's JSON-RPC reply to the {@code mcp_response} payload. */
    static McpReply toReply(JsonObject reply) {
        JsonElement error = reply.get("error");
        if (error != null && !error.isJsonNull()) {
            return new McpReply(false, write(errorPayload(error)));
        }
        JsonElement result = reply.get("result");
        return new McpReply(true, result == null ? "null" : write(result));
    }

    /** The server's own code, message and data, with the official clients' defaults for what is missing. */
    static JsonObject errorPayload(JsonElement error) {
        int code = McpReply.LOCAL_FAILURE_CODE;
        String message = DEFAULT_ERROR_MESSAGE;
        JsonElement data = null;
        if (error instanceof JsonObject object) {
            Integer serverCode = intValue(object.get("code"));
            if (serverCode != null) {
                code = serverCode;
            }
            if (object.get("message") instanceof JsonPrimitive text && text.isString()) {
                message = text.getAsString();
            }
            data = object.get("data");
        } else if (error instanceof JsonPrimitive text && text.isString()) {
            message = text.getAsString();
        }
        JsonObject payload = new JsonObject();
        payload.addProperty("code", code);
        payload.addProperty("message", message);
        if (data != null && !data.isJsonNull()) {
            payload.add("data", data);
        }
        return payload;
    }

    private static Integer intValue(JsonElement element) {
        if (element instanceof JsonPrimitive primitive && primitive.isNumber()) {
            try {
                return new BigDecimal(primitive.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
