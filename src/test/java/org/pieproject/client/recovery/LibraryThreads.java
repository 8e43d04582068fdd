package org.pieproject.client.recovery;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * The library's live threads, virtual ones included (which {@code Thread.getAllStackTraces()} leaves out):
 * every thread it starts is named {@code pie-...}; the test engine's are {@code pie-test-...}. Left out too:
 * {@code pie-blake3-...}, the JVM-wide pool that hashes large uploads (started by an earlier test's upload,
 * not by a connection; its idle workers end after a minute, as a {@code ForkJoinPool}'s do).
 */
final class LibraryThreads {
    private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");

    private LibraryThreads() {
    }

    static List<String> live() {
        try {
            Path dir = Files.createTempDirectory("pie-threads");
            Path file = dir.resolve("dump.json");
            try {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                List<String> names = new ArrayList<>();
                Matcher m = NAME.matcher(Files.readString(file));
                while (m.find()) {
                    String name = m.group(1);
                    if (name.startsWith("pie-") && !name.startsWith("pie-test-") && !name.startsWith("pie-blake3-")) {
                        names.add(name);
                    }
                }
                return names;
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until no library thread is left (some end a moment after close() returns: the shared HTTP
     * client lingers 300 ms); returns those still alive after {@code timeout}.
     */
    static List<String> awaitNone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = live();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // polling the JVM's thread list: there is nothing to wait on
            left = live();
        }
        return left;
    }
}
