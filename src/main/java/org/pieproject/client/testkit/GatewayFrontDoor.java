package org.pieproject.client.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.pieproject.client.gateway.GatewayIdentity;

/**
 * The gateway mode's one listening port, routed as dev's gateway routes it (gateway/src/ingress/mod.rs):
 * {@code GET /v1/ws} is checked for its identity header and then passed, byte for byte, to the internal
 * WebSocket server; {@code POST /v1/generate} is answered here ({@link SseGenerate}); anything else is 404,
 * a known path with the wrong method 405.
 *
 * <p>Why a hand-written front door: Java-WebSocket can refuse an upgrade only with 404 or 500, never with
 * the 401 the gateway sends, and cannot serve a plain HTTP request; the JDK's {@code com.sun.net.httpserver}
 * can serve HTTP but cannot hand a connection over to a WebSocket server. Reading one request head and
 * then either answering it or relaying the socket is a few dozen lines, and keeps one port for both paths,
 * as the gateway has.
 */
final class GatewayFrontDoor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GatewayFrontDoor.class.getName());
    private static final int MAX_HEAD_BYTES = 64 << 10;

    /** A request's first line and headers; {@code raw} is exactly the bytes read. */
    record Head(String method, String path, Map<String, String> headers, byte[] raw) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final TestEngine engine;
    private final GatewayControls controls;
    private final AtomicInteger sessionNumbers;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile InetSocketAddress engineAddress;
    private volatile boolean closed;

    GatewayFrontDoor(InetSocketAddress address, TestEngine engine, GatewayControls controls, AtomicInteger sessionNumbers)
            throws IOException {
        this.engine = engine;
        this.controls = controls;
        this.sessionNumbers = sessionNumbers;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Starts accepting; WebSocket upgrades are relayed to {@code engineAddress}. */
    void start(InetSocketAddress engineAddress) {
        this.engineAddress = engineAddress;
        Thread.ofPlatform().daemon().name("pie-test-gateway").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread.ofVirtual().name("pie-test-gateway-conn").start(() -> serve(s));
            } catch (IOException e) {
                if (!closed) LOG.log(System.Logger.Level.DEBUG, "gateway accept failed", e);
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000); // a head that does not come in time ends the connection
            InputStream in = s.getInputStream();
            Head head = readHead(in);
            if (head == null) return;
            s.setSoTimeout(0);
            switch (head.path()) {
                case "/v1/ws" -> {
                    if (!head.method().equals("GET")) {
                        respond(s.getOutputStream(), 405, "");
                    } else if (head.header("upgrade") == null || !head.header("upgrade").equalsIgnoreCase("websocket")) {
                        respond(s.getOutputStream(), 400, "Connection header did not include 'upgrade'");
                    } else {
                        GatewayIdentity identity = identify(head, s.getOutputStream());
                        if (identity != null) relay(s, head);
                    }
                }
                case "/v1/generate" -> {
                    if (!head.method().equals("POST")) {
                        respond(s.getOutputStream(), 405, "");
                    } else {
                        new SseGenerate(engine, controls, sessionNumbers.incrementAndGet()).serve(s, head, in, this);
                    }
                }
                default -> respond(s.getOutputStream(), 404, "");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "gateway connection ended: {0}", e.getMessage());
        } finally {
            open.remove(s);
        }
    }

    /** The identity gate of both paths; answers 401 and returns null when the header is missing or unusable. */
    GatewayIdentity identify(Head head, OutputStream out) throws IOException {
        String raw = head.header(GatewayIdentity.HEADER);
        if (raw == null) {
            respond(out, 401, "identity: missing `" + GatewayIdentity.HEADER + "` (edge must inject verified identity)");
            return null;
        }
        try {
            GatewayIdentity identity = GatewayIdentity.parse(raw);
            controls.identified(identity);
            return identity;
        } catch (IllegalArgumentException e) {
            respond(out, 401, "identity: " + e.getMessage());
            return null;
        }
    }

    /** Hands the connection to the WebSocket server: the head as it came, then both directions as they come. */
    private void relay(Socket client, Head head) throws IOException {
        try (Socket engineSide = new Socket()) {
            open.add(engineSide);
            engineSide.setTcpNoDelay(true);
            engineSide.connect(engineAddress, 5000);
            OutputStream up = engineSide.getOutputStream();
            up.write(head.raw());
            up.flush();
            Thread back = Thread.ofVirtual().name("pie-test-gateway-relay").start(() -> pump(engineSide, client));
            pump(client, engineSide);
            try {
                back.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    /** Copies until either side ends, then ends both (a WebSocket's own Close frame passes through as bytes). */
    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[64 << 10];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side is gone
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Reads up to the blank line, one byte at a time so that nothing after it is consumed. */
    static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) return null;
            raw.write(b);
            if (raw.size() > MAX_HEAD_BYTES) return null;
            last4 = (last4 << 8) | b;
        }
        byte[] bytes = raw.toByteArray();
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length < 3) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        String target = first[1];
        int q = target.indexOf('?');
        return new Head(first[0], q < 0 ? target : target.substring(0, q), headers, bytes);
    }

    static void respond(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + (b.length > 0 ? "content-type: text/plain; charset=utf-8\r\n" : "")
                + "content-length: " + b.length + "\r\nconnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Entity";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) closeQuietly(s);
    }
}
