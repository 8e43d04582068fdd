package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testsupport.Await;

/**
 * The lock-free handoff between the listener and readers: no event lost, duplicated or reordered, and
 * every parked reader released by the next event, the end of the stream, a close or an interrupt.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProcessQueueTest {
    private static final long FOREVER = -1;

    @Test
    void aReaderRacingTheListenerGetsEveryEventOnceAndInOrder() throws Exception {
        int n = 1_000_000;
        ProcessQueue q = new ProcessQueue("p", n + 1);
        // Readers alternate between waiting forever, waiting briefly and not waiting, so every path of poll
        // meets events arriving at every moment.
        Thread producer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) {
                assertThat(q.offer(new ProcessEvent.Stdout(Integer.toString(i)))).isTrue();
                if ((i & 0xffff) == 0) Thread.yield(); // let the reader find it empty now and then
            }
            q.offer(new ProcessEvent.Return("end"));
        });
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int next = 0;
        while (true) {
            int mode = rnd.nextInt(3);
            ProcessEvent e = q.poll(mode == 0 ? FOREVER : mode == 1 ? 50_000 : 0);
            if (e == null) continue;
            if (e instanceof ProcessEvent.Return) break;
            assertThat(((ProcessEvent.Stdout) e).text()).isEqualTo(Integer.toString(next++));
        }
        assertThat(producer.join(java.time.Duration.ofSeconds(10))).as("producer finished").isTrue();
        assertThat(next).isEqualTo(n);
        assertThatThrownBy(() -> q.poll(FOREVER)).isInstanceOf(PieException.class).hasMessageContaining("has ended");
    }

    @Test
    void everyEventWakesAParkedReader() throws Exception {
        // One event at a time, each answered before the next: a single lost wake-up leaves the reader
        // parked and the acknowledgement never comes.
        ProcessQueue q = new ProcessQueue("p", 10);
        java.util.concurrent.Semaphore acks = new java.util.concurrent.Semaphore(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int rounds = 5_000;
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    q.poll(FOREVER);
                    acks.release();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                // offer to a parked reader
                Await.until("reader parked before event " + i, () -> q.parkedReaders() > 0 || failure.get() != null);
            }
            q.offer(new ProcessEvent.Stdout(Integer.toString(i)));
            assertThat(acks.tryAcquire(5, TimeUnit.SECONDS)).as("reader woken for event %d", i).isTrue();
        }
        assertThat(reader.join(java.time.Duration.ofSeconds(5))).as("reader finished").isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void manyReadersShareTheEventsAndAllLearnTheEnd() throws Exception {
        int n = 200_000, readers = 8;
        ProcessQueue q = new ProcessQueue("p", n + 1);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<long[]>> results = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            results.add(pool.submit(() -> {
                long count = 0, sum = 0, ends = 0;
                while (true) {
                    try {
                        ProcessEvent e = q.poll(FOREVER);
                        if (e instanceof ProcessEvent.Stdout s) {
                            count++;
                            sum += Long.parseLong(s.text());
                        } else {
                            ends++;
                        }
                    } catch (PieException ended) {
                        return new long[] {count, sum, ends};
                    }
                }
            }));
        }
        for (int i = 0; i < n; i++) q.offer(new ProcessEvent.Stdout(Integer.toString(i)));
        q.offer(new ProcessEvent.Return("end"));
        long count = 0, sum = 0, ends = 0;
        for (Future<long[]> f : results) {
            long[] r = f.get(20, TimeUnit.SECONDS);
            count += r[0];
            sum += r[1];
            ends += r[2];
        }
        pool.shutdown();
        assertThat(count).isEqualTo(n);
        assertThat(sum).isEqualTo((long) n * (n - 1) / 2);
        assertThat(ends).isEqualTo(1); // exactly one reader takes the terminal event; the others are told
    }

    @Test
    void closeReleasesEveryParkedReaderAfterWhatWasQueued() throws Exception {
        ProcessQueue q = new ProcessQueue("p", 100);
        int readers = 4;
        CountDownLatch released = new CountDownLatch(readers);
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    q.poll(FOREVER);
                    unexpected.set(new AssertionError("got an event from an empty queue"));
                } catch (PieConnectionException expected) {
                    released.countDown();
                } catch (Throwable t) {
                    unexpected.set(t);
                }
            }));
        }
        // Parked readers count themselves; wait until all four are in, not for a fixed time.
        Await.until("all four readers parked", () -> q.parkedReaders() == readers);
        q.close(new PieConnectionException("connection lost"));
        assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected.get()).isNull();

        ProcessQueue held = new ProcessQueue("p", 100);
        held.offer(new ProcessEvent.Stdout("kept"));
        held.close(new PieConnectionException("connection lost"));
        assertThat(held.poll(FOREVER)).isEqualTo(new ProcessEvent.Stdout("kept"));
        assertThatThrownBy(() -> held.poll(FOREVER)).isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("connection lost");
        assertThat(held.offer(new ProcessEvent.Stdout("late"))).isFalse();
    }

    @Test
    void overflowKeepsTheFirstEventsThenSaysHowManyWereLost() throws Exception {
        ProcessQueue q = new ProcessQueue("p", 10);
        for (int i = 0; i < 15; i++) q.offer(new ProcessEvent.Stdout(Integer.toString(i)));
        q.offer(new ProcessEvent.Return("end"));
        assertThat(q.ended()).isTrue();
        for (int i = 0; i < 10; i++) assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout(Integer.toString(i)));
        assertThatThrownBy(() -> q.poll(FOREVER)).isInstanceOf(PieException.class)
                .hasMessageContaining("6 events were dropped");
    }

    @Test
    void capacityCountsOnlyUnreadEvents() throws Exception {
        ProcessQueue q = new ProcessQueue("p", 3);
        for (int i = 0; i < 1000; i++) {
            assertThat(q.offer(new ProcessEvent.Stdout("x"))).isTrue();
            assertThat(q.poll(0)).isNotNull();
        }
        for (int i = 0; i < 3; i++) assertThat(q.offer(new ProcessEvent.Stdout("y"))).isTrue();
        assertThat(q.offer(new ProcessEvent.Stdout("z"))).isFalse();
    }

    @Test
    void timedPollReturnsNullAndInterruptReleasesAParkedReader() throws Exception {
        ProcessQueue q = new ProcessQueue("p", 10);
        assertThat(q.poll(0)).isNull();
        assertThat(q.poll(TimeUnit.MILLISECONDS.toNanos(20))).isNull();

        CountDownLatch interrupted = new CountDownLatch(1);
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                q.poll(FOREVER);
            } catch (InterruptedException expected) {
                interrupted.countDown();
            }
        });
        Await.until("the reader parked", () -> q.parkedReaders() == 1);
        reader.interrupt();
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(q.parkedReaders()).isZero();
    }
}
