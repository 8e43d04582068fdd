package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.faults.Heap;
import org.pieproject.client.faults.RawFaultServer;
import org.pieproject.client.testsupport.Await;

/**
 * A virtual thread interrupted while it waits in any blocking call gets a {@link PieException} at once,
 * keeps its interrupt flag, and leaves no pending request behind; and 100,000 requests that time out leave
 * the pending table empty and the heap flat. In this package to read the client's pending-request count.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptAndTimeoutTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private RawFaultServer server;
    private PieClient client;
    @TempDir
    Path dir;

    @BeforeEach
    void connect() {
        server = RawFaultServer.start();
        client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(30)).build();
        server.nextConnection(WAIT);
        client.authenticate("alice");
    }

    @AfterEach
    void close() {
        client.close();
        server.close();
    }

    private record Outcome(Throwable thrown, boolean interruptFlag) {}

    /** Runs {@code call} on a virtual thread, interrupts it once it is blocked, and reports how it ended. */
    private Outcome interruptWhileBlocked(Consumer<PieClient> call) throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                call.accept(client);
                outcome.complete(new Outcome(null, Thread.currentThread().isInterrupted()));
            } catch (Throwable e) {
                outcome.complete(new Outcome(e, Thread.currentThread().isInterrupted()));
            }
        });
        Await.parked(t); // parked inside the call, not just started
        long t0 = System.nanoTime();
        t.interrupt();
        Outcome o = outcome.get(1, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = {"recv", "recvWithTimeout", "launchProcess", "addProgram", "ping"})
    void anInterruptedCallReturnsPromptlyKeepsTheFlagAndLeavesNothingPending(String call) throws Exception {
        PieProcess p = client.launchProcess("a@0.1.0", "{}");
        Path wasm = Files.write(dir.resolve("p.wasm"), new byte[300_000]); // two chunks
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), "[package]\nname = \"p\"\nversion = \"0.1.0\"\n");
        server.answerOnly(); // nothing is answered any more: every request call blocks
        Outcome o = interruptWhileBlocked(c -> {
            switch (call) {
                case "recv" -> p.recv();
                case "recvWithTimeout" -> p.recv(Duration.ofSeconds(30));
                case "launchProcess" -> c.launchProcess("b@0.1.0", "{}");
                case "addProgram" -> c.addProgram(wasm, manifest, true);
                case "ping" -> c.ping();
                default -> throw new IllegalArgumentException(call);
            }
        });
        assertThat(o.thrown()).isInstanceOf(PieException.class).hasMessageContaining("interrupted");
        assertThat(o.interruptFlag()).as("interrupt flag still set").isTrue();
        assertThat(client.pendingRequests()).isZero();
        assertThat(client.isOpen()).isTrue();
        server.answerOnly("ping");
        client.ping();
    }

    @Test
    void aHundredThousandTimedOutRequestsLeaveNothingBehind() throws Exception {
        server.answerOnly(); // the engine reads every request and answers none
        Duration tiny = Duration.ofMillis(1);
        // runProcesses takes its own deadline, so the send deadline (the request timeout, 30 s) stays
        // generous even though 64 threads share one socket.
        int threads = 64;
        int perThread = 100_000 / threads + 1;
        runTimingOut(threads, 1000 / threads + 1, tiny); // warm-up, so the JIT's work is not counted as growth
        long before = Heap.usedAfterGc();
        long t0 = System.nanoTime();
        int timedOut = runTimingOut(threads, perThread, tiny);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(timedOut).isGreaterThanOrEqualTo(100_000);
        assertThat(client.pendingRequests()).isZero();
        long growth = Heap.usedAfterGc() - before;
        // A leaked entry (map node, boxed id, future, record) is ~100 bytes: 100,000 of them would be ~10 MB.
        assertThat(growth).as("heap growth after %,d timed-out requests", timedOut).isLessThan(3L << 20);
        System.out.printf("%,d timed-out requests in %.1f s, heap growth %.2f MB%n", timedOut, seconds, growth / 1e6);
        server.answerOnly("ping");
        client.ping();
    }

    private int runTimingOut(int threads, int perThread, Duration timeout) throws Exception {
        AtomicInteger timedOut = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try {
                            client.runProcesses("slow@0.1.0", List.of("{}"), null, timeout);
                        } catch (PieTimeoutException e) {
                            timedOut.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get(50, TimeUnit.SECONDS);
        }
        return timedOut.get();
    }
}
