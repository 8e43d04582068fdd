package org.pieproject.client.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An unbounded FIFO queue for one writer and any number of readers, as a linked list of small arrays.
 * The writer never takes a lock or a compare-and-set: it stores each element into the next slot with
 * release semantics. Readers take elements under a lock of their own, which only readers contend for.
 * Against {@link java.util.concurrent.ConcurrentLinkedQueue} this saves a 24-byte node and two atomic
 * updates per element, which on a busy stream is most of what the queue costs.
 *
 * <p>Exactly one thread may call {@link #add} at a time (callers ensure it with their own ordering); any
 * thread may call {@link #poll} and {@link #isEmpty}.
 *
 * @param <E> the element type
 */
final class SingleWriterQueue<E> {
    private static final int SEGMENT_LENGTH = 32;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    private static final class Segment {
        final Object[] slots = new Object[SEGMENT_LENGTH];
        volatile Segment next;
    }

    // The writer's end.
    private Segment tail = new Segment();
    private int tailIndex;

    // The readers' end, guarded by readLock; volatile so that isEmpty() may look without the lock.
    private final ReentrantLock readLock = new ReentrantLock();
    private volatile Segment head = tail;
    private volatile int headIndex;

    /**
     * Appends {@code e}; the writer only. A release store: a caller that must then read something readers
     * write (a count of parked readers, say) needs a full fence in between.
     *
     * @param e the element, not null
     */
    void add(E e) {
        if (tailIndex == SEGMENT_LENGTH) {
            // The element goes in before the segment is linked, so a reader that finds the next segment
            // always finds its first element there too.
            Segment s = new Segment();
            s.slots[0] = e;
            tailIndex = 1;
            Segment full = tail;
            tail = s;
            full.next = s;
            return;
        }
        SLOT.setRelease(tail.slots, tailIndex++, e);
    }

    /**
     * Removes and returns the oldest element, or null if there is none.
     *
     * @return the element, or null
     */
    @SuppressWarnings("unchecked")
    E poll() {
        readLock.lock();
        try {
            Segment h = head;
            int i = headIndex;
            if (i == SEGMENT_LENGTH) {
                Segment next = h.next;
                if (next == null) return null;
                head = h = next;
                headIndex = i = 0;
            }
            Object e = SLOT.getAcquire(h.slots, i);
            if (e == null) return null;
            h.slots[i] = null; // the writer is past this slot for good; let the element go
            headIndex = i + 1;
            return (E) e;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Whether there is nothing to take; without the lock, so a reader can watch for the next element
     * cheaply. May be out of date by the time it returns.
     *
     * @return true if no element is waiting
     */
    boolean isEmpty() {
        Segment h = head;
        int i = headIndex;
        if (i == SEGMENT_LENGTH) {
            h = h.next;
            if (h == null) return true;
            i = 0;
        }
        return SLOT.getAcquire(h.slots, i) == null;
    }
}
