package org.pieproject.client.telemetry;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jdk.jfr.FlightRecorder;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieMetricsListener;
import org.pieproject.client.PieTimeoutException;
import org.pieproject.client.transport.FrameHandler;
import org.pieproject.client.transport.TransportClosedException;

/**
 * Where one client reports what it does: to JDK Flight Recorder (events under {@code org.pieproject}) and to
 * its {@link PieMetricsListener}, if it has one. Each report costs, when nobody records and no listener is
 * set, an event object the JIT does not allocate and a check that the event type is off: nothing that can be
 * measured beside a network round trip. Nothing reported ever holds a key, a token, a header value or a
 * process's input or output.
 *
 * <p>No event object is made before Flight Recorder is initialized ({@link #recorderInitialized}): the
 * first event class a JVM initializes sets up Flight Recorder's metadata, 50-75 ms of a command line's
 * start on this project's machine, and no recording can run before then anyway.
 */
public final class Telemetry {
    private static final System.Logger LOG = System.getLogger(Telemetry.class.getName());

    private final @Nullable PieMetricsListener listener;
    private final AtomicBoolean listenerFailed = new AtomicBoolean();

    /**
     * Creates the telemetry of one client.
     *
     * @param listener the client's metrics listener, or null for none
     */
    public Telemetry(@Nullable PieMetricsListener listener) {
        this.listener = listener;
    }

    // ---------------------------------------------------------------- connections

    /** A connection being opened; {@link #opened} or {@link #failed} ends it. */
    public final class Opening {
        private final @Nullable ConnectionEvent event = recorderInitialized() ? new ConnectionEvent() : null;
        private final String engine;

        private Opening(URI uri) {
            this.engine = engine(uri);
            if (event != null) event.begin();
        }

        /** The connection is open. */
        public void opened() {
            end("opened", "");
        }

        /**
         * The connection could not be opened.
         *
         * @param cause why
         */
        public void failed(RuntimeException cause) {
            end("failed", String.valueOf(cause.getMessage()));
        }

        private void end(String outcome, String failure) {
            if (event != null) event.end();
            if (event != null && event.shouldCommit()) {
                event.engine = engine;
                event.tls = engine.startsWith("wss:");
                event.outcome = outcome;
                event.failure = failure;
                event.commit();
            }
            count("pie.client.connections", 1, Map.of("event", outcome));
        }
    }

    /**
     * Starts timing the opening of a connection.
     *
     * @param uri the engine's address
     * @return what to tell when it is open or has failed
     */
    public Opening opening(URI uri) {
        return new Opening(uri);
    }

    /**
     * Wraps a connection's frame handler so that its end is reported; messages go straight through.
     *
     * @param handler the handler that routes the connection's messages
     * @param uri     the engine's address
     * @return a handler to give the transport
     */
    public FrameHandler reportingClose(FrameHandler handler, URI uri) {
        long since = System.nanoTime();
        String engine = engine(uri);
        return new FrameHandler() {
            @Override
            public void onMessage(byte[] buf, int length) {
                handler.onMessage(buf, length);
            }

            @Override
            public void onText(String text) {
                handler.onText(text);
            }

            @Override
            public void onClosed(TransportClosedException cause) {
                try {
                    handler.onClosed(cause);
                } finally {
                    if (recorderInitialized()) {
                        ConnectionClosedEvent e = new ConnectionClosedEvent();
                        if (e.shouldCommit()) {
                            e.engine = engine;
                            e.cause = String.valueOf(cause.getMessage());
                            e.connectedFor = System.nanoTime() - since;
                            e.commit();
                        }
                    }
                    count("pie.client.connections", 1, Map.of("event", "closed"));
                }
            }
        };
    }

    /**
     * The engine's scheme, host and port: never its path, query or user information, which may hold
     * credentials.
     */
    static String engine(URI uri) {
        String host = uri.getHost() == null ? "?" : uri.getHost();
        return uri.getScheme() + "://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host)
                + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    // ---------------------------------------------------------------- requests

    /**
     * A request starts; {@link RequestTrace#ended} ends it.
     *
     * @return its trace
     */
    public RequestTrace requestStarted() {
        return new RequestTrace(this, recorderInitialized() ? new RequestEvent() : null,
                listener == null ? 0 : System.nanoTime());
    }

    static String outcomeOf(Throwable failure) {
        if (failure instanceof PieTimeoutException) return "timeout";
        if (failure instanceof PieConnectionException) return "connection";
        if (failure.getCause() instanceof InterruptedException) return "interrupted";
        return "failed";
    }

    // ---------------------------------------------------------------- processes and transfers

    /**
     * A process is being launched or attached; null when nobody would see its end (no recording of its
     * event type now, no listener), so an untraced launch costs nothing more.
     *
     * @param inferlet the program, {@code name@version}, or "" for an attach
     * @return its trace, to give its queue, or null
     */
    public @Nullable ProcessTrace processStarted(String inferlet) {
        ProcessRunEvent e = recorderInitialized() ? new ProcessRunEvent() : null;
        if ((e == null || !e.isEnabled()) && listener == null) return null;
        return new ProcessTrace(this, e, inferlet, listener == null ? 0 : System.nanoTime());
    }

    /**
     * An upload or download starts; {@link TransferTrace#ended} ends it.
     *
     * @param direction {@code upload} or {@code download}
     * @param kind      {@code program} or {@code file}
     * @param bytes     its size
     * @return its trace
     */
    public TransferTrace transferStarted(String direction, String kind, long bytes) {
        return new TransferTrace(this, recorderInitialized() ? new TransferEvent() : null, direction, kind, bytes,
                listener == null ? 0 : System.nanoTime());
    }

    // ---------------------------------------------------------------- reconnecting

    /**
     * An attempt to re-establish a lost connection starts (for the reconnect machinery); hand the result
     * to {@link #reconnectAttemptEnded}.
     *
     * @return the attempt's event, begun, or null before Flight Recorder is initialized
     */
    public @Nullable ReconnectAttemptEvent reconnectAttemptStarted() {
        if (!recorderInitialized()) return null;
        ReconnectAttemptEvent e = new ReconnectAttemptEvent();
        e.begin();
        return e;
    }

    /**
     * An attempt to re-establish a lost connection has ended.
     *
     * @param e       what {@link #reconnectAttemptStarted} returned
     * @param uri     the engine's address
     * @param attempt 1 for the first attempt after the loss
     * @param delay   how long the client waited before it
     * @param failure why it failed, or null if it connected
     */
    public void reconnectAttemptEnded(@Nullable ReconnectAttemptEvent e, URI uri, int attempt, Duration delay,
                                      @Nullable Throwable failure) {
        if (e != null) e.end();
        String outcome = failure == null ? "connected" : "failed";
        if (e != null && e.shouldCommit()) {
            e.engine = engine(uri);
            e.attempt = attempt;
            e.delay = delay.toNanos();
            e.outcome = outcome;
            e.failure = failure == null ? "" : String.valueOf(failure.getMessage());
            e.commit();
        }
        count("pie.client.reconnect.attempts", 1, Map.of("outcome", outcome));
    }

    // ---------------------------------------------------------------- Flight Recorder and the listener

    /**
     * Whether Flight Recorder is initialized in this JVM. Every recording initializes it before it starts
     * ({@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, a {@code Recording} or {@code
     * RecordingStream} made in code), so before then no event could be recorded, and making one would only
     * cost the recorder's set-up; the check is a read of one field.
     */
    static boolean recorderInitialized() {
        return FlightRecorder.isInitialized();
    }

    boolean hasListener() {
        return listener != null;
    }

    void count(String name, long amount, Map<String, String> tags) {
        if (listener == null) return;
        try {
            listener.count(name, amount, tags);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    void time(String name, long nanos, Map<String, String> tags) {
        if (listener == null) return;
        try {
            listener.time(name, Duration.ofNanos(nanos), tags);
        } catch (RuntimeException e) {
            listenerFailed(e);
        }
    }

    /** Logged and kept: metrics are never worth a failed call or a stalled connection. */
    private void listenerFailed(RuntimeException e) {
        boolean first = listenerFailed.compareAndSet(false, true);
        LOG.log(first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                "the metrics listener threw; it is kept" + (first ? " (later failures are logged at DEBUG)" : ""), e);
    }
}
