package org.pieproject.client.session;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.ProcessEvent;

/**
 * The events of one process, between the listener that adds them and the caller that reads them.
 * Bounded: when the reader falls {@code capacity} events behind, further events are dropped and the
 * reader, once it has taken everything kept, gets a {@link PieException} saying how many were lost. That
 * keeps memory bounded and never stalls the connection's other processes.
 */
public final class ProcessQueue {
    private final String processId;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<ProcessEvent> events = new ArrayDeque<>();
    private boolean terminalQueued;
    private boolean terminalTaken;
    private long dropped;
    private PieException closedCause;
    /** Events waiting, readable without the lock: a reader spins on it briefly before it parks. */
    private volatile int waiting;
    /**
     * A reader that finds the queue empty watches it this many spins before parking. A fast stream then
     * hands over events without a park/unpark per event (which costs more than the event); a slow one
     * costs a few microseconds of spinning per wait.
     */
    private static final int SPINS = 128;

    public ProcessQueue(String processId, int capacity) {
        this.processId = processId;
        this.capacity = capacity;
    }

    public String processId() {
        return processId;
    }

    /**
     * Adds an event from the engine; never blocks. Returns false if the event was ignored: it came after
     * the terminal event (a known engine race, protocol.md §6.2), the queue is closed, or it is full.
     */
    public boolean offer(ProcessEvent e) {
        lock.lock();
        try {
            if (terminalQueued || closedCause != null) return false;
            if (e.isTerminal()) terminalQueued = true;
            if (dropped > 0 || events.size() >= capacity) {
                dropped++;
                return false;
            }
            events.addLast(e);
            waiting = events.size();
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** True once the terminal event has arrived (whether or not it was read). */
    public boolean ended() {
        lock.lock();
        try {
            return terminalQueued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next event, waiting up to {@code timeoutNanos} (negative: forever). Returns null on timeout.
     *
     * @throws PieException once the stream is over: after the terminal event was taken, after a lost
     *                      connection (events that had arrived are delivered first), or after an overflow
     */
    public ProcessEvent poll(long timeoutNanos) throws InterruptedException {
        if (timeoutNanos != 0) {
            for (int i = 0; i < SPINS && waiting == 0; i++) Thread.onSpinWait();
        }
        lock.lockInterruptibly();
        try {
            long left = timeoutNanos;
            while (true) {
                ProcessEvent e = events.pollFirst();
                if (e != null) {
                    waiting = events.size();
                    if (e.isTerminal()) terminalTaken = true;
                    return e;
                }
                if (terminalTaken) {
                    throw new PieException("process " + processId + " has ended; it has no more events");
                }
                if (dropped > 0) {
                    throw new PieException("process " + processId + ": " + dropped + " events were dropped because"
                            + " they were not read in time (more than " + capacity + " waiting); the rest of its"
                            + " output is lost");
                }
                if (closedCause != null) {
                    throw new PieConnectionException("process " + processId + ": " + closedCause.getMessage(), closedCause);
                }
                if (timeoutNanos < 0) {
                    notEmpty.await();
                } else {
                    if (left <= 0) return null;
                    left = notEmpty.awaitNanos(left);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream after what it holds; blocked and later readers get {@code cause}. */
    public void close(PieException cause) {
        lock.lock();
        try {
            if (closedCause == null) closedCause = cause;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
