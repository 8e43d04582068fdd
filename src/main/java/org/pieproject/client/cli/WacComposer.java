package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Links WebAssembly library components into a program with the external {@code wac plug} tool, one library
 * after the other, as {@code submit --link} does in the official client.
 */
final class WacComposer {
    private static final long TIMEOUT_SECONDS = 300;

    private final String wac;

    WacComposer(String wac) {
        this.wac = wac;
    }

    /**
     * Writes the composition of {@code program} with {@code libraries} to a new temporary file and returns
     * it; the caller deletes it.
     *
     * @throws CliException if {@code wac} is missing or fails, or a file is missing
     */
    Path compose(Path program, List<Path> libraries) {
        run(List.of(wac, "--version"), "wac CLI is not installed. Install it with: cargo install wac-cli");
        if (!Files.isRegularFile(program)) throw new CliException("Program file not found: " + program);
        List<Path> temporaries = new ArrayList<>();
        try {
            Path current = program;
            for (Path library : libraries) {
                if (!Files.isRegularFile(library)) throw new CliException("Library file not found: " + library);
                Path next = Files.createTempFile("pie-client-composed-", ".wasm");
                temporaries.add(next);
                run(List.of(wac, "plug", "--plug", library.toString(), current.toString(), "-o", next.toString()),
                        "wac plug failed for " + library);
                current = next;
            }
            if (current == program) {
                Path copy = Files.createTempFile("pie-client-composed-", ".wasm");
                temporaries.add(copy);
                Files.copy(program, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                current = copy;
            }
            temporaries.remove(current);
            return current;
        } catch (IOException e) {
            throw new CliException("Cannot compose " + program + ": " + e.getMessage(), e);
        } finally {
            for (Path t : temporaries) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // A temporary file left behind is harmless.
                }
            }
        }
    }

    private static void run(List<String> command, String failure) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new CliException(failure);
        }
        try {
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CliException(failure + ": timed out");
            }
            if (p.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).strip();
                throw new CliException(failure + (text.isEmpty() ? "" : ":\n" + text));
            }
        } catch (IOException e) {
            throw new CliException(failure + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CliException(failure + ": interrupted", e);
        }
    }
}
