// The engine's ceiling: a WebSocket client on a plain blocking socket that does as little as a client can.
// It writes pre-encoded frames masked with the all-zero key (legal, and the payload then needs no masking)
// and reads with a 1 MiB buffer, parsing only frame headers to count messages. If the raw JDK client
// reaches less than this, the engine is not what limits it.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

final class BenchProbe implements Bench.Side {
    private final URI uri;
    private final Conn conn;

    BenchProbe(URI uri) throws IOException {
        this.uri = uri;
        this.conn = Conn.open(uri);
        conn.out.write(frame(BenchWire.authIdentify(1, "bench")));
        conn.await(1);
    }

    /** One connection: the socket, and a frame counter over everything read from it. */
    static final class Conn implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final byte[] buf = new byte[1 << 20];
        long messages; // complete data frames seen (the engine never fragments)
        boolean closeSeen;
        // Header parsing state: bytes still to skip of the current payload, or the header being gathered.
        private long payloadLeft = -1;
        private int opcode;
        private final byte[] head = new byte[10];
        private int headLen;

        private Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Conn open(URI uri) throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            s.setSoTimeout(120_000);
            Conn c = new Conn(s);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            c.out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            int n = 0;
            while (true) {
                int r = c.in.read(c.buf, n, c.buf.length - n);
                if (r < 0) throw new IOException("connection closed during the upgrade");
                n += r;
                int end = indexOf(c.buf, n, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (end >= 0) {
                    String status = new String(c.buf, 0, Math.min(end, 64), StandardCharsets.US_ASCII);
                    if (!status.startsWith("HTTP/1.1 101")) throw new IOException("upgrade refused: " + status);
                    c.feed(c.buf, end + 4, n - end - 4);
                    return c;
                }
            }
        }

        private static int indexOf(byte[] b, int n, byte[] pat) {
            outer:
            for (int i = 0; i + pat.length <= n; i++) {
                for (int j = 0; j < pat.length; j++) if (b[i + j] != pat[j]) continue outer;
                return i;
            }
            return -1;
        }

        /** Counts the frames in {@code b[off, off+len)}, which continues whatever was read before. */
        void feed(byte[] b, int off, int len) {
            int end = off + len;
            while (off < end) {
                if (payloadLeft > 0) {
                    long skip = Math.min(payloadLeft, end - off);
                    off += (int) skip;
                    payloadLeft -= skip;
                    if (payloadLeft == 0) completed();
                    continue;
                }
                head[headLen++] = b[off++];
                if (headLen < 2) continue;
                int len7 = head[1] & 0x7f;
                int need = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
                if (headLen < need) continue;
                opcode = head[0] & 0x0f;
                long n = len7 < 126 ? len7 : 0;
                for (int i = 2; i < need; i++) n = n << 8 | (head[i] & 0xff);
                headLen = 0;
                payloadLeft = n;
                if (n == 0) completed();
            }
        }

        private void completed() {
            payloadLeft = -1;
            if (opcode == 8) closeSeen = true;
            else if (opcode == 2 || opcode == 1) messages++;
        }

        /** Reads until {@code total} messages have arrived since the connection opened. */
        void await(long total) throws IOException {
            while (messages < total) readOnce();
        }

        int readOnce() throws IOException {
            int r = in.read(buf);
            if (r < 0) throw new IOException("connection closed by the engine");
            feed(buf, 0, r);
            return r;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A client frame masked with the zero key, so the payload goes out as it is. */
    static byte[] frame(byte[] payload) {
        return frame(0x82, payload);
    }

    static byte[] frame(int first, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(first);
        int n = payload.length;
        if (n < 126) f.write(0x80 | n);
        else if (n < 0x10000) { f.write(0x80 | 126); f.write(n >> 8); f.write(n); }
        else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) f.write((int) ((long) n >>> (8 * i)));
        }
        f.writeBytes(new byte[4]);
        f.writeBytes(payload);
        return f.toByteArray();
    }

    @Override
    public double[] pingLatency(int pings) throws IOException {
        byte[] ping = frame(BenchWire.ping(7));
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t0 = System.nanoTime();
            long want = conn.messages + 1;
            conn.out.write(ping);
            conn.await(want);
            rtt[i] = System.nanoTime() - t0;
        }
        return Bench.percentiles(rtt);
    }

    @Override
    public double pingRate(int pings, int inFlight) throws IOException {
        byte[] ping = frame(BenchWire.ping(7));
        long base = conn.messages;
        int sent = Math.min(inFlight, pings);
        long t0 = System.nanoTime();
        conn.out.write(repeat(ping, sent));
        while (conn.messages - base < pings) {
            long before = conn.messages;
            conn.readOnce();
            int more = (int) Math.min(conn.messages - before, pings - sent);
            if (more > 0) {
                conn.out.write(repeat(ping, more));
                sent += more;
            }
        }
        return pings / ((System.nanoTime() - t0) / 1e9);
    }

    private static byte[] repeat(byte[] frame, int times) {
        byte[] b = new byte[frame.length * times];
        for (int i = 0; i < times; i++) System.arraycopy(frame, 0, b, i * frame.length, frame.length);
        return b;
    }

    @Override
    public double eventRate(int events) throws IOException {
        long want = conn.messages + events + 2;
        long t0 = System.nanoTime();
        conn.out.write(frame(BenchWire.launch(2, Bench.STREAM, "{\"events\":" + events + "}")));
        conn.await(want);
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double fanIn(int processes, int events) throws IOException {
        long want = conn.messages + (long) processes * (events + 2);
        byte[] launches = repeat(frame(BenchWire.launch(3, Bench.STREAM, "{\"events\":" + events + "}")), processes);
        long t0 = System.nanoTime();
        conn.out.write(launches);
        conn.await(want);
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public double upload(Bench.Upload up) throws IOException {
        byte[] wasm = up.wasm();
        String hash = "1".repeat(63) + (System.nanoTime() & 7);
        byte[][] chunks = BenchWire.addProgramChunks(4, hash, java.nio.file.Files.readString(up.manifestPath()), wasm);
        for (int i = 0; i < chunks.length; i++) chunks[i] = frame(chunks[i]);
        long want = conn.messages + 1;
        long t0 = System.nanoTime();
        for (byte[] c : chunks) conn.out.write(c);
        conn.await(want);
        return wasm.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double download(int bytes) throws IOException {
        long want = conn.messages + (bytes + 262_143) / 262_144 + 2;
        long t0 = System.nanoTime();
        conn.out.write(frame(BenchWire.launch(5, Bench.FILE, "{\"bytes\":" + bytes + "}")));
        conn.await(want);
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double connectCycle(int cycles) throws IOException {
        byte[] auth = frame(BenchWire.authIdentify(1, "bench"));
        byte[] close = frame(0x88, new byte[]{0x03, (byte) 0xe8}); // 1000, normal closure
        long[] t = new long[cycles];
        for (int i = 0; i < cycles; i++) {
            long t0 = System.nanoTime();
            try (Conn c = Conn.open(uri)) {
                c.out.write(auth);
                c.await(1);
                c.out.write(close);
                while (!c.closeSeen) c.readOnce();
            }
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[cycles / 2] / 1e6;
    }

    @Override
    public Bench.TokenRun tokens(int processes, int events, int intervalMs, int startMs) {
        throw new UnsupportedOperationException("W8 compares the client with the raw JDK client only");
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (IOException ignored) {
            // the benchmark is over; nothing depends on a clean close here
        }
    }
}
