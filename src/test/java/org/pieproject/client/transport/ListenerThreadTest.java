package org.pieproject.client.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testsupport.Await;

/**
 * Wake-ups requested by the listener are held until its run of callbacks ends, but never longer than the
 * run, {@link ListenerThread#MAX_DEFERRED_CALLBACKS} callbacks or {@link ListenerThread#MAX_DEFERRED_WAKEUPS}
 * readers: a reader is never left parked.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListenerThreadTest {
    private final ExecutorService executor = ListenerThread.newExecutor("test-listener-");

    @AfterEach
    void shutDown() {
        executor.shutdownNow();
    }

    /** A virtual thread parked until its wake-up; {@code woken} counts down when one arrives. */
    private record Reader(Thread thread, CountDownLatch parked, CountDownLatch woken) {
        static Reader start() {
            CountDownLatch parked = new CountDownLatch(1), woken = new CountDownLatch(1);
            Thread t = Thread.ofVirtual().start(() -> {
                parked.countDown();
                LockSupport.park();
                woken.countDown();
            });
            return new Reader(t, parked, woken);
        }

        boolean wokenWithin5s() throws InterruptedException {
            return woken.await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWakeUpFromTheListenerComesWhenItsTaskEnds() throws Exception {
        Reader reader = Reader.start();
        assertThat(reader.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Await.parked(reader.thread()); // the latch only says it is about to park
        CountDownLatch finish = new CountDownLatch(1);
        Future<Integer> held = executor.submit(() -> {
            ListenerThread.unparkSoon(reader.thread());
            int n = ((ListenerThread) Thread.currentThread()).deferredWakeups();
            finish.await();
            return n;
        });
        finish.countDown();
        // Held while the task ran (its list had it); delivered after.
        assertThat(held.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(reader.wokenWithin5s()).isTrue();
    }

    @Test
    void aTaskThatFailsStillDeliversWhatItHeldAndIsLoggedNotPrinted() throws Exception {
        Logger jul = Logger.getLogger(ListenerThread.class.getName());
        CountDownLatch logged = new CountDownLatch(1);
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.SEVERE && r.getThrown() instanceof IllegalStateException) logged.countDown();
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        jul.setUseParentHandlers(false);
        try {
            Reader reader = Reader.start();
            assertThat(reader.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Await.parked(reader.thread()); // the latch only says it is about to park
            executor.execute(() -> {
                ListenerThread.unparkSoon(reader.thread());
                throw new IllegalStateException("a callback failed");
            });
            assertThat(reader.wokenWithin5s()).isTrue();
            assertThat(logged.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            jul.removeHandler(capture);
            jul.setUseParentHandlers(true);
        }
    }

    @Test
    void aLongRunOfCallbacksDeliversWithinTheCallbackBound() throws Exception {
        Reader reader = Reader.start();
        assertThat(reader.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Await.parked(reader.thread()); // the latch only says it is about to park
        // The task does not end until the reader is awake: only the callback bound can wake it.
        Future<Integer> run = executor.submit(() -> {
            ListenerThread.unparkSoon(reader.thread());
            int callbacks = 0;
            while (callbacks < ListenerThread.MAX_DEFERRED_CALLBACKS) {
                ListenerThread.callbackDone();
                callbacks++;
            }
            return reader.wokenWithin5s() ? callbacks : -1;
        });
        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(ListenerThread.MAX_DEFERRED_CALLBACKS);
    }

    @Test
    void heldWakeUpsAreDeliveredOnceTheListIsFull() throws Exception {
        List<Reader> readers = new ArrayList<>();
        for (int i = 0; i <= ListenerThread.MAX_DEFERRED_WAKEUPS; i++) readers.add(Reader.start());
        for (Reader r : readers) assertThat(r.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Future<Boolean> run = executor.submit(() -> {
            for (Reader r : readers) ListenerThread.unparkSoon(r.thread());
            // One more than the list holds: the first MAX_DEFERRED_WAKEUPS went out, the last one is held.
            return readers.getFirst().wokenWithin5s() && readers.get(ListenerThread.MAX_DEFERRED_WAKEUPS - 1).wokenWithin5s()
                    && ((ListenerThread) Thread.currentThread()).deferredWakeups() == 1;
        });
        assertThat(run.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(readers.getLast().wokenWithin5s()).isTrue();
    }

    @Test
    void repeatedWakeUpsOfOneReaderTakeOneSlot() throws Exception {
        Reader reader = Reader.start();
        assertThat(reader.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Await.parked(reader.thread()); // the latch only says it is about to park
        Future<Integer> run = executor.submit(() -> {
            for (int i = 0; i < 10; i++) ListenerThread.unparkSoon(reader.thread());
            return ((ListenerThread) Thread.currentThread()).deferredWakeups();
        });
        assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(reader.wokenWithin5s()).isTrue();
    }

    @Test
    void aReadersFirstWakeUpInARunComesAtOnceAndLaterOnesWhenTheRunEnds() throws Exception {
        Reader first = Reader.start(), again = Reader.start(), nextRun = Reader.start();
        for (Reader r : List.of(first, again, nextRun)) assertThat(r.parked().await(5, TimeUnit.SECONDS)).isTrue();
        CountDownLatch finish = new CountDownLatch(1);
        Future<long[]> run = executor.submit(() -> {
            long woken = ListenerThread.wakeReader(first.thread(), 0);
            // Awake while this run goes on: nothing was held for it.
            boolean atOnce = first.wokenWithin5s() && ((ListenerThread) Thread.currentThread()).deferredWakeups() == 0;
            ListenerThread.wakeReader(again.thread(), woken); // woken in this run already: held to its end
            int held = ((ListenerThread) Thread.currentThread()).deferredWakeups();
            finish.await();
            return new long[]{atOnce ? 1 : 0, held, woken};
        });
        finish.countDown();
        long[] r = run.get(10, TimeUnit.SECONDS);
        assertThat(r[0]).isEqualTo(1);
        assertThat(r[1]).isEqualTo(1);
        assertThat(again.wokenWithin5s()).isTrue();
        // A later run is a new one: the same reader's first wake-up in it comes at once again.
        Future<Integer> later = executor.submit(() -> {
            ListenerThread.wakeReader(nextRun.thread(), r[2]);
            return nextRun.wokenWithin5s() ? ((ListenerThread) Thread.currentThread()).deferredWakeups() : -1;
        });
        assertThat(later.get(10, TimeUnit.SECONDS)).isEqualTo(0);
    }

    @Test
    void anyOtherThreadWakesAtOnce() throws Exception {
        Reader reader = Reader.start();
        assertThat(reader.parked().await(5, TimeUnit.SECONDS)).isTrue();
        Await.parked(reader.thread()); // the latch only says it is about to park
        ListenerThread.unparkSoon(reader.thread());
        assertThat(reader.wokenWithin5s()).isTrue();
    }

    @Test
    void listenerThreadsAreNamedDaemons() throws Exception {
        Future<Thread> t = executor.submit(Thread::currentThread);
        assertThat(t.get(5, TimeUnit.SECONDS).getName()).startsWith("test-listener-");
        assertThat(t.get().isDaemon()).isTrue();
    }
}
