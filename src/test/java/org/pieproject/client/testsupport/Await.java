package org.pieproject.client.testsupport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition in a test, always with a deadline: the replacement for spin loops that only the
 * test's own timeout would end, and for sleeps standing in for "it has happened by now".
 */
public final class Await {
    /** Long enough for anything on a loaded 2-core machine, short enough to fail well before the test's timeout. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Await() {
    }

    /** Waits until {@code condition} holds; an {@link AssertionError} naming {@code what} after {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = 1_000; // ns, doubling up to 1 ms: quick for what happens at once, cheap for what takes long
        while (!condition.getAsBoolean()) {
            if (Thread.currentThread().isInterrupted()) throw new AssertionError("interrupted while waiting for " + what);
            if (System.nanoTime() - deadline > 0) throw new AssertionError(what + ": not within " + within.toMillis() + " ms");
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** {@link #until(String, Duration, BooleanSupplier)} with {@link #DEFAULT}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    /**
     * Waits until {@code t} is parked (WAITING or TIMED_WAITING; a virtual thread reports those too) and
     * stays so across two looks, so that a test acts on a caller that is really blocked, not one about to be.
     * A thread that ends instead fails at once.
     */
    public static void parked(Thread t) {
        until(t.getName().isEmpty() ? "the caller parks" : t.getName() + " parks", () -> {
            if (t.getState() == Thread.State.TERMINATED) throw new AssertionError("the caller ended instead of blocking");
            return isParked(t) && parkedAgain(t);
        });
    }

    /** A blocking call that may not return a value. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws Exception;
    }

    /**
     * Starts {@code call} on a virtual thread and returns once that thread is parked in it (see
     * {@link #parked}), so that what the test does next happens to a caller that is really blocked. The
     * future has the call's result or what it threw.
     */
    public static <T> CompletableFuture<T> blockedIn(Call<T> call) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(call.call());
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        parked(t);
        return outcome;
    }

    private static boolean isParked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    private static boolean parkedAgain(Thread t) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        return isParked(t);
    }
}
