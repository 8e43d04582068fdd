package org.pieproject.client.recovery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.pieproject.client.ConnectionState;

/** A state listener that keeps every state, so a test can wait for the next one of a kind and check the order. */
final class StateRecorder implements Consumer<ConnectionState> {
    private final LinkedBlockingQueue<Timed> unread = new LinkedBlockingQueue<>();
    private final List<ConnectionState> all = new ArrayList<>();

    /** A state and when it was delivered, in {@link System#nanoTime()}. */
    record Timed(ConnectionState state, long nanos) {}

    @Override
    public void accept(ConnectionState s) {
        synchronized (all) { // only a list append: nothing blocks under it
            all.add(s);
        }
        unread.add(new Timed(s, System.nanoTime()));
    }

    /** Takes states until one of {@code type} comes; fails after {@code timeout}. */
    <T extends ConnectionState> Timed next(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Timed t = unread.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (t == null) throw new AssertionError("no " + type.getSimpleName() + " state within " + timeout + "; states: " + all());
            if (type.isInstance(t.state())) return t;
        }
    }

    <T extends ConnectionState> T nextState(Class<T> type, Duration timeout) throws InterruptedException {
        return type.cast(next(type, timeout).state());
    }

    List<ConnectionState> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** The states' kinds in order, e.g. [Connected, Disconnected, Reconnecting, Reconnected]. */
    List<String> kinds() {
        return all().stream().map(s -> s.getClass().getSimpleName()).toList();
    }
}
