package org.pieproject.client.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Child processes of tests, each wait with a deadline, and a child (with its own children) that outlives
 * its deadline, or whose test is interrupted, destroyed rather than left running.
 */
public final class Children {
    private Children() {
    }

    /** What a finished child printed and how it exited. */
    public record Finished(int exitCode, String stdout, String stderr) {
    }

    /**
     * Starts {@code pb}, reads both of its streams and waits for its end; after {@code within} (or on an
     * interrupt) it and its descendants are killed and an {@link AssertionError} says so.
     */
    public static Finished run(ProcessBuilder pb, Duration within) throws IOException {
        Process p = pb.start();
        try {
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(within.toNanos(), TimeUnit.NANOSECONDS)) {
                destroy(p); // which ends its streams, so what it wrote can be shown
                throw new AssertionError("child " + pb.command().getFirst() + " did not finish within "
                        + within.toMillis() + " ms; it was killed. stdout so far:\n" + soFar(out) + "\nstderr:\n"
                        + soFar(err));
            }
            // The streams end with the child (or with its last descendant holding them: bounded too).
            return new Finished(p.exitValue(), get(out, p), get(err, p));
        } catch (InterruptedException e) {
            destroy(p);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + pb.command().getFirst(), e);
        } finally {
            if (p.isAlive()) destroy(p);
        }
    }

    /**
     * Reads one line of {@code p}'s stdout with a deadline; after it, {@code p} and its descendants are
     * killed (which also ends the read) and an {@link AssertionError} says so. Null at the end of the stream.
     */
    public static String readLine(Process p, BufferedReader out, Duration within) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            return line.get(within.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            destroy(p);
            throw new AssertionError("no line from the child within " + within.toMillis() + " ms; it was killed");
        } catch (InterruptedException e) {
            destroy(p);
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while reading from the child", e);
        } catch (ExecutionException e) {
            throw new AssertionError("reading from the child failed", e.getCause());
        }
    }

    /** A reader of {@code p}'s stdout for {@link #readLine}. */
    public static BufferedReader stdout(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Kills {@code p} and every descendant, and waits (bounded) for {@code p} to be gone. */
    public static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }, Thread::startVirtualThread);
    }

    private static String soFar(CompletableFuture<String> stream) {
        try {
            return stream.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(unavailable: " + e + ")";
        }
    }

    private static String get(CompletableFuture<String> stream, Process p) throws InterruptedException {
        try {
            return stream.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            throw new AssertionError("the child ended but its output did not (a descendant holds it); killed them");
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }
}
