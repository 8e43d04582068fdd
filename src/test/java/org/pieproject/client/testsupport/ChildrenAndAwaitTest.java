package org.pieproject.client.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The test helpers keep their word: a late child is killed, a wait ends at its deadline. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChildrenAndAwaitTest {

    @Test
    void aChildThatOutlivesItsDeadlineIsKilledWithItsChildren() throws Exception {
        // A shell that starts a grandchild and waits for it; both would run for a minute.
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 59.123 & echo started; wait");
        long t0 = System.nanoTime();
        CompletableFuture<Void> ran = CompletableFuture.runAsync(() -> {
            try {
                Children.run(pb, Duration.ofMillis(500));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> ran.get(15, TimeUnit.SECONDS)).cause().isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not finish within").hasMessageContaining("started");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        // Looked for among all processes: an orphaned grandchild would no longer be a descendant.
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 59.123")))
                .as("the grandchild").isEmpty();
    }

    @Test
    void aLineThatNeverComesEndsTheReadAndTheChild() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        try (BufferedReader out = Children.stdout(p)) {
            assertThatThrownBy(() -> Children.readLine(p, out, Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("no line from the child");
        }
        assertThat(p.isAlive()).isFalse();
    }

    @Test
    void awaitFailsAtItsDeadlineAndParkedWaitsForTheRealPark() throws Exception {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Await.until("never", Duration.ofMillis(200), () -> false))
                .isInstanceOf(AssertionError.class).hasMessage("never: not within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));

        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> blocked = Await.blockedIn(() -> {
            release.await();
            return "released";
        });
        assertThat(blocked).isNotDone();
        release.countDown();
        assertThat(blocked.get(5, TimeUnit.SECONDS)).isEqualTo("released");

        Thread ended = Thread.ofVirtual().start(() -> { });
        ended.join();
        assertThatThrownBy(() -> Await.parked(ended)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("ended instead of blocking");
    }
}
