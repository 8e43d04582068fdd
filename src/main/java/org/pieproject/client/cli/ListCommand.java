package org.pieproject.client.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.ProcessInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pie-client list}: a table of this user's running processes. */
@Command(name = "list", description = "List all running inferlet instances.")
final class ListCommand extends EngineCommand {
    @Option(names = "--full", description = "Display the full UUID.")
    boolean full;

    @Option(names = "--long", description = "Display the first 8 characters of the UUID.")
    boolean longIds;

    ListCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() {
        List<ProcessInfo> processes;
        try (PieClient client = connect()) {
            processes = describe(client);
        }
        if (processes.isEmpty()) {
            env.out().println("No running instances found.");
            return 0;
        }
        env.out().println("Found " + processes.size() + " running instance" + (processes.size() == 1 ? "" : "s") + ":");
        env.out().println();
        int idWidth = full ? 36 : longIds ? 8 : 4;
        int programWidth = 28;
        int elapsedWidth = 8;
        int inputWidth = full ? 60 : longIds ? 80 : 84;
        String format = "%-" + idWidth + "s  %-" + programWidth + "s  %-" + elapsedWidth + "s  %s%n";
        env.out().printf(format, "ID", "PROGRAM", "ELAPSED", "INPUT");
        env.out().printf(format, "-".repeat(idWidth), "-".repeat(programWidth), "-".repeat(elapsedWidth), "-".repeat(inputWidth));
        for (ProcessInfo p : processes) {
            env.out().printf(format, p.id().substring(0, Math.min(idWidth, p.id().length())),
                    truncate(p.program(), programWidth), p.elapsed() == null ? "-" : elapsed(p.elapsed()),
                    truncate(oneLine(p.input()), inputWidth));
        }
        return 0;
    }

    /**
     * The engine's process records; an engine that answers with bare ids (older ones) still gets a table,
     * with only the ids filled in.
     */
    private static List<ProcessInfo> describe(PieClient client) {
        try {
            return client.listProcessInfo();
        } catch (PieException recordsNotUnderstood) {
            List<ProcessInfo> out = new ArrayList<>();
            for (String id : client.listProcesses()) out.add(new ProcessInfo(id, "", "-", "-", null));
            return out;
        }
    }

    static String elapsed(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return s + "s";
        if (s < 3600) return String.format("%dm%02ds", s / 60, s % 60);
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    static String truncate(String s, int max) {
        if (s == null) return "";
        if (s.length() <= max) return s;
        return max < 3 ? s.substring(0, max) : s.substring(0, max - 3) + "...";
    }
}
