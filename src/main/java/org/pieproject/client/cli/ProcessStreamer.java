package org.pieproject.client.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

/**
 * Streams one process's events to the terminal until it ends: its stdout and stderr with an
 * {@code [Instance <id>]} prefix on every line (as the official client writes them), its messages, and its
 * files, saved under the output directory. Ctrl-C detaches: the process keeps running on the engine and the
 * user is told how to reattach.
 */
final class ProcessStreamer {
    /** The shell's exit code for a command ended by SIGINT. */
    static final int DETACHED = 130;

    private final CliEnvironment env;
    private final PieClient client;
    private final PieProcess process;
    private final Path outputDir;
    private final String shortId;
    private final AtomicBoolean detached = new AtomicBoolean();
    private boolean stdoutAtLineStart = true;
    private boolean stderrAtLineStart = true;

    ProcessStreamer(CliEnvironment env, PieClient client, PieProcess process, Path outputDir) {
        this.env = env;
        this.client = client;
        this.process = process;
        this.outputDir = outputDir;
        this.shortId = process.id().substring(0, Math.min(8, process.id().length()));
    }

    /**
     * Prints events until the terminal one.
     *
     * @return 0 when the process returned, 1 when it failed or the connection was lost, {@link #DETACHED}
     *         after Ctrl-C
     */
    int run() {
        Interrupts.Registration ctrlC = env.interrupts().onInterrupt(this::detach);
        try {
            while (true) {
                ProcessEvent event;
                try {
                    event = process.recv();
                } catch (PieException e) {
                    if (detached.get()) return DETACHED;
                    endLines();
                    env.err().println("Error: lost the process's stream: " + e.getMessage());
                    env.err().flush();
                    return 1;
                }
                if (detached.get()) return DETACHED;
                Integer exit = print(event);
                if (exit != null) return exit;
            }
        } finally {
            ctrlC.close();
        }
    }

    /** What Ctrl-C does: stop reading, say how to come back, and leave the process running. */
    private void detach() {
        if (!detached.compareAndSet(false, true)) return;
        endLines();
        env.out().println("[Instance " + shortId + "] Detached; the process keeps running on the engine.");
        env.out().println("Reattach with: pie-client attach " + shortId);
        env.out().flush();
        // Closing the connection is what detaches: the protocol has no detach request.
        client.close();
    }

    private Integer print(ProcessEvent event) {
        switch (event) {
            case ProcessEvent.Stdout(String text) -> stdoutAtLineStart = writePrefixed(env.out(), text, stdoutAtLineStart);
            case ProcessEvent.Stderr(String text) -> stderrAtLineStart = writePrefixed(env.err(), text, stderrAtLineStart);
            case ProcessEvent.Message(String text) -> line(env.out(), "Message: " + text);
            case ProcessEvent.File file -> line(env.out(), "File: " + save(file));
            case ProcessEvent.Return(String value) -> {
                line(env.out(), "Completed: " + value);
                return 0;
            }
            case ProcessEvent.Error(String message) -> {
                line(env.err(), "Error: " + message);
                return 1;
            }
        }
        return null;
    }

    private void line(PrintWriter w, String text) {
        endLines();
        w.println("[Instance " + shortId + "] " + text);
        w.flush();
    }

    /** Ends a half-written stdout or stderr line, so that status lines start on their own line. */
    private void endLines() {
        if (!stdoutAtLineStart) {
            env.out().println();
            env.out().flush();
            stdoutAtLineStart = true;
        }
        if (!stderrAtLineStart) {
            env.err().println();
            env.err().flush();
            stderrAtLineStart = true;
        }
    }

    /** Writes text, prefixing every non-empty line that starts here; returns whether it ended a line. */
    private boolean writePrefixed(PrintWriter w, String text, boolean atLineStart) {
        int start = 0;
        while (start <= text.length()) {
            int nl = text.indexOf('\n', start);
            String part = text.substring(start, nl < 0 ? text.length() : nl);
            if (!part.isEmpty()) {
                if (atLineStart) w.print("[Instance " + shortId + "] ");
                w.print(part);
                atLineStart = false;
            }
            if (nl < 0) break;
            w.print('\n');
            atLineStart = true;
            start = nl + 1;
        }
        w.flush();
        return atLineStart;
    }

    /** Saves a file under the output directory, never over an existing file; returns what was written. */
    private String save(ProcessEvent.File file) {
        String name = file.safeFileName();
        try {
            Files.createDirectories(outputDir);
            int dot = name.lastIndexOf('.');
            String stem = dot > 0 ? name.substring(0, dot) : name;
            String ext = dot > 0 ? name.substring(dot) : "";
            for (int n = 0; ; n++) {
                Path target = outputDir.resolve(n == 0 ? name : stem + "-" + n + ext);
                try {
                    Files.write(target, file.data(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    return "saved " + target + " (" + file.data().length + " bytes)";
                } catch (FileAlreadyExistsException taken) {
                    if (n >= 10_000) throw taken;
                }
            }
        } catch (IOException e) {
            return "could not save " + name + " (" + file.data().length + " bytes) in " + outputDir + ": " + e.getMessage();
        }
    }
}
