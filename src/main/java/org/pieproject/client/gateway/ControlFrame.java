package org.pieproject.client.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A text frame from a Pie 0.5 gateway. Between the MessagePack answers of its turns the gateway sends JSON
 * text: {@code {"type":"turn_done"}} when one turn's stream has ended cleanly and
 * {@code {"type":"error","message":...}} when a frame did not parse, a turn could not be started, or a
 * stream was aborted mid-flight (gateway/src/ingress/ws.rs on Pie's dev branch). Neither names the turn.
 */
public sealed interface ControlFrame {

    /** One turn's stream ended cleanly. */
    record TurnDone() implements ControlFrame {}

    /**
     * Something failed on the gateway.
     *
     * @param message the gateway's text, e.g. {@code "stream aborted"}
     */
    record Error(String message) implements ControlFrame {}

    /**
     * A text frame this client does not know; logged and dropped.
     *
     * @param text the frame, cut to 200 characters
     */
    record Unknown(String text) implements ControlFrame {}

    /** The gateway's text when a live turn's stream closed without its clean end. */
    String STREAM_ABORTED = "stream aborted";

    /**
     * Reads one text frame; never throws.
     *
     * @param text the whole text message
     * @return what it says
     */
    static ControlFrame parse(String text) {
        try {
            JsonElement root = JsonParser.parseString(text);
            if (root.isJsonObject()) {
                JsonObject o = root.getAsJsonObject();
                JsonElement type = o.get("type");
                if (type != null && type.isJsonPrimitive()) {
                    switch (type.getAsString()) {
                        case "turn_done" -> {
                            return new TurnDone();
                        }
                        case "error" -> {
                            JsonElement m = o.get("message");
                            return new Error(m != null && m.isJsonPrimitive() ? m.getAsString() : "");
                        }
                        default -> {
                        }
                    }
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            // not JSON: fall through
        }
        return new Unknown(text.length() > 200 ? text.substring(0, 200) : text);
    }
}
