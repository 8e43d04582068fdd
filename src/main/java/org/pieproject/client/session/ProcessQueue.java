package org.pieproject.client.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcessLostException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.telemetry.ProcessTrace;
import org.pieproject.client.transport.ListenerThread;

/**
 * The events of one process, between the listener that adds them and the caller that reads them.
 * Bounded: when the reader falls {@code capacity} events behind, further events are dropped and the
 * reader, once it has taken everything kept, gets a {@link PieException} saying how many were lost. That
 * keeps memory bounded and never stalls the connection's other processes.
 *
 * <p>Events pass through a {@link SingleWriterQueue}. A reader that finds it empty and has to park first
 * announces itself (as the {@code waiter}, or, when another reader already is, in {@code parked} under the
 * lock), then looks once more; the listener, after adding, wakes whoever announced. A reader that keeps
 * up therefore costs the listener no lock and no wake-up per event, and one that parks costs one unpark.
 * A lock handed over on every event (and the unpark that went with it) was the largest cost of a busy
 * stream. The single waiter's unpark goes through {@link ListenerThread#wakeReader}: from the listener,
 * the first in a run of callbacks comes at once, later ones at the end of the run, so a reader that is
 * behind wakes to a burst, not to each event.
 *
 * <p>One thread adds events at a time (the listener, or the registry before it publishes the queue);
 * any number of threads may read and close.
 */
public final class ProcessQueue {
    private final String processId;
    private final int capacity;
    private final SingleWriterQueue<ProcessEvent> events = new SingleWriterQueue<>();
    /** What the adding thread last read of the taken count: reading it every time would share a cache line with readers. */
    private long takenSeen;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /**
     * The reader parked for the next event, when only one is (the usual case): it is woken with one
     * unpark, without the lock. Further readers that wait at the same time use the lock and condition.
     */
    private volatile Thread waiter;
    /** The listener's run of callbacks in which the waiter was last woken; written by the adding thread only. */
    private long wokenInRun;
    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(ProcessQueue.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Readers waiting on the condition, which the listener must wake under the lock. */
    private final AtomicInteger parked = new AtomicInteger();
    private volatile boolean terminalQueued;
    private volatile boolean terminalTaken;
    private volatile long dropped;
    private volatile PieException closedCause;
    /** Told once when the stream ends, for telemetry; null when nobody traces this process (the usual case). */
    private volatile @Nullable ProcessTrace trace;
    /** How the process ended: written before terminalQueued, read after it. */
    private String endedAs = "";

    /**
     * A reader that finds the queue empty watches it this long before parking, if that paid off last time
     * (the stream is dense): the next event is then nearly always there, and the park and unpark it saves
     * cost more than the wait. Sparse streams (token by token, or one of many processes) park at once,
     * since spinning there only takes a carrier thread from other virtual threads.
     */
    private static final long SPIN_NANOS = 20_000;
    /** Readers' own record of whether the last wait would have ended within the spin; a hint, races are harmless. */
    private boolean spinPays;
    /**
     * Spin-wait hints between two looks at the queue while spinning: about a microsecond. Looking after every
     * hint kept pulling the cache line the listener writes each event into, which slowed the listener more
     * than the reader gained (W3 0.46 against 0.53-0.60 of the raw client, side by side).
     */
    private static final int PAUSES_PER_LOOK = 32;

    /**
     * Creates an empty queue.
     *
     * @param processId the process whose events it holds
     * @param capacity  how many unread events it keeps before it drops further ones
     */
    public ProcessQueue(String processId, int capacity) {
        this.processId = processId;
        this.capacity = capacity;
    }

    /**
     * The process whose events this queue holds.
     *
     * @return its canonical id
     */
    public String processId() {
        return processId;
    }

    /**
     * Adds an event from the engine; never blocks. Returns false if the event was ignored: it came after
     * the terminal event (a known engine race, protocol.md §6.2), the queue is closed, or it is full.
     *
     * @param e the event
     * @return whether it was queued
     */
    public boolean offer(ProcessEvent e) {
        if (terminalQueued || closedCause != null) return false;
        boolean terminal = e.isTerminal();
        if (terminal) {
            endedAs = e instanceof ProcessEvent.Return ? "return" : "error";
            terminalQueued = true;
            // Counted from the queue's own tallies, once: the per-event path does nothing for telemetry.
            ProcessTrace t = trace;
            if (t != null) t.ended(processId, endedAs, received() + 1);
        }
        if (dropped > 0 || full()) {
            dropped++; // one writer at a time, see the class comment
            wakeAll();
            return false;
        }
        events.add(e);
        // The event's store must be visible before the waiters are read, or a reader that announced
        // itself after this read but looked before the store would sleep through it.
        VarHandle.fullFence();
        Thread w = waiter;
        if (w != null) wokenInRun = ListenerThread.wakeReader(w, wokenInRun);
        if (parked.get() > 0) {
            if (terminal) wakeAll();
            else wakeOne();
        }
        return true;
    }

    /** Events offered so far and not ignored: queued or dropped for overflow. */
    private long received() {
        return events.added() + dropped;
    }

    /**
     * Reports this process's end to {@code t}: when its terminal event arrives or the stream ends without
     * one. At most one report, even if it has already ended.
     *
     * @param t the process's trace
     */
    public void trace(ProcessTrace t) {
        trace = t;
        // Read after the write above, as offer() writes terminalQueued before it reads trace: one of the two
        // sees the other, and ended() ignores a second report.
        if (terminalQueued) t.ended(processId, endedAs, received());
        else if (closedCause != null) t.ended(processId, closeOutcome(closedCause), received());
    }

    private static String closeOutcome(PieException cause) {
        return cause instanceof PieConnectionException ? "disconnected" : "closed";
    }

    private boolean full() {
        long added = events.added();
        if (added - takenSeen < capacity) return false;
        takenSeen = events.taken();
        return added - takenSeen >= capacity;
    }

    /**
     * True once the terminal event has arrived (whether or not it was read).
     *
     * @return whether the stream has ended
     */
    public boolean ended() {
        return terminalQueued;
    }

    /**
     * Takes the next event, waiting up to {@code timeoutNanos} (negative: forever). Returns null on timeout.
     *
     * @param timeoutNanos how long to wait; negative waits forever
     * @return the event, or null on timeout
     * @throws InterruptedException if the reader is interrupted
     * @throws PieException once the stream is over: after the terminal event was taken, after a lost
     *                      connection (events that had arrived are delivered first), or after an overflow
     */
    public ProcessEvent poll(long timeoutNanos) throws InterruptedException {
        ProcessEvent e = takeOrEnd();
        if (e != null || timeoutNanos == 0) return e;
        if (Thread.interrupted()) throw new InterruptedException();
        long emptySince = System.nanoTime();
        if (spinPays) {
            do {
                for (int k = 0; k < PAUSES_PER_LOOK; k++) Thread.onSpinWait();
                if (!events.isEmpty()) {
                    e = takeOrEnd();
                    if (e != null) return e; // else another reader was faster
                }
            } while (System.nanoTime() - emptySince < SPIN_NANOS && !ending());
        }
        long left = timeoutNanos < 0 ? -1 : Math.max(0, timeoutNanos - (System.nanoTime() - emptySince));
        e = await(left);
        spinPays = e != null && System.nanoTime() - emptySince < SPIN_NANOS;
        return e;
    }

    /** Parks until an event, the end, or {@code timeoutNanos} (negative: forever; zero: one more look). */
    private ProcessEvent await(long timeoutNanos) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (!WAITER.compareAndSet(this, null, me)) return awaitWithOthers(timeoutNanos);
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                // Announced in waiter before this look, so an event added after it brings an unpark.
                ProcessEvent e = takeOrEnd();
                if (e != null) return e;
                if (timeoutNanos < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return null;
                    LockSupport.parkNanos(this, left);
                }
                if (Thread.interrupted()) throw new InterruptedException();
            }
        } finally {
            waiter = null;
        }
    }

    /** {@link #await} for a reader that comes while another is already the waiter. */
    private ProcessEvent awaitWithOthers(long timeoutNanos) throws InterruptedException {
        lock.lockInterruptibly();
        parked.incrementAndGet();
        try {
            long left = timeoutNanos;
            while (true) {
                // Counted in parked before this look, so an event added after it brings a wake-up.
                ProcessEvent e = takeOrEnd();
                if (e != null) return e;
                if (timeoutNanos < 0) {
                    notEmpty.await();
                } else {
                    if (left <= 0) return null;
                    left = notEmpty.awaitNanos(left);
                }
            }
        } finally {
            parked.decrementAndGet();
            lock.unlock();
        }
    }

    /** The next event, or null if there is none yet; throws once the stream is over and drained. */
    private ProcessEvent takeOrEnd() {
        ProcessEvent e = take();
        if (e != null) return e;
        if (!ending()) return null;
        // Read the end states before looking once more: events added before the end was recorded are
        // then visible, and they come first.
        boolean over = terminalTaken;
        long lost = dropped;
        PieException cause = closedCause;
        e = take();
        if (e != null) return e;
        if (over) throw new PieException("process " + processId + " has ended; it has no more events");
        if (lost > 0) {
            throw new PieException("process " + processId + ": " + lost + " events were dropped because"
                    + " they were not read in time (more than " + capacity + " waiting); the rest of its"
                    + " output is lost");
        }
        if (cause instanceof PieProcessLostException gone) {
            // Its own type, so the reader can tell it apart; a fresh one, so the trace is the reader's.
            throw new PieProcessLostException(gone.processId(), gone.stillRunning());
        }
        if (cause != null) {
            throw new PieConnectionException("process " + processId + ": " + cause.getMessage(), cause);
        }
        return null;
    }

    private boolean ending() {
        return terminalTaken || dropped > 0 || closedCause != null;
    }

    private ProcessEvent take() {
        ProcessEvent e = events.poll();
        if (e == null) return null;
        if (e.isTerminal()) {
            terminalTaken = true;
            // Other readers waiting for this stream must now learn that it has ended.
            wakeAll();
        }
        return e;
    }

    /** How many readers are waiting for an event (or about to park for one); for tests. */
    int parkedReaders() {
        return (waiter != null ? 1 : 0) + parked.get();
    }

    /**
     * Ends the stream after what it holds; blocked and later readers get {@code cause}.
     *
     * @param cause what readers get once the held events are taken
     */
    public void close(PieException cause) {
        lock.lock();
        try {
            if (closedCause == null) closedCause = cause;
        } finally {
            lock.unlock();
        }
        ProcessTrace t = trace;
        if (t != null && !terminalQueued) t.ended(processId, closeOutcome(cause), received());
        wakeAll();
    }

    private void wakeOne() {
        lock.lock();
        try {
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting reader: the stream has ended, one way or another. */
    private void wakeAll() {
        Thread w = waiter;
        if (w != null && w != Thread.currentThread()) LockSupport.unpark(w);
        if (parked.get() == 0) return;
        lock.lock();
        try {
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
