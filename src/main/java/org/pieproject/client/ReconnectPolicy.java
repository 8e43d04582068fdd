package org.pieproject.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a client with {@link PieClient.Builder#autoReconnect(ReconnectPolicy) autoReconnect} gets its
 * connection back: exponential backoff with full jitter. Before attempt {@code n} (from 1) it waits a
 * random time between zero and {@code min(maxDelay, initialDelay * 2^(n-1))}, so that many clients cut off
 * at the same moment do not all knock at once. After {@code maxAttempts} failed attempts it gives up and
 * the client closes with the last failure as its cause.
 *
 * @param initialDelay the ceiling of the first wait; positive
 * @param maxDelay     the largest ceiling any wait has; at least {@code initialDelay}
 * @param maxAttempts  how many attempts before giving up, at least 1; {@link #UNLIMITED} never gives up
 */
public record ReconnectPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts) {
    /** The default ceiling of the first wait: 100 ms. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(100);
    /** The default largest ceiling of a wait: 30 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    /** {@code maxAttempts} that never gives up. */
    public static final int UNLIMITED = Integer.MAX_VALUE;
    /** By default a client never gives up: a service wants its connection back whenever the engine is. */
    public static final int DEFAULT_MAX_ATTEMPTS = UNLIMITED;

    /**
     * Checks the policy.
     *
     * @param initialDelay the ceiling of the first wait; positive
     * @param maxDelay     the largest ceiling any wait has; at least {@code initialDelay}
     * @param maxAttempts  how many attempts before giving up, at least 1
     */
    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || initialDelay.isZero()) throw new IllegalArgumentException("initialDelay must be positive");
        if (maxDelay.compareTo(initialDelay) < 0) throw new IllegalArgumentException("maxDelay must be at least initialDelay");
        if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    }

    /**
     * The defaults: {@link #DEFAULT_INITIAL_DELAY}, {@link #DEFAULT_MAX_DELAY}, {@link #DEFAULT_MAX_ATTEMPTS}.
     *
     * @return the default policy
     */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_ATTEMPTS);
    }

    /**
     * The longest wait before attempt {@code attempt}: {@code min(maxDelay, initialDelay * 2^(attempt-1))}.
     *
     * @param attempt the attempt, from 1
     * @return the ceiling of its wait
     */
    public Duration ceiling(int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempt must be at least 1");
        long initial = initialDelay.toNanos();
        long max = maxDelay.toNanos();
        int doublings = attempt - 1;
        // Stop doubling once past the maximum, before the shift could overflow.
        long ceiling = doublings >= 62 || initial > (max >> Math.min(doublings, 62)) ? max : initial << doublings;
        return Duration.ofNanos(Math.min(ceiling, max));
    }

    /**
     * The wait before attempt {@code attempt}: uniformly random between zero and {@link #ceiling(int)}.
     *
     * @param attempt the attempt, from 1
     * @param random  where the jitter comes from
     * @return how long to wait
     */
    public Duration delayBefore(int attempt, RandomGenerator random) {
        return Duration.ofNanos(random.nextLong(ceiling(attempt).toNanos() + 1));
    }
}
