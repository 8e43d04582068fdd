// The library's side of scripts/bench: every workload through PieClient's public API, as a user would
// write it (blocking calls, virtual threads for concurrency, events read with recv()).
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

final class BenchClient implements Bench.Side {
    /** Above W3's 500,000 events, so a reader that falls behind a burst still gets all of them. */
    static final int MAX_QUEUED = 1_000_000;

    private final URI uri;
    private final PieClient client;

    BenchClient(URI uri) {
        this.uri = uri;
        this.client = connect(uri);
        client.authenticate("bench");
    }

    private static PieClient connect(URI uri) {
        return PieClient.builder().uri(uri).requestTimeout(Duration.ofMinutes(2)).maxQueuedEvents(MAX_QUEUED).build();
    }

    @Override
    public double[] pingLatency(int pings) {
        long[] rtt = new long[pings];
        for (int i = 0; i < pings; i++) {
            long t0 = System.nanoTime();
            client.ping();
            rtt[i] = System.nanoTime() - t0;
        }
        return Bench.percentiles(rtt);
    }

    @Override
    public double pingRate(int pings, int inFlight) throws Exception {
        AtomicInteger left = new AtomicInteger(pings);
        long t0 = System.nanoTime();
        runAll(inFlight, i -> {
            while (left.getAndDecrement() > 0) client.ping();
        });
        return pings / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double eventRate(int events) {
        long t0 = System.nanoTime();
        drain(client.launchProcess(Bench.STREAM, "{\"events\":" + events + "}"), events);
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double fanIn(int processes, int events) throws Exception {
        String input = "{\"events\":" + events + "}";
        long t0 = System.nanoTime();
        runAll(processes, i -> drain(client.launchProcess(Bench.STREAM, input), events));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Reads a bench-stream process to its end, checking it delivered exactly {@code events} stdout events. */
    private static void drain(PieProcess p, int events) {
        int seen = 0;
        while (true) {
            ProcessEvent e = p.recv();
            if (e instanceof ProcessEvent.Stdout) seen++;
            else if (e instanceof ProcessEvent.Return) break;
            else throw new IllegalStateException("unexpected event " + e);
        }
        if (seen != events) throw new IllegalStateException("expected " + events + " events, got " + seen);
    }

    @Override
    public double upload(Bench.Upload up) {
        long t0 = System.nanoTime();
        client.addProgram(up.wasmPath(), up.manifestPath(), true);
        return up.wasm().length / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public double download(int bytes) {
        long t0 = System.nanoTime();
        PieProcess p = client.launchProcess(Bench.FILE, "{\"bytes\":" + bytes + "}");
        ProcessEvent e = p.recv();
        if (!(e instanceof ProcessEvent.File f) || f.data().length != bytes) {
            throw new IllegalStateException("expected a file of " + bytes + " bytes, got " + e);
        }
        if (!(p.recv() instanceof ProcessEvent.Return)) throw new IllegalStateException("no return after the file");
        return bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public Bench.TokenRun tokens(int processes, int events, int intervalMs, int startMs) throws Exception {
        String input = "{\"events\":" + events + ",\"intervalMs\":" + intervalMs + ",\"startMs\":" + startMs + "}";
        long[][] latencies = new long[processes][];
        long[] reordered = new long[processes];
        Bench.CpuSample cpu0 = Bench.CpuSample.now();
        runAll(processes, i -> {
            PieProcess p = client.launchProcess(Bench.TOKENS, input);
            long[] lat = new long[events];
            int n = 0, highest = -1;
            while (true) {
                ProcessEvent e = p.recv();
                long now = Bench.TokenStamp.nowMicros();
                if (e instanceof ProcessEvent.Stdout s) {
                    if (n == lat.length) lat = java.util.Arrays.copyOf(lat, 2 * n); // more than asked for: counted, not lost
                    lat[n++] = Bench.TokenStamp.latency(now, s.text());
                    int seq = Bench.TokenStamp.sequence(s.text());
                    if (seq <= highest) reordered[i]++;
                    else highest = seq;
                } else if (e instanceof ProcessEvent.Return) {
                    break;
                } else {
                    throw new IllegalStateException("unexpected event " + e);
                }
            }
            latencies[i] = java.util.Arrays.copyOf(lat, n);
        });
        return Bench.TokenRun.of((long) processes * events, java.util.Arrays.stream(reordered).sum(), cpu0,
                java.util.Arrays.stream(latencies).flatMapToLong(java.util.Arrays::stream).toArray());
    }

    /** The engine's clock: what a bench-clock process returns. */
    long engineClockMicros() {
        PieProcess p = client.launchProcess(Bench.CLOCK, "{}");
        if (!(p.recv() instanceof ProcessEvent.Return r)) throw new IllegalStateException("bench-clock did not return");
        return Long.parseLong(r.value());
    }

    @Override
    public double connectCycle(int cycles) {
        long[] t = new long[cycles];
        for (int i = 0; i < cycles; i++) {
            long t0 = System.nanoTime();
            try (PieClient c = connect(uri)) {
                c.authenticate("bench");
            }
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[cycles / 2] / 1e6;
    }

    @FunctionalInterface
    private interface Task {
        void run(int index) throws Exception;
    }

    /** Runs {@code n} tasks on virtual threads and rethrows the first failure. */
    private static void runAll(int n, Task task) throws Exception {
        List<Future<?>> futures = new ArrayList<>(n);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(ex.submit(() -> {
                    task.run(index);
                    return null;
                }));
            }
        }
        for (Future<?> f : futures) f.get();
    }

    @Override
    public void close() {
        client.close();
    }
}
