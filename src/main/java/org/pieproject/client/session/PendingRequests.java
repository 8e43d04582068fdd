package org.pieproject.client.session;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.pieproject.client.PieException;
import org.pieproject.client.wire.ServerMessage.Response;

/**
 * The requests waiting for a {@code response}, by correlation id. Ids come from a counter that only moves
 * forward (wrapping inside u32 and skipping ids still pending): the engine can answer one failed upload
 * several times (protocol.md §5.4), so an id is never handed out again soon after its answer.
 */
public final class PendingRequests {
    private static final System.Logger LOG = System.getLogger(PendingRequests.class.getName());
    private static final long U32_MASK = 0xFFFF_FFFFL;

    /**
     * A waiting request; {@code onAnswer} runs on the listener thread before the caller wakes up.
     *
     * @param future   completed with the answer, or failed when the connection ends or the deadline passes
     * @param onAnswer run with the answer before {@code future} completes, or null
     * @param deadline {@link System#nanoTime()} after which {@link #expire} fails it with {@link DeadlineExceeded}
     */
    public record Pending(CompletableFuture<Response> future, Consumer<Response> onAnswer, long deadline) {
        /**
         * A request without a deadline (yet; see {@link #startDeadline}).
         *
         * @param future   completed with the answer
         * @param onAnswer run with the answer first, or null
         */
        public Pending(CompletableFuture<Response> future, Consumer<Response> onAnswer) {
            this(future, onAnswer, Long.MAX_VALUE);
        }

        boolean overdue(long now) {
            return deadline != Long.MAX_VALUE && now - deadline >= 0;
        }
    }

    /**
     * How a request's future fails when its deadline passes. Callers wait without a timeout of their own
     * (a timed park costs a timer per request) and turn this into their timeout error.
     */
    public static final class DeadlineExceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final DeadlineExceeded INSTANCE = new DeadlineExceeded();

        private DeadlineExceeded() {
            super("deadline exceeded", null, false, false);
        }
    }

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong next;
    /**
     * No deadline of a waiting request is before this (it may be earlier than the earliest one, as answered
     * requests are not taken out): lets the sweep, every few milliseconds, skip a table with nothing due
     * instead of walking thousands of requests.
     */
    private final AtomicLong earliestDeadline = new AtomicLong(Long.MAX_VALUE);

    /** Creates the table, empty, with ids starting at 1. */
    public PendingRequests() {
        this(1);
    }

    PendingRequests(long firstId) {
        next = new AtomicLong(firstId);
    }

    /**
     * Registers {@code p} under a fresh id and returns the id.
     *
     * @param p the request
     * @return the id, a u32 other than 0
     */
    public long register(Pending p) {
        while (true) {
            long id = next.getAndIncrement() & U32_MASK;
            if (pending.putIfAbsent(id, p) == null) {
                noteDeadline(p.deadline());
                return id;
            }
        }
    }

    private void noteDeadline(long deadline) {
        if (deadline == Long.MAX_VALUE) return;
        // Written only when earlier: deadlines mostly grow, and a write per request from every caller
        // would contend for one cache line.
        long current = earliestDeadline.get();
        while (current == Long.MAX_VALUE || deadline - current < 0) {
            if (earliestDeadline.compareAndSet(current, deadline)) return;
            current = earliestDeadline.get();
        }
    }

    /** The earlier of two {@link System#nanoTime()} values (which may wrap), {@code Long.MAX_VALUE} meaning none. */
    private static long earlier(long a, long b) {
        if (a == Long.MAX_VALUE) return b;
        if (b == Long.MAX_VALUE) return a;
        return a - b <= 0 ? a : b;
    }

    /**
     * Gives a request registered without a deadline its deadline (an upload's starts after its last chunk).
     *
     * @param id       the request's id
     * @param deadline a {@link System#nanoTime()} value
     */
    public void startDeadline(long id, long deadline) {
        pending.computeIfPresent(id, (k, p) -> new Pending(p.future(), p.onAnswer(), deadline));
        noteDeadline(deadline);
    }

    /**
     * Fails and forgets every request whose deadline has passed; called by {@link RequestDeadlines}.
     *
     * @param now the current {@link System#nanoTime()}
     */
    void expire(long now) {
        long due = earliestDeadline.get();
        if (due == Long.MAX_VALUE || now - due < 0) return;
        // Reset before the walk, so a deadline registered during it is either seen by it or noted afterwards.
        earliestDeadline.set(Long.MAX_VALUE);
        long remaining = Long.MAX_VALUE;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (p.overdue(now)) {
                if (pending.remove(e.getKey(), p)) p.future().completeExceptionally(DeadlineExceeded.INSTANCE);
            } else {
                remaining = earlier(remaining, p.deadline());
            }
        }
        noteDeadline(remaining);
    }

    /**
     * Forgets a request whose caller gave up; a late answer for it is then dropped.
     *
     * @param id the request's id
     */
    public void remove(long id) {
        pending.remove(id);
    }

    /**
     * Hands an answer to its waiting caller; answers nobody waits for are dropped.
     *
     * @param r the answer
     */
    public void complete(Response r) {
        Pending p = pending.remove(r.corrId());
        if (p == null) {
            LOG.log(System.Logger.Level.DEBUG, "dropping a response for corr_id {0} that nobody waits for", r.corrId());
            return;
        }
        if (p.onAnswer() != null) {
            try {
                p.onAnswer().accept(r);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "answer hook failed", e);
            }
        }
        p.future().complete(r);
    }

    /**
     * Fails one waiting request, e.g. the one a gateway's error frame belongs to.
     *
     * @param id    the request's id
     * @param cause what its caller gets
     * @return false if nobody waits for that id any more
     */
    public boolean fail(long id, PieException cause) {
        Pending p = pending.remove(id);
        if (p == null) return false;
        p.future().completeExceptionally(cause);
        return true;
    }

    /**
     * Fails every waiting request with {@code cause}.
     *
     * @param cause why the connection ended
     */
    public void failAll(PieException cause) {
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) p.future().completeExceptionally(cause);
        }
    }

    /**
     * How many requests wait, so tests can prove that abandoned ones leave nothing behind.
     *
     * @return the number of waiting requests
     */
    public int size() {
        return pending.size();
    }
}
