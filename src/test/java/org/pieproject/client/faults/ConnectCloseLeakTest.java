package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.pieproject.client.PieClient;

/**
 * 1,000 connect / authenticate / ping / close cycles leave behind no thread, no socket and no heap. Threads
 * and sockets end asynchronously after close() returns, so the counts are awaited (bounded), not sampled.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectCloseLeakTest {
    private static final int CYCLES = 1_000;

    @Test
    @EnabledOnOs(OS.LINUX) // counts sockets through /proc/self/fd
    void connectCloseCyclesLeaveNoThreadsSocketsOrHeap() throws Exception {
        try (RawFaultServer server = RawFaultServer.start()) {
            // Warm-up: class loading, JIT, the JDK's lazily started threads, and the server's bounded list of
            // recent connections filling up to its cap (64).
            cycles(server, 100);
            // The server's connection threads are virtual, so every platform thread counted here is the
            // client's (or the JVM's).
            int threadsBefore = awaitAtMost(ConnectCloseLeakTest::platformThreads, Integer.MAX_VALUE);
            int socketsBefore = awaitAtMost(ConnectCloseLeakTest::openSockets, Integer.MAX_VALUE);
            long heapBefore = Heap.usedAfterGc();

            long t0 = System.nanoTime();
            cycles(server, CYCLES);
            double seconds = (System.nanoTime() - t0) / 1e9;

            int threadsAfter = awaitAtMost(ConnectCloseLeakTest::platformThreads, threadsBefore);
            int socketsAfter = awaitAtMost(ConnectCloseLeakTest::openSockets, socketsBefore);
            long growth = Heap.usedAfterGc() - heapBefore;
            System.out.printf("%,d connect/close cycles in %.1f s; threads %d -> %d; sockets %d -> %d; heap growth %.2f MB%n",
                    CYCLES, seconds, threadsBefore, threadsAfter, socketsBefore, socketsAfter, growth / 1e6);
            assertThat(threadsAfter).as("live platform threads: %s", threadNames()).isLessThanOrEqualTo(threadsBefore);
            assertThat(socketsAfter).as("open sockets").isLessThanOrEqualTo(socketsBefore);
            assertThat(server.openConnections()).as("connections the server still has open").isZero();
            // A leaked client would keep its HttpClient, executor, buffers and tables: far more than 8 KB, so
            // 1,000 leaked clients would exceed this bound many times over. Readings after warm-up vary by
            // about 2 MB (JIT, class data), hence not less.
            assertThat(growth).as("heap growth after %,d cycles", CYCLES).isLessThan(8L << 20);
        }
    }

    private static void cycles(RawFaultServer server, int n) {
        for (int i = 0; i < n; i++) {
            try (PieClient c = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(5)).build()) {
                c.authenticate("alice");
                c.ping();
            }
        }
    }

    /** Polls {@code count} until it is at most {@code limit} or 10 s have passed; returns the last value. */
    private static int awaitAtMost(IntSupplier count, int limit) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n = count.getAsInt();
        while (n > limit && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // polling an external count: there is nothing to wait on
            n = count.getAsInt();
        }
        return n;
    }

    private static int platformThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).count();
    }

    private static Set<String> threadNames() {
        return new java.util.TreeSet<>(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList());
    }

    private static int openSockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
