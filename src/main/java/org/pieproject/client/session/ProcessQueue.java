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
     * A reader that finds the queue of a dense stream empty watches it this many spins before parking:
     * the next event is then nearly always there, and the park/unpark it saves costs more than the event.
     * Sparse streams (token by token, or one of many processes) park at once, since spinning there only
     * takes a carrier thread from other virtual threads.
     */
    private static final int SPINS = 128;
    /** Events closer together than this make a stream dense. */
    private static final long DENSE_NANOS = 5_000;
    private long lastOffer;
    private volatile boolean dense;

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
            long now = System.nanoTime();
            dense = now - lastOffer < DENSE_NANOS;
            lastOffer = now;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * True once the terminal event has arrived (whether or not it was read).
     *
     * @return whether the stream has ended
     */
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
     * @param timeoutNanos how long to wait; negative waits forever
     * @return the event, or null on timeout
     * @throws InterruptedException if the reader is interrupted
     * @throws PieException once the stream is over: after the terminal event was taken, after a lost
     *                      connection (events that had arrived are delivered first), or after an overflow
     */
    public ProcessEvent poll(long timeoutNanos) throws InterruptedException {
        if (timeoutNanos != 0 && dense) {
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

    /**
     * Ends the stream after what it holds; blocked and later readers get {@code cause}.
     *
     * @param cause what readers get once the held events are taken
     */
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
