package org.pieproject.client.faults;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.pieproject.client.wire.MsgPackReader;
import org.pieproject.client.wire.MsgPackWriter;
import org.pieproject.client.wire.ServerMessage;

/**
 * A test-only WebSocket engine written straight on a {@link ServerSocket}, so a test can put any byte
 * sequence on the wire: fragments split anywhere, oversized or malformed frames, garbage, text, a Close
 * frame, a bare FIN or an RST, broken handshakes, a peer that stops reading or stops answering. A real
 * WebSocket library would refuse to produce most of these, which is why this does not use one.
 *
 * <p>Requests are answered by a {@link #responder} (by default: ping, authentication, launch and attach
 * succeed) on the connection's reader thread; {@link Conn} sends anything else a test scripts. Connection
 * threads are virtual, so they never show up in a count of platform threads.
 */
public final class RawFaultServer implements AutoCloseable {
    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int MAX_CLIENT_MESSAGE = 64 << 20;

    /** How the opening handshake of the next connections goes. */
    public enum Handshake { ACCEPT, UNAUTHORIZED_401, NOT_FOUND_404, WRONG_ACCEPT_KEY, NEVER_COMPLETE }

    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xA;

    private final ServerSocket server;
    private final Thread acceptor;
    private final LinkedBlockingQueue<Conn> accepted = new LinkedBlockingQueue<>();
    private final List<Conn> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong processCounter = new AtomicLong();
    private volatile Handshake handshake = Handshake.ACCEPT;
    private volatile boolean readRequests = true;
    private volatile Function<Map<String, Object>, ServerMessage> responder = this::defaultAnswer;

    private RawFaultServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("raw-fault-accept").start(this::acceptLoop);
    }

    public static RawFaultServer start() {
        try {
            return new RawFaultServer();
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind a loopback port", e);
        }
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort());
    }

    /** Sets how the handshake of connections accepted from now on goes. */
    public RawFaultServer handshake(Handshake h) {
        this.handshake = h;
        return this;
    }

    /**
     * Whether connections accepted from now on read what the client sends. Without reading, the client's
     * sends fill the socket buffers and then stall, as with an engine that stopped reading.
     */
    public RawFaultServer readRequests(boolean read) {
        this.readRequests = read;
        return this;
    }

    /** Replaces how requests are answered; a null answer leaves the request unanswered. */
    public RawFaultServer responder(Function<Map<String, Object>, ServerMessage> answer) {
        this.responder = answer;
        return this;
    }

    /** Answers ping, auth_identify and attach_process; leaves everything else unanswered. */
    public RawFaultServer answerOnly(String... types) {
        List<String> allowed = List.of(types);
        return responder(m -> allowed.contains(String.valueOf(m.get("type"))) ? defaultAnswer(m) : null);
    }

    /** The next connection whose handshake has been read, waiting up to {@code wait}. */
    public Conn nextConnection(Duration wait) {
        try {
            Conn c = accepted.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (c == null) throw new AssertionError("no connection within " + wait);
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Connections whose sockets are still open on this side. */
    public int openConnections() {
        int n = 0;
        for (Conn c : connections) if (!c.socket.isClosed()) n++;
        return n;
    }

    /** The engine's answer when nothing else is scripted. Process ids are predictable: see {@link #processId}. */
    public ServerMessage defaultAnswer(Map<String, Object> m) {
        Object corr = m.get("corr_id");
        if (!(corr instanceof Long id)) return null;
        return switch (String.valueOf(m.get("type"))) {
            case "ping" -> new ServerMessage.Response(id, true, "Pong");
            case "auth_identify" -> new ServerMessage.Response(id, true, "Authenticated (Engine disabled authentication)");
            case "launch_process" -> new ServerMessage.Response(id, true,
                    Boolean.TRUE.equals(m.get("capture_outputs")) ? processId(processCounter.incrementAndGet()) : "");
            case "attach_process" -> new ServerMessage.Response(id, true, "Process attached");
            case "terminate_process" -> new ServerMessage.Response(id, true, "Process terminated");
            default -> null;
        };
    }

    /** The id the default responder gives the {@code n}-th launched process (from 1). */
    public static String processId(long n) {
        return String.format("00000000-0000-4000-8000-%012x", n);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Conn c : connections) c.closeQuietly();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Conn c = new Conn(s, handshake, readRequests);
            connections.add(c);
            connections.removeIf(old -> old.socket.isClosed() && old.ended.getCount() == 0);
            // Tests that never ask for their connections must not make the server hold them all.
            while (accepted.size() > 64) accepted.poll();
            Thread.ofVirtual().name("raw-fault-conn").start(c::run);
        }
    }

    // ---------------------------------------------------------------- frames

    /** One unmasked server frame. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        return frame(fin, opcode, payload, 0, payload.length);
    }

    public static byte[] frame(boolean fin, int opcode, byte[] payload, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 10);
        out.write((fin ? 0x80 : 0) | opcode);
        if (len < 126) {
            out.write(len);
        } else if (len < 65536) {
            out.write(126);
            out.write(len >>> 8);
            out.write(len);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) out.write((int) ((long) len >>> shift));
        }
        out.write(payload, off, len);
        return out.toByteArray();
    }

    /** A whole binary message as one frame. */
    public static byte[] binaryFrame(byte[] payload) {
        return frame(true, OP_BINARY, payload);
    }

    private static String acceptKey(String key) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-1").digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One accepted TCP connection, and everything a test can make it do. */
    public final class Conn {
        private final Socket socket;
        private final Handshake mode;
        private final boolean reading;
        private final ReentrantLock writeLock = new ReentrantLock();
        private final CountDownLatch handshaken = new CountDownLatch(1);
        private final CountDownLatch ended = new CountDownLatch(1);
        private final LinkedBlockingQueue<Map<String, Object>> requests = new LinkedBlockingQueue<>(1_000);
        private final AtomicLong requestCount = new AtomicLong();
        private final java.util.List<Long> pings = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean clientSentClose;
        private volatile boolean stopReading;
        private volatile boolean answerClose = true;
        private volatile Map<String, String> requestHeaders = Map.of();
        private InputStream in;
        private OutputStream out;

        private Conn(Socket socket, Handshake mode, boolean reading) {
            this.socket = socket;
            this.mode = mode;
            this.reading = reading;
        }

        private void run() {
            try {
                socket.setTcpNoDelay(true);
                in = new BufferedInputStream(socket.getInputStream(), 65536);
                out = new BufferedOutputStream(socket.getOutputStream(), 65536);
                String request = readHttpRequest(in);
                String key = requestHeaders.get("sec-websocket-key");
                switch (mode) {
                    case UNAUTHORIZED_401 -> refuse("401 Unauthorized");
                    case NOT_FOUND_404 -> refuse("404 Not Found");
                    case NEVER_COMPLETE -> {
                        accepted.add(this);
                        handshaken.countDown();
                        ended.await(); // until the server or the client closes
                    }
                    case ACCEPT, WRONG_ACCEPT_KEY -> {
                        String accept = mode == Handshake.ACCEPT ? acceptKey(key) : acceptKey(key + "x");
                        writeRaw(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        accepted.add(this);
                        handshaken.countDown();
                        if (request != null && reading) readFrames();
                        else ended.await();
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                // The peer went away or the test closed the server: this connection is over.
            } finally {
                closeQuietly();
                handshaken.countDown();
                ended.countDown();
            }
        }

        private void refuse(String status) throws IOException {
            writeRaw(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            accepted.add(this);
            handshaken.countDown();
        }

        private String readHttpRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) throw new EOFException("handshake cut short");
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (head.size() > 65536) throw new IOException("handshake too long");
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            requestHeaders = Map.copyOf(headers);
            return lines[0];
        }

        private void readFrames() throws IOException {
            DataInputStream data = new DataInputStream(in);
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                if (stopReading) {
                    awaitEndUninterruptibly();
                    return;
                }
                int b0 = data.read();
                if (b0 < 0) return;
                int b1 = data.readUnsignedByte();
                boolean fin = (b0 & 0x80) != 0;
                int op = b0 & 0x0F;
                long len = b1 & 0x7F;
                if (len == 126) len = data.readUnsignedShort();
                else if (len == 127) len = data.readLong();
                if (len < 0 || len > MAX_CLIENT_MESSAGE) throw new IOException("client frame of " + len + " bytes");
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) data.readFully(mask);
                byte[] payload = new byte[(int) len];
                data.readFully(payload);
                for (int i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
                switch (op) {
                    case OP_CLOSE -> {
                        clientSentClose = true;
                        if (answerClose) send(frame(true, OP_CLOSE, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0]));
                        return;
                    }
                    case OP_PING -> {
                        pings.add(System.nanoTime());
                        send(frame(true, OP_PONG, payload));
                    }
                    case OP_PONG -> { }
                    default -> {
                        message.write(payload);
                        if (message.size() > MAX_CLIENT_MESSAGE) throw new IOException("client message too large");
                        if (fin) {
                            byte[] whole = message.toByteArray();
                            message.reset();
                            if (op != OP_TEXT || whole.length > 0) handleRequest(whole);
                        }
                    }
                }
            }
        }

        @SuppressWarnings("unchecked")
        private void handleRequest(byte[] bytes) {
            Map<String, Object> m;
            try {
                Object v = new MsgPackReader(bytes).readValue();
                if (!(v instanceof Map<?, ?> map)) return;
                m = (Map<String, Object>) map;
            } catch (RuntimeException e) {
                return; // as the engine does: an undecodable request is dropped silently
            }
            requestCount.incrementAndGet();
            while (!requests.offer(m)) requests.poll(); // keep the most recent ones
            ServerMessage answer = responder.apply(m);
            if (answer != null) sendMessage(answer);
        }

        // ------------------------------------------------------------ what a test can do

        /** Waits until the handshake was read (and answered, if it is answered at all). */
        public Conn awaitHandshake(Duration wait) throws InterruptedException {
            if (!handshaken.await(wait.toNanos(), TimeUnit.NANOSECONDS)) throw new AssertionError("no handshake");
            return this;
        }

        /** The upgrade request's headers, names in lowercase. */
        public Map<String, String> requestHeaders() {
            return requestHeaders;
        }

        /** The next request the client sent, decoded, or null if none came within {@code wait}. */
        public Map<String, Object> nextRequest(Duration wait) throws InterruptedException {
            return requests.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The next request of the given type, skipping others; null if none within {@code wait}. */
        public Map<String, Object> nextRequest(String type, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                Map<String, Object> m = requests.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (m == null || type.equals(m.get("type"))) return m;
            }
        }

        /** When each WebSocket Ping from the client arrived ({@link System#nanoTime()}), oldest first. */
        public java.util.List<Long> pingTimes() {
            return java.util.List.copyOf(pings);
        }

        /** How many decodable requests arrived on this connection. */
        public long requestCount() {
            return requestCount.get();
        }

        /** True once the client sent a Close frame. */
        public boolean clientSentClose() {
            return clientSentClose;
        }

        /** Whether a Close frame from the client is answered with one (default true). */
        public Conn answerClose(boolean answer) {
            this.answerClose = answer;
            return this;
        }

        /** True once this side's socket is closed, waiting up to {@code wait}. */
        public boolean awaitEnd(Duration wait) throws InterruptedException {
            return ended.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Encodes and sends one message as a single binary frame. */
        public void sendMessage(ServerMessage m) {
            sendBinary(m.encode());
        }

        /** Sends {@code payload} as one binary message in one frame. */
        public void sendBinary(byte[] payload) {
            send(binaryFrame(payload));
        }

        /**
         * Sends {@code payload} as one binary message cut at the given offsets (ascending, 0 and
         * {@code payload.length} allowed, so fragments may be empty): a binary frame then continuation frames.
         */
        public void sendFragmented(byte[] payload, int... cuts) {
            ByteArrayOutputStream all = new ByteArrayOutputStream(payload.length + 10 * (cuts.length + 1));
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : payload.length;
                all.writeBytes(frame(i == cuts.length, i == 0 ? OP_BINARY : OP_CONTINUATION, payload, from, to - from));
                from = to;
            }
            send(all.toByteArray());
        }

        /** Sends a text message. */
        public void sendText(String text) {
            send(frame(true, OP_TEXT, text.getBytes(StandardCharsets.UTF_8)));
        }

        /** Sends a Close frame with {@code code} and {@code reason}, and nothing after it. */
        public void sendClose(int code, String reason) {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + r.length];
            payload[0] = (byte) (code >>> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
            send(frame(true, OP_CLOSE, payload));
        }

        /** Writes bytes exactly as given: frames built elsewhere, or garbage that is no frame at all. */
        public void send(byte[] bytes) {
            writeLock.lock();
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException("write failed: " + e.getMessage(), e);
            } finally {
                writeLock.unlock();
            }
        }

        /**
         * Writes a pre-built frame {@code times} times, in batches, so that answers to requests can slip in
         * between batches (as the engine interleaves responses with a process's output). Returns when all
         * are written; throws if the connection breaks.
         */
        public void sendRepeated(byte[] frame, long times) {
            long left = times;
            while (left > 0) {
                int batch = (int) Math.min(left, 512);
                writeLock.lock();
                try {
                    for (int i = 0; i < batch; i++) out.write(frame);
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException("write failed after " + (times - left) + " frames: " + e.getMessage(), e);
                } finally {
                    writeLock.unlock();
                }
                left -= batch;
            }
        }

        /**
         * Stops reading from the socket (after the frame being read, if any), so that the client's sends fill
         * the socket buffers and then stall, as with an engine that stopped reading.
         */
        public void stopReading() {
            stopReading = true;
        }

        private void awaitEndUninterruptibly() {
            try {
                ended.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Ends the connection with a TCP FIN and no WebSocket Close frame. */
        public void finWithoutClose() throws IOException {
            writeLock.lock();
            try {
                out.flush();
                socket.shutdownOutput();
                // Then go away, as an engine that ends a connection does: a peer that only half-closes
                // and keeps reading can only be noticed through the EOF, which the JDK's client now and
                // then never reads; a peer that is gone is also found by the client's liveness probe.
                socket.close();
            } finally {
                writeLock.unlock();
            }
        }

        /** Aborts the connection with a TCP RST. */
        public void reset() throws IOException {
            writeLock.lock();
            try {
                out.flush();
                socket.setSoLinger(true, 0);
                socket.close();
            } finally {
                writeLock.unlock();
            }
        }

        private void writeRaw(byte[] bytes) throws IOException {
            writeLock.lock();
            try {
                out.write(bytes);
                out.flush();
            } finally {
                writeLock.unlock();
            }
        }

        void closeQuietly() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken
            }
            ended.countDown();
        }
    }
}
