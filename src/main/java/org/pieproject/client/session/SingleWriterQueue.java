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
 * <p>The writer's position and the readers' position live in separate, padded objects: when they shared
 * one, every element the writer added invalidated the cache line a waiting reader was watching, and every
 * element taken did the same to the writer.
 *
 * <p>Exactly one thread may call {@link #add} at a time (callers ensure it with their own ordering); any
 * thread may call {@link #poll}, {@link #isEmpty} and {@link #taken}.
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

    /**
     * The writer's end. HotSpot lays out long fields before int and reference fields, so the padding
     * comes first and keeps the fields that change on every element off the line of whatever object
     * precedes this one.
     */
    @SuppressWarnings("unused")
    private static final class WriterEnd {
        long p0, p1, p2, p3, p4, p5, p6;
        long added;
        int index;
        Segment tail;

        WriterEnd(Segment first) {
            tail = first;
        }
    }

    /** The readers' end, guarded by the read lock; volatile so that {@link #isEmpty} may look without it. */
    @SuppressWarnings("unused")
    private static final class ReaderEnd {
        long p0, p1, p2, p3, p4, p5, p6;
        volatile long taken;
        volatile int index;
        volatile Segment head;

        ReaderEnd(Segment first) {
            head = first;
        }
    }

    private final WriterEnd writer;
    private final ReaderEnd reader;
    private final ReentrantLock readLock = new ReentrantLock();

    SingleWriterQueue() {
        Segment first = new Segment();
        writer = new WriterEnd(first);
        reader = new ReaderEnd(first);
    }

    /**
     * Appends {@code e}; the writer only. A release store: a caller that must then read something readers
     * write (a count of parked readers, say) needs a full fence in between.
     *
     * @param e the element, not null
     */
    void add(E e) {
        WriterEnd w = writer;
        w.added++;
        if (w.index == SEGMENT_LENGTH) {
            // The element goes in before the segment is linked, so a reader that finds the next segment
            // always finds its first element there too.
            Segment s = new Segment();
            s.slots[0] = e;
            w.index = 1;
            Segment full = w.tail;
            w.tail = s;
            full.next = s;
            return;
        }
        SLOT.setRelease(w.tail.slots, w.index++, e);
    }

    /**
     * How many elements were ever added; the writer only.
     *
     * @return the count
     */
    long added() {
        return writer.added;
    }

    /**
     * How many elements were ever taken; any thread. Readers update it on every element, so the writer
     * should ask rarely.
     *
     * @return the count
     */
    long taken() {
        return reader.taken;
    }

    /**
     * Removes and returns the oldest element, or null if there is none.
     *
     * @return the element, or null
     */
    @SuppressWarnings("unchecked")
    E poll() {
        ReaderEnd r = reader;
        readLock.lock();
        try {
            Segment h = r.head;
            int i = r.index;
            if (i == SEGMENT_LENGTH) {
                Segment next = h.next;
                if (next == null) return null;
                r.head = h = next;
                r.index = i = 0;
            }
            Object e = SLOT.getAcquire(h.slots, i);
            if (e == null) return null;
            h.slots[i] = null; // the writer is past this slot for good; let the element go
            r.index = i + 1;
            r.taken = r.taken + 1; // under the read lock
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
        ReaderEnd r = reader;
        Segment h = r.head;
        int i = r.index;
        if (i == SEGMENT_LENGTH) {
            h = h.next;
            if (h == null) return true;
            i = 0;
        }
        return SLOT.getAcquire(h.slots, i) == null;
    }
}
