package org.pieproject.client.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One virtual thread for the whole JVM that, every tick, does one thing to each registered item (probe a
 * connection, expire a connection's requests), and ends when no item is left; the next registration starts
 * it again. A thread per connection instead cost each connect and close a thread start and an interrupt.
 *
 * @param <T> what is swept
 */
public final class PeriodicSweep<T> {
    private final String threadName;
    private final Duration tick;
    private final Consumer<T> action;
    private final Set<T> items = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private Thread thread; // guarded by lock

    /**
     * A sweep; its thread starts with the first {@link #add}.
     *
     * @param threadName the name of its thread
     * @param tick       how long the thread sleeps between two sweeps
     * @param action     what each sweep does to each item; must not block
     */
    public PeriodicSweep(String threadName, Duration tick, Consumer<T> action) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.tick = Objects.requireNonNull(tick, "tick");
        this.action = Objects.requireNonNull(action, "action");
    }

    /**
     * Includes {@code item} from the next sweep on.
     *
     * @param item what to sweep
     */
    public void add(T item) {
        items.add(item);
        lock.lock();
        try {
            if (thread == null) thread = Thread.ofVirtual().name(threadName).start(this::run);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Leaves {@code item} out from now on.
     *
     * @param item what no longer needs sweeping
     */
    public void remove(T item) {
        items.remove(item);
    }

    /**
     * Whether {@code item} is swept.
     *
     * @param item an item
     * @return whether it was added and not removed since
     */
    public boolean contains(T item) {
        return items.contains(item);
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(tick); // the sweep's period, not synchronisation
            } catch (InterruptedException e) {
                lock.lock();
                thread = null;
                lock.unlock();
                return;
            }
            for (T item : items) action.accept(item);
            lock.lock();
            try {
                // An item added after this look makes add() take the lock after us and start a new thread.
                if (items.isEmpty()) {
                    thread = null;
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
