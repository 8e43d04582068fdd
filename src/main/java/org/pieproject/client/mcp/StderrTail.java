package org.pieproject.client.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Drains a child's stderr on its own virtual thread, so the child never blocks on a full pipe, and keeps the
 * last bytes of it for error messages. Lines are logged at DEBUG with the prefix {@code [mcp:<name>] }.
 */
final class StderrTail {

    private static final System.Logger LOG = System.getLogger(StderrTail.class.getName());
    /** Longer stderr lines are cut for the log; the tail keeps the bytes regardless. */
    private static final int MAX_LOGGED_LINE = 4096;

    private final String serverName;
    private final InputStream stderr;
    private final byte[] ring;
    private final ReentrantLock ringLock = new ReentrantLock();
    private final CountDownLatch drained = new CountDownLatch(1);
    private long total;
    private final StringBuilder logLine = new StringBuilder();
    private final byte[] logBytes = new byte[MAX_LOGGED_LINE];
    private int logLength;
    private boolean logCut;

    StderrTail(String serverName, InputStream stderr, int tailBytes) {
        this.serverName = serverName;
        this.stderr = stderr;
        this.ring = new byte[tailBytes];
    }

    void start() {
        Thread.ofVirtual().name("mcp-" + serverName + "-stderr").start(this::drain);
    }

    private void drain() {
        byte[] chunk = new byte[8192];
        try (stderr) {
            int read;
            while ((read = stderr.read(chunk)) >= 0) {
                remember(chunk, read);
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    logLines(chunk, read);
                }
            }
        } catch (IOException e) {
            // The pipe closes when the child is destroyed; whatever was read so far is the tail.
        } finally {
            flushLogLine();
            drained.countDown();
        }
    }

    private void remember(byte[] chunk, int count) {
        ringLock.lock();
        try {
            int capacity = ring.length;
            int from = Math.max(0, count - capacity);
            total += from;
            for (int i = from; i < count; ) {
                int at = (int) (total % capacity);
                int run = Math.min(count - i, capacity - at);
                System.arraycopy(chunk, i, ring, at, run);
                i += run;
                total += run;
            }
        } finally {
            ringLock.unlock();
        }
    }

    private void logLines(byte[] chunk, int count) {
        for (int i = 0; i < count; i++) {
            byte b = chunk[i];
            if (b == '\n') {
                flushLogLine();
            } else if (logLength < logBytes.length) {
                logBytes[logLength++] = b;
            } else {
                logCut = true;
            }
        }
    }

    private void flushLogLine() {
        if (logLength == 0 && !logCut) {
            return;
        }
        int length = logLength;
        if (length > 0 && logBytes[length - 1] == '\r') {
            length--;
        }
        logLine.setLength(0);
        logLine.append("[mcp:").append(serverName).append("] ")
                .append(new String(logBytes, 0, length, StandardCharsets.UTF_8));
        if (logCut) {
            logLine.append(" …");
        }
        LOG.log(System.Logger.Level.DEBUG, logLine.toString());
        logLength = 0;
        logCut = false;
    }

    /** Waits until the child's stderr has closed and been read to the end. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        return drained.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The last bytes written to stderr, as text; starts with "…" when earlier output was dropped. */
    String text() {
        byte[] copy;
        boolean cut;
        ringLock.lock();
        try {
            int capacity = ring.length;
            int kept = (int) Math.min(total, capacity);
            copy = new byte[kept];
            int start = (int) ((total - kept) % capacity);
            int firstRun = Math.min(kept, capacity - start);
            System.arraycopy(ring, start, copy, 0, firstRun);
            System.arraycopy(ring, 0, copy, firstRun, kept - firstRun);
            cut = total > capacity;
        } finally {
            ringLock.unlock();
        }
        int from = 0;
        if (cut) {
            // Skip the continuation bytes of a character whose start fell off the ring.
            while (from < copy.length && (copy[from] & 0xC0) == 0x80) {
                from++;
            }
        }
        String text = new String(copy, from, copy.length - from, StandardCharsets.UTF_8);
        return cut ? "…" + text : text;
    }
}
