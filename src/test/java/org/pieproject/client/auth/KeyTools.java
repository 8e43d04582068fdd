package org.pieproject.client.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real key tools (ssh-keygen, openssl) for tests that generate their keys at test time, and
 * checks texts for leaked secrets.
 */
public final class KeyTools {
    private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/=]{16,}");

    private KeyTools() {
    }

    /** The outcome of one tool run. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Makes sure a tool is on the PATH: without it the test fails on CI (CI=true) and is skipped, with the
     * reason shown, everywhere else.
     */
    public static void requireTool(String tool) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return;
            }
        }
        String message = tool + " is not installed: the key tests generate their keys with it";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI must have it: install openssh-client and openssl)");
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    /** Runs a command in dir; fails the test, showing its stderr, if it exits non-zero. */
    public static String run(Path dir, String... command) {
        Result result = runAllowingFailure(dir, command);
        if (result.exitCode() != 0) {
            fail(String.join(" ", command) + " exited " + result.exitCode() + ": " + result.stderr());
        }
        return result.stdout();
    }

    /** Starts a slow command (RSA-4096 generation) on its own thread so other work can run meanwhile. */
    public static CompletableFuture<String> runAsync(Path dir, String... command) {
        return CompletableFuture.supplyAsync(() -> run(dir, command), task -> Thread.ofVirtual().start(task));
    }

    public static Result runAllowingFailure(Path dir, String... command) {
        try {
            // Output goes to files, not pipes: nothing has to drain them while the tool runs.
            Path stdout = Files.createTempFile(dir, "tool", ".out");
            Path stderr = Files.createTempFile(dir, "tool", ".err");
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(String.join(" ", command) + " did not finish within 60 s");
                }
            } finally {
                if (process.isAlive()) process.destroyForcibly(); // the test was interrupted at its deadline
            }
            Result result = new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
            Files.delete(stdout);
            Files.delete(stderr);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
    }

    /**
     * Verifies a signature with openssl against a PEM public key: the independent check that our
     * signatures are the standard ones the engine expects.
     */
    public static boolean opensslVerifies(Path dir, Path publicPem, KeyScheme scheme, byte[] data, byte[] signature) {
        try {
            Path dataFile = Files.createTempFile(dir, "data", ".bin");
            Path signatureFile = Files.createTempFile(dir, "sig", ".bin");
            Files.write(dataFile, data);
            Files.write(signatureFile, signature);
            String[] command = switch (scheme) {
                case ED25519 -> new String[] {"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", publicPem.toString(),
                        "-rawin", "-in", dataFile.toString(), "-sigfile", signatureFile.toString()};
                case RSA, ECDSA_P256 -> new String[] {"openssl", "dgst", "-sha256", "-verify", publicPem.toString(),
                        "-signature", signatureFile.toString(), dataFile.toString()};
                case ECDSA_P384 -> new String[] {"openssl", "dgst", "-sha384", "-verify", publicPem.toString(),
                        "-signature", signatureFile.toString(), dataFile.toString()};
            };
            return runAllowingFailure(dir, command).exitCode() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every message and description in an exception's cause chain: what a log of it could show. */
    public static String everything(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = error; t != null; t = t.getCause()) {
            parts.add(t.toString());
            Arrays.stream(t.getSuppressed()).map(Throwable::toString).forEach(parts::add);
        }
        return String.join("\n", parts);
    }

    /** Asserts the text shows neither the passphrase nor any base64 line of the key file. */
    public static void assertNoSecrets(String text, Path keyFile, String passphrase) {
        if (passphrase != null && !passphrase.isEmpty()) {
            assertFalse(text.contains(passphrase), () -> "passphrase leaked into: " + text);
        }
        if (keyFile != null && Files.isRegularFile(keyFile)) {
            try {
                for (String line : Files.readAllLines(keyFile, StandardCharsets.ISO_8859_1)) {
                    for (String token : line.split("\\s+")) {
                        if (BASE64_LINE.matcher(token).matches()) {
                            assertFalse(text.contains(token), () -> "key data of " + keyFile + " leaked into: " + text);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
