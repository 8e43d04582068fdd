// The floor for any client built on java.net.http.WebSocket: it sends pre-encoded messages (BenchWire) and
// only counts the engine's messages, with unlimited demand and no decoding, queueing or hashing. Sends are
// chained on the previous send's future, since the JDK allows one outstanding send per WebSocket.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

final class BenchRaw implements Bench.Side {
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    private final URI uri;
    private final HttpClient http;
    private final Counter counter = new Counter();
    private final WebSocket ws;
    private final ReentrantLock sendLock = new ReentrantLock();
    private CompletableFuture<WebSocket> lastSend;

    BenchRaw(URI uri) throws Exception {
        this.uri = uri;
        this.http = HttpClient.newHttpClient();
        this.ws = http.newWebSocketBuilder().buildAsync(uri, counter).get(30, TimeUnit.SECONDS);
        this.lastSend = CompletableFuture.completedFuture(ws);
        CompletableFuture<Void> authed = expect(1);
        send(BenchWire.authIdentify(1, "bench"));
        await(authed);
    }

    /** What happens on each complete message; set by the workload that runs. */
    @FunctionalInterface
    interface Hook {
        void onMessage();
    }

    /** What happens on each complete message when its bytes are wanted (W8); set by the workload that runs. */
    @FunctionalInterface
    interface DataHook {
        void onMessage(byte[] message, int length);
    }

    /**
     * Counts complete binary messages and calls the current hook; JDK listener calls never overlap. With a
     * data hook set it also assembles each message's bytes for it.
     */
    static final class Counter implements WebSocket.Listener {
        volatile Hook hook;
        volatile DataHook dataHook;
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private byte[] assembly = new byte[1024];
        private int assembled;

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            DataHook d = dataHook;
            if (d != null) {
                int n = data.remaining();
                if (assembled + n > assembly.length) assembly = java.util.Arrays.copyOf(assembly, 2 * (assembled + n));
                data.get(assembly, assembled, n);
                assembled += n;
                if (last) {
                    d.onMessage(assembly, assembled);
                    assembled = 0;
                }
            }
            if (last) {
                Hook h = hook;
                if (h != null) h.onMessage();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    /** Queues a send behind the previous one without waiting for it. */
    private void send(byte[] message) {
        ByteBuffer buf = ByteBuffer.wrap(message);
        sendLock.lock();
        try {
            lastSend = lastSend.thenCompose(w -> w.sendBinary(buf, true));
        } finally {
            sendLock.unlock();
        }
    }

    /** A future completed once {@code n} more messages have arrived. */
    private CompletableFuture<Void> expect(long n) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] seen = {0};
        counter.hook = () -> {
            if (++seen[0] == n) done.complete(null);
        };
        return done;
    }

    private static void await(CompletableFuture<?> f) throws Exception {
        f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public double[] pingLatency(int pings) throws Exception {
        byte[] ping = BenchWire.ping(7);
        Semaphore answered = new Semaphore(0);
        counter.hook = answered::release;
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t0 = System.nanoTime();
            ws.sendBinary(ByteBuffer.wrap(ping), true).join();
            if (!answered.tryAcquire(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException("no Pong");
            rtt[i] = System.nanoTime() - t0;
        }
        counter.hook = null;
        return Bench.percentiles(rtt);
    }

    @Override
    public double pingRate(int pings, int inFlight) throws Exception {
        byte[] ping = BenchWire.ping(7);
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] seen = {0};
        int initial = Math.min(inFlight, pings);
        long[] sent = {initial};
        counter.hook = () -> {
            if (++seen[0] == pings) done.complete(null);
            else if (sent[0] < pings) {
                sent[0]++;
                send(ping);
            }
        };
        long t0 = System.nanoTime();
        for (int i = 0; i < initial; i++) send(ping);
        await(done);
        return pings / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * W2 as a blocking client must do it: {@code inFlight} virtual threads, each sending a ping and parking
     * until its answer wakes it. Nothing is decoded (the engine answers one connection's pings in order, so
     * a FIFO of waiters pairs them). The reference for clients whose callers block for their answers, as this
     * library's do; printed beside W2, not a target.
     */
    double blockingPingRate(int pings, int inFlight) throws Exception {
        record Waiter(Thread thread, CompletableFuture<Void> answered) {}
        byte[] ping = BenchWire.ping(7);
        ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
        counter.hook = () -> {
            Waiter w = waiters.poll();
            w.answered().complete(null);
            LockSupport.unpark(w.thread());
        };
        AtomicInteger left = new AtomicInteger(pings);
        List<Future<?>> threads = new ArrayList<>();
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        long t0 = System.nanoTime();
        for (int i = 0; i < inFlight; i++) {
            threads.add(ex.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    Waiter me = new Waiter(Thread.currentThread(), new CompletableFuture<>());
                    sendLock.lock(); // the waiter's place in the FIFO is its ping's place on the wire
                    try {
                        waiters.add(me);
                        send(ping);
                    } finally {
                        sendLock.unlock();
                    }
                    // Untimed, as the library parks: a timed park on a virtual thread costs a timer task.
                    while (!me.answered().isDone()) {
                        LockSupport.park(this);
                        if (Thread.interrupted()) throw new InterruptedException("no Pong");
                    }
                }
                return null;
            }));
        }
        ex.shutdown();
        boolean finished = ex.awaitTermination(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        double rate = pings / ((System.nanoTime() - t0) / 1e9);
        counter.hook = null;
        if (!finished) ex.shutdownNow();
        for (Future<?> f : threads) f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        return rate;
    }

    @Override
    public double eventRate(int events) throws Exception {
        CompletableFuture<Void> done = expect(events + 2L); // the answer, the events, the return
        long t0 = System.nanoTime();
        send(BenchWire.launch(2, Bench.STREAM, "{\"events\":" + events + "}"));
        await(done);
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double fanIn(int processes, int events) throws Exception {
        CompletableFuture<Void> done = expect((long) processes * (events + 2));
        byte[] launch = BenchWire.launch(3, Bench.STREAM, "{\"events\":" + events + "}");
        long t0 = System.nanoTime();
        for (int i = 0; i < processes; i++) send(launch);
        await(done);
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public double upload(Bench.Upload up) throws Exception {
        byte[] wasm = up.wasm();
        // Pre-encoded before timing: the floor is the send path alone, without hashing or encoding.
        String hash = "0".repeat(63) + (System.nanoTime() & 7);
        byte[][] chunks = BenchWire.addProgramChunks(4, hash, java.nio.file.Files.readString(up.manifestPath()), wasm);
        CompletableFuture<Void> done = expect(1);
        long t0 = System.nanoTime();
        for (byte[] c : chunks) send(c);
        await(done);
        return wasm.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double download(int bytes) throws Exception {
        int chunks = (bytes + 262_143) / 262_144;
        CompletableFuture<Void> done = expect(chunks + 2L);
        long t0 = System.nanoTime();
        send(BenchWire.launch(5, Bench.FILE, "{\"bytes\":" + bytes + "}"));
        await(done);
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * W8 read in the listener: each token's latency is taken when its message is complete, and the process
     * is found by its id's bytes in a small hash table, with nothing else decoded.
     */
    @Override
    public Bench.TokenRun tokens(int processes, int events, int intervalMs, int startMs) throws Exception {
        TokenTable table = new TokenTable(processes, events);
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] returns = {0};
        counter.dataHook = (b, n) -> {
            long now = Bench.TokenStamp.nowMicros();
            if (table.isToken(b, n)) table.token(b, now);
            else if (table.isReturn(b, n) && ++returns[0] == processes) done.complete(null);
        };
        byte[] launch = BenchWire.launch(6, Bench.TOKENS,
                "{\"events\":" + events + ",\"intervalMs\":" + intervalMs + ",\"startMs\":" + startMs + "}");
        Bench.CpuSample cpu0 = Bench.CpuSample.now();
        for (int i = 0; i < processes; i++) send(launch);
        try {
            await(done);
        } finally {
            counter.dataHook = null;
        }
        return Bench.TokenRun.of((long) processes * events, table.reordered, cpu0, java.util.Arrays.copyOf(table.latencies, table.count));
    }

    /**
     * W8 as a blocking client must do it: each process has a virtual thread parked on a queue of its own; the
     * listener finds the process as {@link #tokens} does, hands it the token's 16 bytes and so wakes its
     * reader, which takes the latency when it returns from its wait. Nothing else is decoded. The reference
     * for clients whose callers block in {@code recv()}, as this library's do; printed beside W8, not a target.
     */
    Bench.TokenRun blockingTokens(int processes, int events, int intervalMs, int startMs) throws Exception {
        TokenTable table = new TokenTable(processes, 0); // its ids only: the readers keep the latencies
        long[][] latencies = new long[table.slots()][];
        int[] counts = new int[table.slots()];
        int[] highest = new int[table.slots()];
        long[] reordered = new long[table.slots()];
        java.util.Arrays.fill(highest, -1);
        byte[] launch = BenchWire.launch(6, Bench.TOKENS,
                "{\"events\":" + events + ",\"intervalMs\":" + intervalMs + ",\"startMs\":" + startMs + "}");
        Bench.CpuSample cpu0 = Bench.CpuSample.now();
        readerPerProcess(table, processes, launch, "W8 reference", (slot, t) -> {
            long now = Bench.TokenStamp.nowMicros();
            long[] lat = latencies[slot];
            if (lat == null) lat = latencies[slot] = new long[Math.max(1, events)];
            if (counts[slot] == lat.length) lat = latencies[slot] = java.util.Arrays.copyOf(lat, 2 * lat.length);
            lat[counts[slot]++] = Bench.TokenStamp.latency(now, t, 0);
            int seq = Bench.TokenStamp.sequence(t, 0);
            if (seq <= highest[slot]) reordered[slot]++;
            else highest[slot] = seq;
        });
        long[] all = new long[java.util.Arrays.stream(counts).sum()];
        for (int i = 0, at = 0; i < counts.length; i++) {
            if (counts[i] > 0) System.arraycopy(latencies[i], 0, all, at, counts[i]);
            at += counts[i];
        }
        return Bench.TokenRun.of((long) processes * events, java.util.Arrays.stream(reordered).sum(), cpu0, all);
    }

    /**
     * W4's reference for clients whose callers block, as this library's do: the raw client handing each
     * process's events (their 16-byte values, copied) to a virtual thread of its own that parks for the next
     * one, as a caller of {@code recv()} does; nothing is decoded. The launches are sent from this thread, as
     * the raw side sends them: the client's callers also each block for their launch's answer, 1,000 wake-ups
     * against the 200,000 of the events, which this leaves out.
     */
    Bench.FanInRun blockingFanIn(int processes, int events) throws Exception {
        TokenTable table = new TokenTable(processes, 0); // its ids only
        long[] counts = new long[table.slots()];
        byte[] launch = BenchWire.launch(7, Bench.STREAM, "{\"events\":" + events + "}");
        long t0 = System.nanoTime();
        readerPerProcess(table, processes, launch, "W4 reference", (slot, value) -> counts[slot]++);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Bench.FanInRun(seconds, (long) processes * events, java.util.Arrays.stream(counts).sum());
    }

    /** What a process's reader does with each event's value, on its own thread, as it wakes with it. */
    @FunctionalInterface
    interface EventReader {
        void read(int slot, byte[] value);
    }

    /** A process's last message on its reader's queue: its end. */
    private static final byte[] END = new byte[0];

    /**
     * Sends {@code launch} {@code processes} times while the listener hands each process's events (the 16-byte
     * values, copied) to a virtual thread of the process's own, started at its first message and parked on a
     * queue between events, as the blocking references need; returns once every reader has taken its
     * process's end. A reader's writes are visible to the caller after this returns.
     */
    private void readerPerProcess(TokenTable table, int processes, byte[] launch, String what, EventReader reader)
            throws Exception {
        @SuppressWarnings("unchecked")
        LinkedTransferQueue<byte[]>[] queues = new LinkedTransferQueue[table.slots()];
        CountDownLatch finished = new CountDownLatch(processes);
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        counter.dataHook = (b, n) -> {
            boolean event = table.isToken(b, n);
            if (!event && !table.isReturn(b, n)) return;
            int slot = table.slot(b);
            LinkedTransferQueue<byte[]> q = queues[slot];
            if (q == null) {
                LinkedTransferQueue<byte[]> mine = q = queues[slot] = new LinkedTransferQueue<>();
                readers.execute(() -> {
                    try {
                        for (byte[] v; (v = mine.take()) != END; ) reader.read(slot, v);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    finished.countDown();
                });
            }
            q.add(event ? java.util.Arrays.copyOfRange(b, table.valueOff, table.valueOff + Bench.TokenStamp.LENGTH) : END);
        };
        try {
            for (int i = 0; i < processes; i++) send(launch);
            if (!finished.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException(what + ": readers did not finish");
        } finally {
            counter.dataHook = null;
            readers.shutdownNow();
        }
    }

    /**
     * The engine's token and return messages, recognised by their exact bytes around the process id and
     * value, and the processes seen so far, by id, in an open-addressing table.
     */
    static final class TokenTable {
        private static final int ID = 36;
        private final byte[] tokenForm = BenchWire.processEvent("x".repeat(ID), "stdout", "x".repeat(Bench.TokenStamp.LENGTH));
        private final byte[] returnForm = BenchWire.processEvent("x".repeat(ID), "return", "done");
        private final int idOff = BenchWire.processEventIdOffset();
        final int valueOff = tokenForm.length - Bench.TokenStamp.LENGTH;
        private final byte[] ids;
        private final int[] highest;
        private final int mask;
        long[] latencies;
        int count;
        long reordered;

        TokenTable(int processes, int events) {
            int slots = Integer.highestOneBit(Math.max(1, processes) * 4);
            ids = new byte[slots * ID];
            highest = new int[slots];
            java.util.Arrays.fill(highest, -2); // -2: free; -1: seen, no token yet
            mask = slots - 1;
            latencies = new long[Math.max(1, processes * events)];
        }

        boolean isToken(byte[] b, int n) {
            return n == tokenForm.length && java.util.Arrays.equals(b, 0, idOff, tokenForm, 0, idOff)
                    && java.util.Arrays.equals(b, idOff + ID, valueOff, tokenForm, idOff + ID, valueOff);
        }

        boolean isReturn(byte[] b, int n) {
            return n == returnForm.length && java.util.Arrays.equals(b, 0, idOff, returnForm, 0, idOff)
                    && java.util.Arrays.equals(b, idOff + ID, n, returnForm, idOff + ID, n);
        }

        void token(byte[] b, long now) {
            if (count == latencies.length) latencies = java.util.Arrays.copyOf(latencies, 2 * count);
            latencies[count++] = Bench.TokenStamp.latency(now, b, valueOff);
            int seq = Bench.TokenStamp.sequence(b, valueOff);
            int slot = slot(b);
            if (seq <= highest[slot]) reordered++;
            else highest[slot] = seq;
        }

        int slots() {
            return highest.length;
        }

        int slot(byte[] b) {
            int h = 1;
            for (int i = idOff; i < idOff + ID; i++) h = 31 * h + b[i];
            for (int s = (h ^ h >>> 16) & mask; ; s = (s + 1) & mask) {
                if (highest[s] == -2) {
                    System.arraycopy(b, idOff, ids, s * ID, ID);
                    highest[s] = -1;
                    return s;
                }
                if (java.util.Arrays.equals(ids, s * ID, s * ID + ID, b, idOff, idOff + ID)) return s;
            }
        }
    }

    /** A fresh HttpClient per connection, as a plain java.net.http program would do. */
    @Override
    public double connectCycle(int cycles) throws Exception {
        return connectCycle(cycles, false);
    }

    /**
     * The same cycle on this client's one HttpClient: the reference for clients that share one, since what
     * is left is the JDK's own WebSocket opening, one request and a close. Printed beside W7, not a target.
     */
    double sharedClientConnectCycle(int cycles) throws Exception {
        return connectCycle(cycles, true);
    }

    private double connectCycle(int cycles, boolean shared) throws Exception {
        byte[] auth = BenchWire.authIdentify(1, "bench");
        long[] t = new long[cycles];
        for (int i = 0; i < cycles; i++) {
            long t0 = System.nanoTime();
            HttpClient h = shared ? http : HttpClient.newHttpClient();
            try {
                Counter c = new Counter();
                CompletableFuture<Void> answered = new CompletableFuture<>();
                c.hook = () -> answered.complete(null);
                WebSocket w = h.newWebSocketBuilder().buildAsync(uri, c).get(30, TimeUnit.SECONDS);
                w.sendBinary(ByteBuffer.wrap(auth), true).join();
                await(answered);
                w.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
                c.closed.get(30, TimeUnit.SECONDS);
            } finally {
                if (!shared) h.shutdownNow();
            }
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[cycles / 2] / 1e6;
    }

    @Override
    public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
            counter.closed.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            ws.abort();
        }
        http.shutdownNow();
    }
}
