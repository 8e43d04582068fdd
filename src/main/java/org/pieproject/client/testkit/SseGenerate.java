package org.pieproject.client.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import org.pieproject.client.gateway.GatewayIdentity;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage;

/**
 * One {@code POST /v1/generate} of the gateway mode, as dev's gateway/src/ingress/http.rs answers it. The
 * body is read first, as axum's {@code Json} extractor does before the handler runs: 415 without
 * {@code Content-Type: application/json}, 400 for text that is not JSON, 422 for JSON that is not a client
 * message. Then the identity (401), then admission (503). Then an SSE stream, chunked: one
 * {@code data: <json>} event per server message of the turn, {@code data: [DONE]} at its clean end, or
 * {@code event: error} / {@code data: stream aborted} when it is aborted. A client that goes away ends the
 * turn, which terminates its process. (The gateway's 15-second keep-alive comments are not sent.)
 */
final class SseGenerate implements GatewaySession.Outlet {
    private final TestEngine engine;
    private final GatewayControls controls;
    private final int number;
    private final ReentrantLock writing = new ReentrantLock();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile OutputStream out;
    private volatile Session session;

    SseGenerate(TestEngine engine, GatewayControls controls, int number) {
        this.engine = engine;
        this.controls = controls;
        this.number = number;
    }

    void serve(Socket socket, GatewayFrontDoor.Head head, InputStream in, GatewayFrontDoor door) throws IOException {
        OutputStream o = socket.getOutputStream();
        String type = head.header("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            GatewayFrontDoor.respond(o, 415, "Expected request with `Content-Type: application/json`");
            return;
        }
        String body = new String(readBody(in, head), StandardCharsets.UTF_8);
        ClientMessage message;
        try {
            Map<String, Object> map = GatewayJson.parse(body);
            engine.recordReceived(map);
            String error = GatewaySession.vocabularyError(map);
            if (error != null) throw new ClientMessageDecoder.Undecodable(error);
            message = ClientMessageDecoder.bind(map);
        } catch (GatewayJson.Syntax e) {
            GatewayFrontDoor.respond(o, 400, "Failed to parse the request body as JSON: " + e.getMessage());
            return;
        } catch (ClientMessageDecoder.Undecodable e) {
            GatewayFrontDoor.respond(o, 422, "Failed to deserialize the JSON body into the target type: " + e.getMessage());
            return;
        }
        GatewayIdentity identity = door.identify(head, o);
        if (identity == null) return;
        Optional<String> refusal = controls.admissionRefusal();
        if (refusal.isPresent()) {
            GatewayFrontDoor.respond(o, 503, "admission: admission rejected: " + refusal.get());
            return;
        }
        o.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
                + "transfer-encoding: chunked\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        o.flush();
        this.out = o;
        Session session = Session.gatewayOneShot(number, engine, controls, this);
        this.session = session;
        controls.sessions.add(session);
        try {
            // The request has been read whole: the next thing from the client is its going away.
            Thread watcher = Thread.ofVirtual().name("pie-test-sse-watch").start(() -> {
                try {
                    while (in.read() >= 0) {
                        // nothing more is expected; keep reading until the end
                    }
                } catch (IOException e) {
                    // the connection ended
                }
                if (!finished.isDone()) {
                    session.clientGone();
                    finish();
                }
            });
            session.submit(message);
            finished.get();
            writeChunk(new byte[0]); // the last chunk of a chunked body
            watcher.interrupt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            controls.sessions.remove(session);
            session.onClosed();
        }
    }

    private static byte[] readBody(InputStream in, GatewayFrontDoor.Head head) throws IOException {
        String length = head.header("content-length");
        int n = length == null ? 0 : Integer.parseInt(length.strip());
        return in.readNBytes(n);
    }

    @Override
    public void message(ServerMessage m) {
        event("data: " + GatewaySession.json(m) + "\n\n");
    }

    @Override
    public void turnDone() {
        event("data: [DONE]\n\n");
        finish();
    }

    @Override
    public void error(String message) {
        event("event: error\ndata: " + message + "\n\n");
        finish();
    }

    @Override
    public void close() {
        finish();
    }

    private void finish() {
        finished.complete(null);
    }

    private void event(String text) {
        if (finished.isDone()) return;
        writeChunk(text.getBytes(StandardCharsets.UTF_8));
    }

    private void writeChunk(byte[] data) {
        writing.lock();
        try {
            OutputStream o = out;
            o.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            o.write(data);
            o.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            o.flush();
        } catch (IOException e) {
            if (!finished.isDone()) {
                Session s = session;
                if (s != null) s.clientGone(); // the client is gone: its turn ends on the worker too
                finish();
            }
        } finally {
            writing.unlock();
        }
    }
}
