package org.pieproject.client.session;

import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.pieproject.client.PieException;

/** Reads the engine's answer to {@code list_processes} (protocol.md §6.5). */
public final class ProcessLists {
    private ProcessLists() {
    }

    /**
     * The process ids in a {@code list_processes} answer: objects with an {@code id}, or bare strings.
     *
     * @param json the answer's text
     * @return the ids, in the engine's order
     * @throws PieException if it is not a list of processes
     */
    public static List<String> ids(String json) {
        List<String> ids = new ArrayList<>();
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonArray()) throw new JsonParseException("not a JSON array");
            for (JsonElement e : root.getAsJsonArray()) {
                if (e.isJsonObject() && e.getAsJsonObject().has("id")) {
                    ids.add(e.getAsJsonObject().get("id").getAsString());
                } else if (e.isJsonPrimitive()) {
                    ids.add(e.getAsString());
                } else {
                    throw new JsonParseException("unexpected element " + e);
                }
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new PieException("list_processes: the engine's answer is not a list of processes: " + e.getMessage());
        }
        return ids;
    }
}
