package org.pieproject.client.testkit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.MsgPackException;
import org.pieproject.client.wire.ServerMessage;

/**
 * A deliberately thin engine client for tests: JDK WebSocket plus the wire codec, no routing, no
 * retries. Everything that arrives is queued in order, so a test can assert the exact sequence.
 * Waiting methods fail with an {@link AssertionError} when nothing arrives in time.
 */
public final class RawEngineClient implements AutoCloseable {

    /** Default wait for one message. */
    public static final Duration WAIT = Duration.ofSeconds(5);

    /** One binary message as it arrived: decoded (or the decoding error), and in how many frames. */
    public record Incoming(ServerMessage message, MsgPackException error, byte[] raw, int frames) {
    }

    private final WebSocket ws;
    private final LinkedBlockingQueue<Incoming> incoming = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicLong ids = new AtomicLong(1);

    private RawEngineClient(URI uri, Map<String, String> headers) {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(b::header);
        this.ws = b.buildAsync(uri, new Listener()).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public static RawEngineClient connect(URI uri) {
        return new RawEngineClient(uri, Map.of());
    }

    public static RawEngineClient connect(URI uri, Map<String, String> headers) {
        return new RawEngineClient(uri, headers);
    }

    /** Connects and authenticates against a server with authentication disabled. */
    public static RawEngineClient connectAs(URI uri, String username) {
        RawEngineClient c = connect(uri);
        ServerMessage.Response r = c.call(new ClientMessage.AuthIdentify(c.nextId(), username));
        if (!r.ok()) throw new AssertionError("authentication failed: " + r.result());
        return c;
    }

    /** A fresh correlation id (counting up from 1). */
    public long nextId() {
        return ids.getAndIncrement();
    }

    public void send(ClientMessage message) {
        sendRaw(message.encode());
    }

    public void sendRaw(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    public void sendText(String text) {
        ws.sendText(text, true).orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Sends a request and returns the next message, which must be its response. */
    public ServerMessage.Response call(ClientMessage.Request request) {
        send(request);
        return response(request.corrId());
    }

    /** The next message, which must be a response with this correlation id. */
    public ServerMessage.Response response(long corrId) {
        ServerMessage m = next();
        if (!(m instanceof ServerMessage.Response r) || r.corrId() != corrId) {
            throw new AssertionError("expected the response to " + corrId + ", got " + m);
        }
        return r;
    }

    public ServerMessage next() {
        return next(WAIT);
    }

    /** The next decoded message. */
    public ServerMessage next(Duration timeout) {
        Incoming in = nextIncoming(timeout);
        if (in.error() != null) throw new AssertionError("undecodable message from the server", in.error());
        return in.message();
    }

    /** The next binary message, decodable or not. */
    public Incoming nextIncoming(Duration timeout) {
        try {
            Incoming in = incoming.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (in == null) throw new AssertionError("nothing arrived within " + timeout.toMillis() + " ms");
            return in;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next text message. */
    public String nextText(Duration timeout) throws InterruptedException {
        String t = texts.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (t == null) throw new AssertionError("no text message within " + timeout.toMillis() + " ms");
        return t;
    }

    /** Whether the JDK WebSocket considers its input side closed. */
    public boolean isInputClosed() {
        return ws.isInputClosed();
    }

    /** Binary messages received and not yet taken. */
    public int pending() {
        return incoming.size();
    }

    /** Completes with the close code when the connection ends (-1 for an error or an abrupt end). */
    public CompletableFuture<Integer> closedFuture() {
        return closed;
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(1, TimeUnit.SECONDS).join();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private int frames;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            buf.writeBytes(part);
            frames++;
            if (last) {
                byte[] raw = buf.toByteArray();
                buf.reset();
                int n = frames;
                frames = 0;
                try {
                    incoming.add(new Incoming(ServerMessage.decode(raw), null, raw, n));
                } catch (MsgPackException e) {
                    incoming.add(new Incoming(null, e, raw, n));
                }
            }
            webSocket.request(1);
            return null;
        }

        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                texts.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }
}
