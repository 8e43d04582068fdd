package org.pieproject.client.transport;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread of the shared {@code HttpClient}'s executor, which runs the JDK's WebSocket callbacks. Threads
 * that the callbacks wake (a process's reader when its event arrives, a caller when its answer does) are
 * woken together when the JDK's run of callbacks ends (the socket has no more data for now), or once
 * {@value #MAX_DEFERRED_WAKEUPS} threads wait for it, or {@value #MAX_DEFERRED_CALLBACKS} callbacks after
 * the first of them, whichever comes first. A reader woken at the first event of a burst took that one
 * event and parked again; woken at the end, it takes the whole burst, and the carrier threads wake once for
 * many readers instead of once for each. With 1,000 processes streaming at once (W4) that saved about a
 * fifth of the client's CPU per event and 15-30% of the time, side by side. A caller woken after the
 * listener's own bookkeeping no longer races it for the socket: sequential pings were no slower for it.
 *
 * <p>A process's reader is the exception for its first wake-up in a run ({@link #wakeReader}): it is woken
 * at once, so that a token that arrives alone is not held behind the rest of the run. With a thousand
 * token streams a run brings one event for each of many processes, and holding every reader until its end
 * put about 15% on the median latency (W8: 350-380 against 290-320 µs, side by side). Later wake-ups of
 * the same reader in that run are held as above, so a process's burst costs its reader one more wake-up,
 * not one per event.
 *
 * <p>The delay is bounded by callbacks, not time: each takes the listener well under a microsecond, so a
 * thread waits at most some 100 µs longer, and only while the socket keeps the listener busy.
 */
public final class ListenerThread extends Thread {
    private static final System.Logger LOG = System.getLogger(ListenerThread.class.getName());

    /** Callbacks after which deferred wake-ups are delivered even though the JDK's run goes on. */
    static final int MAX_DEFERRED_CALLBACKS = 256;
    /** Threads whose wake-ups are held at most; the next one delivers them all. */
    static final int MAX_DEFERRED_WAKEUPS = 64;

    private final Thread[] deferred = new Thread[MAX_DEFERRED_WAKEUPS];
    private int count;
    private int callbacksSinceFirst;
    /** Numbers the runs of callbacks of all listener threads, so that a run's number is unique in the JVM. */
    private static final AtomicLong RUNS = new AtomicLong();
    /** The number of the run of callbacks this thread is in. */
    private long run = RUNS.incrementAndGet();

    private ListenerThread(Runnable worker, String name) {
        super(null, worker, name, 0, false);
        setDaemon(true);
        // A task of the JDK's that fails would otherwise be printed to stderr, which a library must not do.
        setUncaughtExceptionHandler((t, e) -> LOG.log(System.Logger.Level.ERROR, "a WebSocket task failed", e));
    }

    /**
     * Unparks {@code reader}: at once, or, when called from a listener thread, when its run of callbacks
     * ends (or {@link #MAX_DEFERRED_CALLBACKS} callbacks later).
     *
     * @param reader the thread to unpark
     */
    public static void unparkSoon(Thread reader) {
        if (Thread.currentThread() instanceof ListenerThread l) {
            l.defer(reader);
        } else {
            LockSupport.unpark(reader);
        }
    }

    /**
     * Unparks a process's {@code reader}: at once if it has not been woken in the listener's current run of
     * callbacks, otherwise as {@link #unparkSoon} does. Called from other threads, unparks at once.
     *
     * @param reader     the thread to unpark
     * @param wokenInRun what the last call for this reader returned (0 before the first)
     * @return what to pass as {@code wokenInRun} next time
     */
    public static long wakeReader(Thread reader, long wokenInRun) {
        if (Thread.currentThread() instanceof ListenerThread l && l.run == wokenInRun) {
            l.defer(reader);
            return wokenInRun;
        }
        LockSupport.unpark(reader);
        return Thread.currentThread() instanceof ListenerThread l ? l.run : 0;
    }

    private void defer(Thread reader) {
        if (count > 0 && deferred[count - 1] == reader) return; // a burst for one process: one wake-up
        if (count == deferred.length) flush();
        if (count == 0) callbacksSinceFirst = 0;
        deferred[count++] = reader;
    }

    /** One WebSocket callback is done; delivers the deferred wake-ups once the oldest has waited long enough. */
    static void callbackDone() {
        if (Thread.currentThread() instanceof ListenerThread l && l.count > 0
                && ++l.callbacksSinceFirst >= MAX_DEFERRED_CALLBACKS) {
            l.flush();
        }
    }

    /** Wake-ups waiting for the end of the run; for tests. */
    int deferredWakeups() {
        return count;
    }

    /** The JDK's run of callbacks has ended: delivers what it held, and the next run has a new number. */
    private void endRun() {
        run = RUNS.incrementAndGet();
        flush();
    }

    private void flush() {
        for (int i = 0; i < count; i++) {
            LockSupport.unpark(deferred[i]);
            deferred[i] = null;
        }
        count = 0;
    }

    /**
     * The executor for the shared {@code HttpClient}: listener threads, created as needed, ending after a
     * second idle, each delivering its deferred wake-ups after every task.
     *
     * @param namePrefix the threads' names, before a counter
     * @return a new executor
     */
    static ExecutorService newExecutor(String namePrefix) {
        AtomicInteger next = new AtomicInteger();
        ThreadFactory threads = worker -> new ListenerThread(worker, namePrefix + next.getAndIncrement());
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), threads) {
            @Override
            protected void afterExecute(Runnable task, Throwable failure) {
                // Runs after every task, failed ones too, so nothing deferred outlives the task that deferred it.
                if (Thread.currentThread() instanceof ListenerThread l) l.endRun();
            }
        };
    }
}
