package org.pieproject.client.cli;

import java.util.List;
import java.util.Locale;

/** Finds the one running process an id prefix names, as {@code attach} and {@code abort} take it. */
final class ProcessIds {
    private ProcessIds() {
    }

    /**
     * The single id among {@code running} that starts with {@code prefix} (ignoring case; the engine's ids
     * are lowercase).
     *
     * @throws CliException when no id or more than one id matches; the message lists the candidates
     */
    static String resolve(String prefix, List<String> running) {
        String p = prefix.strip().toLowerCase(Locale.ROOT);
        if (p.isEmpty()) throw new CliException("The instance ID prefix is empty. Use `pie-client list` to see running instances.");
        List<String> matches = running.stream().filter(id -> id.toLowerCase(Locale.ROOT).startsWith(p)).toList();
        if (matches.isEmpty()) {
            throw new CliException("No instance found with ID prefix '" + prefix
                    + "'. Use `pie-client list` to see running instances.");
        }
        if (matches.size() > 1) {
            StringBuilder sb = new StringBuilder("The prefix '").append(prefix)
                    .append("' is ambiguous. Multiple instances match:\n");
            for (String id : matches) sb.append("  ").append(id).append('\n');
            sb.append("Please provide a more specific prefix to uniquely identify the instance.");
            throw new CliException(sb.toString());
        }
        return matches.get(0);
    }
}
