package org.pieproject.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * One live process as {@code list_processes} describes it.
 *
 * @param id       the process id (lowercase UUID)
 * @param username the user who owns it
 * @param program  the inferlet, {@code name@major.minor.patch}
 * @param input    its input, as it was launched
 * @param elapsed  how long it has been running (whole seconds)
 */
public record ProcessInfo(String id, String username, String program, String input, Duration elapsed) {

    /** Reads the engine's {@code list_processes} answer: a JSON array of process objects. */
    static List<ProcessInfo> parseList(String json) {
        List<ProcessInfo> out = new ArrayList<>();
        try {
            for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                out.add(new ProcessInfo(o.get("id").getAsString(), o.get("username").getAsString(),
                        o.get("program").getAsString(), o.get("input").getAsString(),
                        Duration.ofSeconds(o.get("elapsed_secs").getAsLong())));
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            throw new PieException("list_processes: the engine's answer is not a list of process records: " + e.getMessage());
        }
        return out;
    }
}
