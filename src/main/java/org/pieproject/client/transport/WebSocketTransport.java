package org.pieproject.client.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieTimeoutException;

/**
 * One WebSocket connection over {@code java.net.http}: assembles fragments into whole binary messages
 * under a size cap, hands them to a {@link FrameHandler}, and sends binary messages one at a time, each
 * with a deadline. Knows bytes, not protocol messages.
 */
public final class WebSocketTransport {
    private static final System.Logger LOG = System.getLogger(WebSocketTransport.class.getName());

    /** The engine's WebSocket library refuses frames over 16 MiB; larger messages go out fragmented. */
    static final int MAX_FRAME_BYTES = 16 << 20;
    private static final Duration CLOSE_GRACE = Duration.ofMillis(500);
    /** A gateway's control frames are a few dozen characters; its error texts stay well under this. */
    private static final int MAX_TEXT_CHARS = 64 << 10;
    private static final int INITIAL_BUFFER_BYTES = 64 << 10;
    /** File chunks are 256 KiB; keep a buffer that fits them, drop anything larger after use. */
    private static final int RETAINED_BUFFER_BYTES = 512 << 10;

    private final URI uri;
    private final SharedHttpClient shared;
    private final HttpClient http;
    private final AtomicBoolean released = new AtomicBoolean();
    private final FrameHandler handler;
    private final int maxMessageBytes;
    private final Duration sendTimeout;
    private final Listener listener = new Listener();
    private final SendQueue sends = new SendQueue();
    private final AtomicReference<TransportClosedException> closed = new AtomicReference<>();
    private volatile WebSocket ws;
    /** The last liveness probe sent. */
    private volatile CompletableFuture<WebSocket> lastProbe;
    /** Set by close(): the engine's Close reply must not be reported as the engine closing. */
    private volatile boolean closeRequested;

    private WebSocketTransport(URI uri, TlsSettings tls, FrameHandler handler, int maxMessageBytes, Duration sendTimeout) {
        this.uri = uri;
        this.handler = handler;
        this.maxMessageBytes = maxMessageBytes;
        this.sendTimeout = sendTimeout;
        this.shared = SharedHttpClient.of(uri, tls);
        this.http = shared.acquire();
    }

    /**
     * Opens a connection, or throws a {@link PieConnectionException} saying why not. Every request header
     * in {@code headers} is sent with the upgrade request.
     *
     * @param uri             the engine's {@code ws} or {@code wss} address
     * @param headers         extra upgrade request headers
     * @param connectTimeout  how long the opening handshake may take
     * @param maxMessageBytes the largest message taken; a larger one fails the connection
     * @param sendTimeout     how long one send may wait for the socket
     * @param handler         receives every message and, once, the end of the connection
     * @return the open transport
     */
    public static WebSocketTransport connect(URI uri, Map<String, String> headers, Duration connectTimeout,
                                             int maxMessageBytes, Duration sendTimeout, FrameHandler handler) {
        return connect(uri, headers, TlsSettings.DEFAULT, connectTimeout, maxMessageBytes, sendTimeout, handler);
    }

    /**
     * {@link #connect(URI, Map, Duration, int, Duration, FrameHandler)} with TLS settings of its own for a
     * {@code wss} address. A failed TLS handshake is a {@link PieConnectionException} that says so and why
     * (an untrusted certificate, a host name the certificate does not match).
     *
     * @param uri             the engine's {@code ws} or {@code wss} address
     * @param headers         extra upgrade request headers
     * @param tls             the TLS to use for {@code wss} ({@link TlsSettings#DEFAULT}: the JVM's)
     * @param connectTimeout  how long the opening handshake may take
     * @param maxMessageBytes the largest message taken; a larger one fails the connection
     * @param sendTimeout     how long one send may wait for the socket
     * @param handler         receives every message and, once, the end of the connection
     * @return the open transport
     */
    public static WebSocketTransport connect(URI uri, Map<String, String> headers, TlsSettings tls,
                                             Duration connectTimeout, int maxMessageBytes, Duration sendTimeout,
                                             FrameHandler handler) {
        WebSocketTransport t = new WebSocketTransport(uri, tls, handler, maxMessageBytes, sendTimeout);
        try {
            WebSocket.Builder b = t.http.newWebSocketBuilder().connectTimeout(connectTimeout);
            headers.forEach(b::header);
            t.ws = b.buildAsync(uri, t.listener).get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            LivenessProbe.watch(t);
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.releaseHttpClient();
            throw new PieException("interrupted while connecting to " + uri, e);
        } catch (TimeoutException e) {
            t.releaseHttpClient();
            throw new PieConnectionException("could not connect to " + uri + ": no answer within " + connectTimeout, e);
        } catch (ExecutionException e) {
            t.releaseHttpClient();
            if (e.getCause() instanceof WebSocketHandshakeException h && h.getResponse().statusCode() == 401) {
                throw new PieConnectionException("could not connect to " + uri + ": " + unauthorized(headers), h);
            }
            throw new PieConnectionException("could not connect to " + uri + ": " + describe(e.getCause()), e.getCause());
        } catch (RuntimeException e) {
            t.releaseHttpClient();
            throw new PieConnectionException("could not connect to " + uri + ": " + describe(e), e);
        }
    }

    /** A Pie 0.5 gateway answers 401 to an upgrade without a usable identity header (never to a 0.4 engine's). */
    private static String unauthorized(Map<String, String> headers) {
        boolean sent = headers.keySet().stream().anyMatch("x-pie-identity"::equalsIgnoreCase);
        return sent
                ? "the server refused the WebSocket upgrade (HTTP 401 Unauthorized); a Pie 0.5 gateway refuses so an"
                + " x-pie-identity header it cannot read ([tenant/]user with a non-empty user)"
                : "the server refused the WebSocket upgrade (HTTP 401 Unauthorized): the x-pie-identity header is"
                + " missing; a Pie 0.5 gateway requires it (PieClient.Builder.identity(\"[tenant/]user\"))";
    }

    private static String describe(Throwable e) {
        String tls = TlsFailure.describe(e);
        if (tls != null) return tls;
        if (e instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            // A 101 that the JDK refuses is a broken handshake (e.g. a wrong Sec-WebSocket-Accept), not a refusal.
            return status == 101
                    ? "the server's WebSocket handshake is invalid (" + h.getMessage() + ")"
                    : "the server refused the WebSocket upgrade (HTTP " + status + ")";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the connect timeout";
        }
        String m = e.getMessage();
        if (e instanceof ConnectException && m == null) {
            return "ConnectException: the connection was refused (nothing listens there?)";
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * The address this transport connected to, for messages and {@code toString()}.
     *
     * @return the engine's URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * Why the connection ended, or null while it is open.
     *
     * @return the cause, or null
     */
    public TransportClosedException closeCause() {
        return closed.get();
    }

    /**
     * Sends one binary message of {@code buf[0, length)} (the array must not change until this returns) and
     * waits until the JDK has taken it. Sends from many threads go out one at a time, in call order.
     *
     * @param buf    the message bytes (and more)
     * @param length how many bytes of {@code buf} to send
     * @throws PieTimeoutException if it could not be sent within the send timeout; the connection is then
     *                             failed, because a half-sent message leaves it unusable
     */
    public void send(byte[] buf, int length) {
        awaitSent(sendLater(buf, length));
    }

    /**
     * Queues one binary message of {@code buf[0, length)} (the array must not change until the returned
     * future completes) and returns at once; {@link #awaitSent} waits for it with the send deadline. Lets a
     * caller keep several messages in flight, as a chunked upload does.
     *
     * @param buf    the message bytes (and more)
     * @param length how many bytes of {@code buf} to send
     * @return completes when the JDK has taken the message
     */
    public CompletableFuture<Void> sendLater(byte[] buf, int length) {
        TransportClosedException c = closed.get();
        if (c != null) throw new PieConnectionException("connection is closed: " + c.getMessage(), c);
        return sends.enqueue(ByteBuffer.wrap(buf, 0, length));
    }

    /**
     * Sends one text message (a 0.5 gateway's {@code cancel}) in order with the binary ones, without waiting.
     *
     * @param message the text
     * @return completes when the JDK has taken it
     */
    public CompletableFuture<Void> sendText(String message) {
        TransportClosedException c = closed.get();
        if (c != null) throw new PieConnectionException("connection is closed: " + c.getMessage(), c);
        return sends.enqueue(null, message);
    }

    /**
     * Fails the connection if the message being written has been at it for longer than the send timeout
     * (the engine has stopped reading; a message stuck half-written leaves the connection unusable).
     * Callers that gave up waiting for an answer ask this, so a stuck socket is found even by requests
     * whose own deadline is shorter than the send timeout.
     *
     * @return true if the connection was failed for it
     */
    public boolean failIfSendStuck() {
        long since = sends.inFlightSince;
        if (since == 0 || System.nanoTime() - since < sendTimeout.toNanos()) return false;
        sendMissedDeadline(sendTimeout);
        return true;
    }

    private void sendMissedDeadline(Duration deadline) {
        fail(new TransportClosedException("a send did not complete within " + deadline
                + " (the engine stopped reading?)", null));
    }

    /**
     * Waits for a message queued by {@link #sendLater}; the same failures as {@link #send}.
     *
     * @param done the future {@link #sendLater} returned
     */
    public void awaitSent(CompletableFuture<Void> done) {
        try {
            done.get(sendTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // It may still go out; we cannot take it back from the queue once the JDK has it.
            throw new PieException("interrupted while sending", e);
        } catch (TimeoutException e) {
            sendMissedDeadline(sendTimeout);
            throw new PieTimeoutException("send did not complete within " + sendTimeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PieException pe) throw pe;
            // A send that races the connection's end fails with the socket's view ("Output closed");
            // the recorded cause says what actually happened.
            TransportClosedException why = closed.get();
            if (why != null) throw new PieConnectionException("connection is closed: " + why.getMessage(), why);
            throw new PieConnectionException("send failed: " + describe(cause), cause);
        }
    }

    /**
     * Closes the connection: a Close frame, then the TCP connection is dropped. The engine's own Close
     * reply is not awaited: the engine may never send it (protocol.md §1.6), and nothing that could
     * still arrive would be delivered anyway. Idempotent; returns within about half a second.
     */
    public void close() {
        closeRequested = true;
        WebSocket socket = ws;
        if (closed.get() == null && socket != null) {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // The socket is stuck or already broken: drop it below.
            }
        }
        fail(new TransportClosedException("connection closed by the client", null));
        releaseHttpClient();
    }

    private void releaseHttpClient() {
        if (released.compareAndSet(false, true)) shared.release();
    }

    /**
     * Sends a WebSocket Ping; {@link LivenessProbe} calls this every {@link LivenessProbe#INTERVAL} while the
     * connection is open. The JDK's client sometimes never reads the end of a connection the engine has
     * closed (the socket sits in CLOSE_WAIT with nothing delivered: seen in about 1 of 30 abrupt drops
     * here), so every waiter would hang until its deadline. Writing is what finds a dead peer: the first
     * write after the engine is gone draws a reset, and the next fails, which ends the connection within
     * two or three probe intervals.
     */
    void probe() {
        if (closed.get() != null) {
            LivenessProbe.unwatch(this); // it may have closed before it was watched
            return;
        }
        CompletableFuture<WebSocket> last = lastProbe;
        if (last != null && !last.isDone()) return; // the previous probe is still queued: the engine is slow, not gone
        try {
            last = ws.sendPing(ByteBuffer.allocate(0)).toCompletableFuture();
            lastProbe = last;
            last.whenComplete((w, err) -> {
                if (err != null) fail(new TransportClosedException("connection lost: " + describe(err), err));
            });
        } catch (RuntimeException e) {
            fail(new TransportClosedException("connection lost: " + describe(e), e));
        }
    }

    /** Ends the connection with {@code cause}, once; later calls are ignored. */
    private void fail(TransportClosedException cause) {
        if (!closed.compareAndSet(null, cause)) return;
        LivenessProbe.unwatch(this);
        WebSocket socket = ws;
        if (socket != null) socket.abort();
        sends.failAll(cause);
        try {
            handler.onClosed(cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "close handler failed", e);
        }
    }

    /**
     * The outgoing messages, sent strictly one after another: the JDK refuses a second send while one is
     * pending ("Send pending"). The next send starts from the completion of the previous one, so no
     * thread waits for the socket.
     */
    private final class SendQueue {
        /** One message: binary {@code data}, or {@code text} when that is not null. */
        private record Item(ByteBuffer data, String text, CompletableFuture<Void> done) {}

        private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean sending = new AtomicBoolean();
        /** System.nanoTime() when the message now being written was handed to the JDK; 0 when idle. */
        volatile long inFlightSince;

        CompletableFuture<Void> enqueue(ByteBuffer data) {
            return enqueue(data, null);
        }

        CompletableFuture<Void> enqueue(ByteBuffer data, String text) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            queue.add(new Item(data, text, done));
            pump();
            return done;
        }

        private void pump() {
            // A loop, not recursion: the JDK often completes a send at once, and a completion that
            // started the next send from inside its own callback would grow the stack with the queue.
            while (!queue.isEmpty() && sending.compareAndSet(false, true)) {
                Item item = queue.poll();
                if (item == null) {
                    sending.set(false);
                    continue;
                }
                TransportClosedException c = closed.get();
                if (c != null) {
                    item.done.completeExceptionally(c);
                    sending.set(false);
                    continue;
                }
                inFlightSince = System.nanoTime() | 1; // never 0 while busy
                CompletableFuture<?> sent = sendFragments(item);
                if (sent.isDone()) {
                    finish(item, sent);
                    continue;
                }
                sent.whenComplete((ok, err) -> {
                    finish(item, sent);
                    pump();
                });
                return;
            }
        }

        private void finish(Item item, CompletableFuture<?> sent) {
            inFlightSince = 0;
            try {
                sent.join();
                item.done.complete(null);
            } catch (RuntimeException e) {
                item.done.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                        ? e.getCause() : e);
            }
            sending.set(false);
        }

        private CompletableFuture<?> sendFragments(Item item) {
            ByteBuffer data = item.data;
            try {
                if (item.text != null) return ws.sendText(item.text, true);
                if (data.remaining() <= MAX_FRAME_BYTES) {
                    return ws.sendBinary(data, true);
                }
                ByteBuffer part = data.slice(data.position(), MAX_FRAME_BYTES);
                data.position(data.position() + MAX_FRAME_BYTES);
                return ws.sendBinary(part, false).thenCompose(w -> sendFragments(item));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        void failAll(TransportClosedException cause) {
            Item item;
            while ((item = queue.poll()) != null) item.done.completeExceptionally(cause);
        }
    }

    /** The JDK's callbacks: copy, assemble, cap, hand over, ask for the next one. Never blocks. */
    private final class Listener implements WebSocket.Listener {
        private byte[] assembly = new byte[INITIAL_BUFFER_BYTES];
        private int assembled;
        private boolean discardingText;
        private final StringBuilder text = new StringBuilder();

        // Demand is granted in batches: asking the JDK for one message at a time costs more than
        // decoding it. The listener never blocks, so it never needs to hold demand back.
        private static final int DEMAND = 256;
        private int consumed;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(DEMAND);
        }

        /** Called after every callback: replenishes the demand when half of it is used. */
        private void next(WebSocket webSocket) {
            ListenerThread.callbackDone();
            if (++consumed == DEMAND / 2) {
                consumed = 0;
                webSocket.request(DEMAND / 2);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            try {
                int n = data.remaining();
                if ((long) assembled + n > maxMessageBytes) {
                    fail(new TransportClosedException("the engine sent a message larger than maxMessageBytes ("
                            + maxMessageBytes + " bytes)", null));
                    return null;
                }
                if (assembled + n > assembly.length) {
                    int want = (int) Math.min(maxMessageBytes, Math.max((long) assembly.length * 2, (long) assembled + n));
                    assembly = Arrays.copyOf(assembly, want);
                }
                data.get(assembly, assembled, n);
                assembled += n;
                if (last) {
                    int length = assembled;
                    assembled = 0;
                    // The handler decodes synchronously and copies what it keeps, so one buffer serves every
                    // message; after a rare large one it goes back to its usual size.
                    handler.onMessage(assembly, length);
                    if (assembly.length > RETAINED_BUFFER_BYTES) assembly = new byte[INITIAL_BUFFER_BYTES];
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "dropping a message the handler could not take", e);
            }
            next(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            // Engines up to 0.4 send no text; a 0.5 gateway sends short JSON control frames. Anything longer
            // than a control frame can be is dropped whole, fragments included.
            if (!discardingText) {
                if (text.length() + data.length() > MAX_TEXT_CHARS) {
                    LOG.log(System.Logger.Level.WARNING, "dropping a text message of more than {0} characters", MAX_TEXT_CHARS);
                    text.setLength(0);
                    discardingText = true;
                } else {
                    text.append(data);
                }
            }
            if (last) {
                if (!discardingText) {
                    try {
                        handler.onText(text.toString());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "dropping a text message the handler could not take", e);
                    }
                }
                text.setLength(0);
                discardingText = false;
            }
            next(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            next(webSocket); // the JDK answers with a Pong by itself
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            next(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (closeRequested) {
                fail(new TransportClosedException("connection closed by the client", null));
            } else if (statusCode == 1006) {
                // The JDK's code for a TCP end without a Close frame (RFC 6455 §7.1.5).
                fail(new TransportClosedException("connection lost: the engine ended the TCP connection without"
                        + " a WebSocket Close frame", null));
            } else {
                fail(new TransportClosedException("the engine closed the connection (code " + statusCode
                        + (reason == null || reason.isEmpty() ? "" : ", " + reason) + ")", null));
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(new TransportClosedException("connection lost: " + describe(error), error));
        }
    }
}
