package org.pieproject.client.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-line "Uploading ..." indicator for a person at a terminal, rewritten in place every quarter second
 * with the time spent, and erased when the upload ends. Off a terminal it prints nothing, so logs and pipes
 * stay clean. The library uploads in one call and reports no per-chunk progress, so the line shows the size
 * and the elapsed time rather than a percentage.
 */
final class UploadProgress implements AutoCloseable {
    private static final char[] SPINNER = {'|', '/', '-', '\\'};

    private final PrintWriter out;
    private final String label;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread ticker;
    private final long startNanos = System.nanoTime();

    private UploadProgress(PrintWriter out, String label, boolean terminal) {
        this.out = out;
        this.label = label;
        this.ticker = terminal ? Thread.ofVirtual().name("pie-client-upload-progress").start(this::tick) : null;
    }

    /** Starts the indicator for uploading {@code bytes} bytes of {@code program}; silent when not a terminal. */
    static UploadProgress start(PrintWriter out, String program, long bytes, boolean terminal) {
        return new UploadProgress(out, "Uploading " + program + " (" + size(bytes) + ")", terminal);
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private void tick() {
        int i = 0;
        try {
            do {
                Duration spent = Duration.ofNanos(System.nanoTime() - startNanos);
                out.print("\r" + label + " " + SPINNER[i++ % SPINNER.length] + " " + spent.toSeconds() + "s");
                out.flush();
            } while (!done.await(250, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.print("\r" + " ".repeat(label.length() + 16) + "\r");
        out.flush();
    }

    /** Stops and erases the indicator; returns once the line is gone. */
    @Override
    public void close() {
        done.countDown();
        if (ticker == null) return;
        try {
            ticker.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
