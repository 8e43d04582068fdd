package org.pieproject.client.session;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.pieproject.client.ConnectionState;

/**
 * Hands connection states to the user's listeners, one at a time and in order, on a virtual thread of its
 * own: never on the WebSocket listener thread, so a slow listener stalls no frame. The thread lives only
 * while there is something to deliver, so a closed client leaves none behind. A listener that throws is
 * logged and keeps receiving.
 */
final class StateEvents {
    private static final System.Logger LOG = System.getLogger(StateEvents.class.getName());

    private final List<Consumer<? super ConnectionState>> listeners;
    private final ConcurrentLinkedQueue<ConnectionState> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean delivering = new AtomicBoolean();

    StateEvents(List<Consumer<? super ConnectionState>> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    void emit(ConnectionState state) {
        if (listeners.isEmpty()) return;
        queue.add(state);
        if (delivering.compareAndSet(false, true)) {
            Thread.ofVirtual().name("pie-state-events").start(this::deliver);
        }
    }

    private void deliver() {
        do {
            ConnectionState s;
            while ((s = queue.poll()) != null) {
                for (Consumer<? super ConnectionState> l : listeners) {
                    try {
                        l.accept(s);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a connection state listener failed on " + s, e);
                    }
                }
            }
            delivering.set(false);
            // A state added after the last poll but before the flag was cleared found it set: take it now.
        } while (!queue.isEmpty() && delivering.compareAndSet(false, true));
    }
}
