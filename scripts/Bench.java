// The load driver of scripts/bench: workloads W1-W8 of the performance issues and hashBlob, each run by
// three clients against one Node load engine (scripts/bench-engine/engine.js):
//   client  the library (PieClient)                                              BenchClient.java
//   raw     java.net.http.WebSocket sending pre-encoded frames, counting frames  BenchRaw.java
//   engine  a plain socket that does next to nothing, to show the engine's ceiling  BenchProbe.java
// Rounds alternate client, raw, engine (A B C A B C ...) after one warm-up run each; the table shows
// each one's median and their ratio, always written so that above 1 means the client is better (client / raw
// for rates, raw / client for times, sizes and CPU), as issue 20 states its targets. W2, W4, W7 and W8 also
// print a reference: the raw client doing what this library's design must do (block a virtual thread per
// answer or per event; share one HttpClient). Every W4 run starts its own child JVM (same flags for each
// side) so their peak RSS (VmHWM) can be compared.
//
// Run it with scripts/bench [--quick] [--rounds N] [--only W1,W3,...] [--no-engine-column].
// It is compiled by scripts/bench (javac, with the library on the class path) rather than run as a source
// program, because the W4 children would otherwise carry javac's memory in their RSS.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

public final class Bench {

    /** What each client does for a workload; values are in the units of the workload's metrics. */
    interface Side extends AutoCloseable {
        /** Sequential pings: {p50 µs, p99 µs}. */
        double[] pingLatency(int pings) throws Exception;

        /** Pings per second with {@code inFlight} outstanding. */
        double pingRate(int pings, int inFlight) throws Exception;

        /** Stdout events per second of one process streaming {@code events} events. */
        double eventRate(int events) throws Exception;

        /** 1,000 processes launched at once: seconds until every event arrived (W4, in-process). */
        double fanIn(int processes, int events) throws Exception;

        /** Upload of {@code wasm} as a program, MB/s (10^6 bytes). */
        double upload(Upload upload) throws Exception;

        /** Download of one file of {@code bytes} bytes, MB/s. */
        double download(int bytes) throws Exception;

        /** Median milliseconds of {@code cycles} connect + authenticate + close cycles. */
        double connectCycle(int cycles) throws Exception;

        /**
         * W8: {@code processes} processes at once, each streaming {@code events} 16-byte stdout tokens one every
         * {@code intervalMs}, the first after {@code startMs}; every event's latency from the engine's send to
         * the reader, and the CPU this JVM spent per event.
         */
        TokenRun tokens(int processes, int events, int intervalMs, int startMs) throws Exception;

        @Override
        void close();
    }

    /** W4's blocking reference once: its time, and the stdout events it should have and did read. */
    record FanInRun(double seconds, long expected, long received) {}

    /**
     * W8's figures of one run. {@code latencyMicros}: one per event received, engine send to the reader's
     * return (recv() for the client, the listener's callback for raw), on CLOCK_MONOTONIC (see
     * {@link TokenStamp}); {@code reordered}: events whose sequence number was not above the previous highest
     * of their process.
     */
    record TokenRun(long expected, long received, long reordered, double cpuMicrosPerEvent, long[] latencyMicros,
                    Map<String, Double> cpuMicrosPerEventByThreads) {
        static TokenRun of(long expected, long reordered, CpuSample since, long[] latencyMicros) {
            long[] sorted = latencyMicros.clone();
            Arrays.sort(sorted);
            double events = Math.max(1, sorted.length);
            Map<String, Double> split = new LinkedHashMap<>();
            since.threadsSince().forEach((group, nanos) -> split.put(group, nanos / 1e3 / events));
            return new TokenRun(expected, sorted.length, reordered, since.processSince() / 1e3 / events, sorted, split);
        }

        long lost() {
            return expected - received;
        }

        double percentile(double q) {
            if (latencyMicros.length == 0) return Double.NaN;
            return latencyMicros[Math.min(latencyMicros.length - 1, (int) Math.floor(latencyMicros.length * q))];
        }

        /** {p50, p99, p99.9 µs, CPU µs per event, lost, reordered}: W8's metrics in order. */
        double[] figures() {
            return new double[]{percentile(0.5), percentile(0.99), percentile(0.999), cpuMicrosPerEvent, lost(), reordered};
        }
    }

    /**
     * The 16 bytes of a bench-tokens event: the engine's send time, 12 hex digits of microseconds on the host's
     * CLOCK_MONOTONIC (mod 2^48), then 4 hex digits of the event's sequence number in its process. On Linux
     * System.nanoTime() reads the same clock as Node's process.hrtime, which the engine stamps with; a wall
     * clock would have been slewed apart by NTP between Node's start-up reading and Java's.
     * {@link Bench#checkClock} checks the shared clock before W8 runs.
     */
    static final class TokenStamp {
        static final int LENGTH = 16;
        private static final long MASK = (1L << 48) - 1;

        private TokenStamp() {
        }

        static long nowMicros() {
            return System.nanoTime() / 1000;
        }

        /** Microseconds from the stamp's send time to {@code nowMicros}. */
        static long latency(long nowMicros, CharSequence stamp) {
            return (nowMicros - hex(stamp, 0, 12)) & MASK;
        }

        static int sequence(CharSequence stamp) {
            return (int) hex(stamp, 12, 16);
        }

        static long latency(long nowMicros, byte[] b, int off) {
            return (nowMicros - hex(b, off, 12)) & MASK;
        }

        static int sequence(byte[] b, int off) {
            return (int) hex(b, off + 12, 4);
        }

        private static long hex(CharSequence s, int from, int to) {
            if (s.length() != LENGTH) throw new IllegalStateException("not a token stamp: " + s);
            long v = 0;
            for (int i = from; i < to; i++) v = v << 4 | Character.digit(s.charAt(i), 16);
            return v;
        }

        private static long hex(byte[] b, int off, int len) {
            long v = 0;
            for (int i = off; i < off + len; i++) v = v << 4 | Character.digit(b[i], 16);
            return v;
        }
    }

    /** CPU time of this whole JVM (every thread, GC and compiler included), in nanoseconds. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * The JVM's CPU time at one moment, in all and per thread (from /proc on Linux), so that W8 can say which
     * threads spent it: the virtual threads' carriers, the WebSocket listener, the HTTP client's selector
     * (socket reads), the JIT compilers, the collector. CPU of threads that ended in between counts as "other".
     */
    record CpuSample(long process, Map<Long, Long> threads) {
        private static final long TICK_NANOS = 10_000_000; // USER_HZ is 100 on Linux
        private static final Map<String, java.util.regex.Pattern> GROUPS = new LinkedHashMap<>();

        static {
            GROUPS.put("carriers", java.util.regex.Pattern.compile("ForkJoinPool-.*"));
            GROUPS.put("listener", java.util.regex.Pattern.compile("pie-wss?-.*|HttpClient-\\d+-Wo.*"));
            GROUPS.put("selector", java.util.regex.Pattern.compile("HttpClient-\\d+-Se.*"));
            GROUPS.put("JIT", java.util.regex.Pattern.compile("C[12] Compiler.*"));
            GROUPS.put("GC", java.util.regex.Pattern.compile("GC Thread.*|G1 .*"));
        }

        static CpuSample now() {
            return new CpuSample(cpuNanos(), perThread(Map.of(), null));
        }

        long processSince() {
            return cpuNanos() - process;
        }

        /** CPU nanoseconds since this sample by group of threads, "other" for the rest; empty where /proc is not. */
        Map<String, Long> threadsSince() {
            Map<String, Long> groups = new LinkedHashMap<>();
            if (threads.isEmpty()) return groups;
            long all = processSince();
            GROUPS.keySet().forEach(g -> groups.put(g, 0L));
            perThread(threads, groups);
            long named = groups.values().stream().mapToLong(Long::longValue).sum();
            groups.put("other", Math.max(0, all - named));
            return groups;
        }

        /** Ticks per thread id; with {@code groups}, also adds each thread's nanoseconds since {@code before} to its group. */
        private static Map<Long, Long> perThread(Map<Long, Long> before, Map<String, Long> groups) {
            Map<Long, Long> ticks = new HashMap<>();
            try (var tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
                for (Path t : tasks) {
                    String stat;
                    try {
                        stat = Files.readString(t.resolve("stat"));
                    } catch (IOException gone) {
                        continue; // the thread ended
                    }
                    int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    long tid = Long.parseLong(t.getFileName().toString());
                    long used = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
                    ticks.put(tid, used);
                    if (groups == null) continue;
                    String name = stat.substring(open + 1, close);
                    for (var g : GROUPS.entrySet()) {
                        if (g.getValue().matcher(name).matches()) {
                            groups.merge(g.getKey(), (used - before.getOrDefault(tid, 0L)) * TICK_NANOS, Long::sum);
                            break;
                        }
                    }
                }
            } catch (IOException | RuntimeException noProc) {
                return Map.of();
            }
            return ticks;
        }
    }

    /** A 64 MiB program on disk (for PieClient.addProgram) and in memory (for the raw clients). */
    record Upload(byte[] wasm, Path wasmPath, Path manifestPath) {}

    /** One figure of a workload. {@code lowerIsBetter}: times and sizes; otherwise rates. */
    record Metric(String workload, String name, String unit, boolean lowerIsBetter, String target,
                  Function<double[], Boolean> met) {}

    /** Medians of one metric: client, raw, engine (NaN where a column does not apply). */
    record Row(Metric metric, double client, double raw, double engine) {
        /** Above 1: the client is better (issue 20's convention): client / raw for rates, raw / client otherwise. */
        double ratio() {
            return metric.lowerIsBetter() ? raw / client : client / raw;
        }
    }

    static final String STREAM = "bench-stream@0.1.0";
    static final String FILE = "bench-file@0.1.0";
    static final String TOKENS = "bench-tokens@0.1.0";
    static final String CLOCK = "bench-clock@0.1.0";
    static final int MiB = 1 << 20;

    private final Options o;
    private final List<Row> rows = new ArrayList<>();

    private Bench(Options o) {
        this.o = o;
    }

    record Options(boolean quick, int rounds, Set<String> only, boolean engineColumn, String engineUri) {
        static Options parse(String[] args) {
            boolean quick = false, engine = true;
            int rounds = 3;
            Set<String> only = new LinkedHashSet<>();
            String uri = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> quick = true;
                    case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                    case "--only" -> only.addAll(Arrays.asList(args[++i].toUpperCase(Locale.ROOT).split(",")));
                    case "--no-engine-column" -> engine = false;
                    case "--engine-uri" -> uri = args[++i];
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (use --quick, --rounds N, --only W1,W2,..,W8,HASH, --no-engine-column, --engine-uri ws://..)");
                }
            }
            if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1");
            if (quick && only.isEmpty()) only.addAll(List.of("W1", "W3", "W5"));
            if (only.isEmpty()) only.addAll(List.of("W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "HASH"));
            return new Options(quick, rounds, only, engine && !quick, uri);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child-w4")) {
            W4Child.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options o = Options.parse(args);
        try (Engine engine = o.engineUri != null ? Engine.external(o.engineUri) : Engine.start()) {
            new Bench(o).run(engine.uri());
        }
    }

    private void run(URI uri) throws Exception {
        Runtime rt = Runtime.getRuntime();
        System.out.printf("pie-client benchmark: engine %s, %d CPUs, JVM %s, max heap %d MiB, %d round(s)%s%n", uri,
                rt.availableProcessors(), Runtime.version(), rt.maxMemory() / MiB, o.rounds, o.quick ? ", quick" : "");
        System.out.printf("client: PieClient with maxQueuedEvents=%,d; rounds alternate client, raw%s after a warm-up%n",
                BenchClient.MAX_QUEUED, o.engineColumn ? ", engine" : "");
        double load = loadAverage();
        System.out.printf("load average at start: %.1f%s%n%n", load, load > rt.availableProcessors()
                ? " (above the CPU count, other work shares the machine: expect noise)" : "");
        try (BenchClient client = new BenchClient(uri);
             BenchRaw raw = new BenchRaw(uri);
             BenchProbe probe = o.engineColumn ? new BenchProbe(uri) : null) {
            Side[] sides = {client, raw, probe};
            if (o.only.contains("W1")) {
                int n = o.quick ? 10_000 : 20_000;
                measure(sides, List.of(
                        new Metric("W1 ping latency, sequential", "p50", "µs", true, ">= 0.87 (1.15x raw)", r -> r[0] >= 0.87),
                        new Metric("W1 ping latency, sequential", "p99", "µs", true, ">= 0.67 (1.5x raw)", r -> r[0] >= 0.67)),
                        s -> s.pingLatency(n / 4), s -> s.pingLatency(n));
            }
            if (o.only.contains("W2")) {
                pingRates(client, raw, probe);
            }
            if (o.only.contains("W3")) {
                int n = 500_000;
                measure(sides, List.of(new Metric("W3 stdout events/s, one process, 500,000 x 16 B", "rate", "events/s",
                        false, ">= 0.5", r -> r[0] >= 0.5)), s -> {
                            // Two full streams: the client's decoding and queueing must be compiled (C2)
                            // before timing, as the raw client's frame counting is after a short one.
                            for (int i = 0; i < 2; i++) s.eventRate(n);
                            return null;
                        },
                        s -> new double[]{s.eventRate(n)});
            }
            if (o.only.contains("W4")) {
                fanIn(uri, probe);
            }
            if (o.only.contains("W5") || o.only.contains("W6")) {
                Upload up = o.only.contains("W5") ? writeProgram(64 * MiB) : null;
                try {
                    if (up != null) {
                        measure(sides, List.of(new Metric("W5 addProgram 64 MiB, hashing included", "rate", "MB/s", false,
                                ">= 0.65", r -> r[0] >= 0.65)), s -> new double[]{s.upload(up)},
                                s -> new double[]{s.upload(up)});
                    }
                } finally {
                    if (up != null) deleteProgram(up);
                }
                if (o.only.contains("W6")) {
                    measure(sides, List.of(new Metric("W6 one 64 MiB file event, verification included", "rate", "MB/s",
                            false, ">= 0.75", r -> r[0] >= 0.75)), s -> new double[]{s.download(64 * MiB)},
                            s -> new double[]{s.download(64 * MiB)});
                }
            }
            if (o.only.contains("W7")) {
                connectCycles(client, raw, probe);
            }
            if (o.only.contains("W8")) {
                tokens(client, raw);
            }
            if (o.only.contains("HASH")) {
                hash();
            }
        }
        printTable();
        System.out.printf("%nload average at end: %.1f%n", loadAverage());
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    @FunctionalInterface
    interface Run {
        double[] on(Side side) throws Exception;
    }

    /** Warm-up once per side, then rounds alternating the sides; records the medians. */
    private void measure(Side[] sides, List<Metric> metrics, Run warmUp, Run run) throws Exception {
        String workload = metrics.getFirst().workload();
        System.out.println(workload);
        for (Side s : sides) if (s != null) warmUp.on(s);
        List<List<double[]>> results = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int round = 1; round <= o.rounds; round++) {
            StringBuilder line = new StringBuilder(String.format("  round %d:", round));
            for (int i = 0; i < sides.length; i++) {
                if (sides[i] == null) continue;
                double[] r = run.on(sides[i]);
                results.get(i).add(r);
                line.append(String.format("  %s %s", SIDE_NAMES[i], format(metrics, r)));
            }
            System.out.println(line);
        }
        for (int m = 0; m < metrics.size(); m++) {
            report(new Row(metrics.get(m), median(results.get(0), m), median(results.get(1), m), median(results.get(2), m)));
        }
    }

    private static final String[] SIDE_NAMES = {"client", "raw", "engine"};

    private static String format(List<Metric> metrics, double[] r) {
        StringBuilder b = new StringBuilder();
        for (int m = 0; m < metrics.size(); m++) {
            if (m > 0) b.append('/');
            b.append(fmt(r[m]));
        }
        return b.append(' ').append(metrics.getFirst().unit()).toString(); // a workload's metrics share a unit
    }

    /** Keeps a workload's medians for the table and prints them. */
    private void report(Row row) {
        rows.add(row);
        System.out.printf("  median %s: client %s, raw %s, ratio %s (target %s: %s)%s%n", row.metric().name(),
                fmt(row.client()), fmt(row.raw()), ratio(row), row.metric().target(), verdict(row),
                Double.isNaN(row.engine()) ? "" : ", engine ceiling " + fmt(row.engine()));
    }

    @FunctionalInterface
    interface Figure {
        double get() throws Exception;
    }

    /**
     * W2, with a reference for clients whose callers block: the raw client's 64 virtual threads each parking
     * until their own answer.
     */
    private void pingRates(BenchClient client, BenchRaw raw, BenchProbe probe) throws Exception {
        int n = 100_000;
        Metric m = new Metric("W2 pings/s, 64 in flight", "rate", "pings/s", false, ">= 0.8 (withdrawn)",
                r -> r[0] >= 0.8);
        System.out.println(m.workload());
        // As for W3: the rounds of the client still climbed after a quarter-length warm-up.
        for (int i = 0; i < 3; i++) {
            client.pingRate(n, 64);
            raw.pingRate(n, 64);
            raw.blockingPingRate(n, 64);
            if (probe != null) probe.pingRate(n, 64);
        }
        measureWithReference(m, "raw with 64 virtual threads each blocking for its answer", () -> client.pingRate(n, 64),
                () -> raw.pingRate(n, 64), () -> raw.blockingPingRate(n, 64),
                probe == null ? null : () -> probe.pingRate(n, 64));
    }

    /** W7, with a reference for clients that share one HttpClient: the raw client's cycle on one. */
    private void connectCycles(BenchClient client, BenchRaw raw, BenchProbe probe) throws Exception {
        Metric m = new Metric("W7 connect + authenticate + close", "cycle", "ms", true, ">= 2 (withdrawn)", r -> r[0] >= 2);
        System.out.println(m.workload());
        // The JDK's HTTP stack runs interpreted for hundreds of cycles: with 300 warm-up cycles the rounds of a
        // W7-only run still fell from 3.0 to 1.4 ms.
        int warmUp = 1500, cycles = 100;
        client.connectCycle(warmUp);
        raw.connectCycle(warmUp);
        raw.sharedClientConnectCycle(warmUp);
        if (probe != null) probe.connectCycle(warmUp);
        measureWithReference(m, "raw on one shared HttpClient", () -> client.connectCycle(cycles),
                () -> raw.connectCycle(cycles), () -> raw.sharedClientConnectCycle(cycles),
                probe == null ? null : () -> probe.connectCycle(cycles));
    }

    /**
     * Rounds of a warmed-up workload as {@link #measure} runs them, with a fourth column: a reference, the raw
     * client made to do what this library's design must (block per answer, share one HttpClient), which shows
     * how much of the gap to raw is the design's. It explains a ratio rather than being a target, and is
     * measured in the same rounds as the others, since one taken apart from them drifted with the machine's load.
     */
    private void measureWithReference(Metric m, String refName, Figure client, Figure raw, Figure ref, Figure engine)
            throws Exception {
        List<double[]> a = new ArrayList<>(), b = new ArrayList<>(), f = new ArrayList<>(), e = new ArrayList<>();
        for (int round = 1; round <= o.rounds; round++) {
            a.add(new double[]{client.get()});
            b.add(new double[]{raw.get()});
            f.add(new double[]{ref.get()});
            if (engine != null) e.add(new double[]{engine.get()});
            System.out.printf("  round %d:  client %s %s  raw %s %s  reference %s %s%s%n", round, fmt(a.getLast()[0]),
                    m.unit(), fmt(b.getLast()[0]), m.unit(), fmt(f.getLast()[0]), m.unit(),
                    engine == null ? "" : "  engine " + fmt(e.getLast()[0]) + " " + m.unit());
        }
        Row row = new Row(m, median(a, 0), median(b, 0), median(e, 0));
        report(row);
        reportReference(row, "reference: " + refName, refName, median(f, 0));
    }

    /**
     * Prints a reference's median under its row, against raw and the client in the table's convention (above
     * 1 is better: rates divide, times are divided by), and adds it to the table as a row of its own.
     */
    private void reportReference(Row row, String label, String refName, double ref) {
        Metric m = row.metric();
        System.out.printf("    reference, %s: %s %s = %.2fx raw; the client is %.2fx the reference%n", refName,
                fmt(ref), m.unit(), m.lowerIsBetter() ? row.raw() / ref : ref / row.raw(),
                m.lowerIsBetter() ? ref / row.client() : row.client() / ref);
        rows.add(new Row(new Metric(m.workload(), label, m.unit(), m.lowerIsBetter(), "-", r -> true), ref, row.raw(),
                Double.NaN));
    }

    /**
     * W4 in child JVMs (client, raw and the blocking reference, {@link BenchRaw#blockingFanIn}, alternating),
     * and the engine's ceiling in this one.
     */
    private void fanIn(URI uri, BenchProbe probe) throws Exception {
        int procs = 1_000, events = 200;
        Metric time = new Metric("W4 1,000 processes x 200 events, concurrent", "time", "s", true, ">= 0.75",
                r -> r[0] >= 0.75);
        Metric rss = new Metric("W4 1,000 processes x 200 events, concurrent", "peak RSS", "MiB", true, ">= 0.85",
                r -> r[0] >= 0.85);
        // Peak RSS follows how much of the young generation a JVM has touched. After one pass the raw
        // client has not filled it yet (it allocates less), so that figure compares allocation volume;
        // after several passes both have cycled through it, and the figure is the steady state.
        Metric rssFirst = new Metric("W4 1,000 processes x 200 events, concurrent", "peak RSS after the first pass",
                "MiB", true, ">= 0.85", r -> r[0] >= 0.85);
        System.out.println(time.workload() + " (each run in a fresh JVM: " + W4Child.WARM_UP_PASSES + " warm-up passes, then the timed pass)");
        List<double[]> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>(), f = new ArrayList<>();
        if (probe != null) probe.fanIn(procs, events); // warm-up
        for (int round = 1; round <= o.rounds; round++) {
            double[] ra = W4Child.spawn("client", uri, procs, events);
            double[] rb = W4Child.spawn("raw", uri, procs, events);
            double[] rf = W4Child.spawn("reference", uri, procs, events);
            a.add(ra);
            b.add(rb);
            f.add(rf);
            String eng = "";
            if (probe != null) {
                double t = probe.fanIn(procs, events);
                c.add(new double[]{t, Double.NaN});
                eng = String.format("  engine %s s", fmt(t));
            }
            System.out.printf("  round %d:  client %s s, %s MiB (%s after the first pass)  raw %s s, %s MiB (%s)"
                            + "  reference %s s, %s MiB (%s)%s%n", round, fmt(ra[0]), fmt(ra[1]), fmt(ra[2]),
                    fmt(rb[0]), fmt(rb[1]), fmt(rb[2]), fmt(rf[0]), fmt(rf[1]), fmt(rf[2]), eng);
        }
        String refName = "raw with 1,000 virtual threads each blocking for its process's next event";
        List<Metric> metrics = List.of(time, rss, rssFirst);
        for (int m = 0; m < metrics.size(); m++) {
            Row row = new Row(metrics.get(m), median(a, m), median(b, m), m == 0 ? median(c, 0) : Double.NaN);
            report(row);
            reportReference(row, row.metric().name() + ", reference: " + refName, refName, median(f, m));
        }
    }

    /**
     * W8: 1,000 processes each streaming a token every 50 ms for 10 s (20,000 events/s), read by 1,000
     * virtual threads in recv() (client) or in the listener (raw). Each process's first token comes 1 s after
     * its launch, so the tokens are timed in the steady state, not while 1,000 launches are answered. The
     * warm-up is one shorter run per side. A third side in the same rounds is the reference for clients whose
     * callers block per token, as this library's do: the raw client waking one parked virtual thread per token
     * ({@link BenchRaw#blockingTokens}); it shows how much of the gap to raw is the design's.
     */
    private void tokens(BenchClient client, BenchRaw raw) throws Exception {
        int processes = 1_000, events = 200, interval = 50, start = 1_000;
        checkClock(client);
        String w = "W8 1,000 processes x 200 stdout tokens, one per process every 50 ms (20,000/s)";
        List<Metric> metrics = List.of(
                new Metric(w, "latency p50", "µs", true, ">= 0.71 (1.4x raw)", r -> r[0] >= 1 / 1.4),
                new Metric(w, "latency p99", "µs", true, ">= 0.5 (2x raw)", r -> r[0] >= 0.5),
                new Metric(w, "latency p99.9", "µs", true, ">= 0.8 (1.25x raw)", r -> r[0] >= 0.8),
                new Metric(w, "CPU per event", "µs", true, ">= 0.67 (1.5x raw)", r -> r[0] >= 1 / 1.5),
                new Metric(w, "lost", "events", true, "0", r -> r[1] == 0),
                new Metric(w, "reordered", "events", true, "0", r -> r[1] == 0));
        System.out.println(w);
        client.tokens(processes, 40, interval, start);
        raw.tokens(processes, 40, interval, start);
        raw.blockingTokens(processes, 40, interval, start);
        List<double[]> a = new ArrayList<>(), b = new ArrayList<>(), f = new ArrayList<>();
        List<TokenRun> aRuns = new ArrayList<>(), bRuns = new ArrayList<>(), fRuns = new ArrayList<>();
        for (int round = 1; round <= o.rounds; round++) {
            aRuns.add(client.tokens(processes, events, interval, start));
            bRuns.add(raw.tokens(processes, events, interval, start));
            fRuns.add(raw.blockingTokens(processes, events, interval, start));
            a.add(aRuns.getLast().figures());
            b.add(bRuns.getLast().figures());
            f.add(fRuns.getLast().figures());
            System.out.printf("  round %d:  client %s  raw %s  reference %s%n", round, format(metrics, a.getLast()),
                    format(metrics, b.getLast()), format(metrics, f.getLast()));
        }
        System.out.println("  CPU per event by thread, medians (µs): client " + split(aRuns) + "; raw " + split(bRuns)
                + "; reference " + split(fRuns));
        String refName = "raw with 1,000 virtual threads each blocking for its process's next token";
        for (int m = 0; m < metrics.size(); m++) {
            Row row = new Row(metrics.get(m), median(a, m), median(b, m), Double.NaN);
            report(row);
            if (m > 3) continue; // lost and reordered: no reference needed
            reportReference(row, row.metric().name() + ", reference: " + refName, refName, median(f, m));
        }
    }

    /** Median CPU µs per event of each group of threads over the rounds, e.g. "carriers 6.1, listener 3.8, ...". */
    private static String split(List<TokenRun> runs) {
        if (runs.getFirst().cpuMicrosPerEventByThreads().isEmpty()) return "(no /proc)";
        StringBuilder b = new StringBuilder();
        for (String group : runs.getFirst().cpuMicrosPerEventByThreads().keySet()) {
            double[] v = runs.stream().mapToDouble(r -> r.cpuMicrosPerEventByThreads().getOrDefault(group, 0.0)).sorted().toArray();
            if (!b.isEmpty()) b.append(", ");
            b.append(group).append(' ').append(String.format(Locale.ROOT, "%.2f", v[v.length / 2]));
        }
        return b.toString();
    }

    /**
     * W8 once on each client and on the blocking reference, at a scale of the caller's choosing, for the test of
     * the workload (BenchTokensTest): per side {events expected, received, reordered, highest latency in µs}.
     */
    public static long[][] tokensOnce(String engineUri, int processes, int events, int intervalMs) throws Exception {
        URI uri = URI.create(engineUri);
        try (BenchClient client = new BenchClient(uri); BenchRaw raw = new BenchRaw(uri)) {
            checkClock(client);
            long[][] out = new long[3][];
            for (int i = 0; i < out.length; i++) {
                TokenRun r = i == 0 ? client.tokens(processes, events, intervalMs, 0)
                        : i == 1 ? raw.tokens(processes, events, intervalMs, 0)
                        : raw.blockingTokens(processes, events, intervalMs, 0);
                long max = r.latencyMicros().length == 0 ? -1 : r.latencyMicros()[r.latencyMicros().length - 1];
                out[i] = new long[]{r.expected(), r.received(), r.reordered(), max};
            }
            return out;
        }
    }

    /**
     * W4's blocking reference once, at a scale of the caller's choosing, for its test (BenchTokensTest):
     * {events expected, events read}.
     */
    public static long[] blockingFanInOnce(String engineUri, int processes, int events) throws Exception {
        try (BenchRaw raw = new BenchRaw(URI.create(engineUri))) {
            FanInRun r = raw.blockingFanIn(processes, events);
            return new long[]{r.expected(), r.received()};
        }
    }

    /**
     * Fails unless the engine's token stamps and this JVM's System.nanoTime() read one clock: the engine's
     * reading must fall between two of ours taken around it.
     */
    static void checkClock(BenchClient client) {
        for (int i = 0; i < 3; i++) {
            long before = TokenStamp.nowMicros();
            long engine = client.engineClockMicros();
            long after = TokenStamp.nowMicros();
            if (engine < before - 1 || engine > after + 1) {
                throw new IllegalStateException("the engine's clock (" + engine + " µs) is not this JVM's System.nanoTime()"
                        + " (" + before + ".." + after + " µs): W8's latencies would be meaningless");
            }
        }
    }

    /** hashBlob of 64 MiB against the target, with the plain library BLAKE3 (commons-codec) beside it. */
    private void hash() throws Exception {
        Metric m = new Metric("hashBlob of 64 MiB", "rate", "GB/s", false, ">= 1 GB/s (absolute)", r -> r[1] >= 1.0);
        System.out.println(m.workload() + " (\"raw\" = commons-codec Blake3 called directly, when on the class path)");
        byte[] data = new byte[64 * MiB];
        new java.util.Random(7).nextBytes(data);
        LibraryBlake3 lib = LibraryBlake3.find();
        String want = lib == null ? null : lib.hex(data);
        String got = org.pieproject.client.PieClient.hashBlob(data);
        if (want != null && !want.equals(got)) {
            throw new IllegalStateException("hashBlob disagrees with commons-codec: " + got + " vs " + want);
        }
        List<double[]> a = new ArrayList<>(), b = new ArrayList<>();
        for (int round = 1; round <= o.rounds; round++) {
            long t0 = System.nanoTime();
            org.pieproject.client.PieClient.hashBlob(data);
            double ga = data.length / 1e9 / ((System.nanoTime() - t0) / 1e9);
            double gb = Double.NaN;
            if (lib != null) {
                t0 = System.nanoTime();
                lib.hex(data);
                gb = data.length / 1e9 / ((System.nanoTime() - t0) / 1e9);
            }
            a.add(new double[]{ga});
            b.add(new double[]{gb});
            System.out.printf("  round %d:  client %s GB/s  library %s GB/s%n", round, fmt(ga), fmt(gb));
        }
        Row row = new Row(m, median(a, 0), median(b, 0), Double.NaN);
        rows.add(row);
        System.out.printf("  median: client %s GB/s, library %s GB/s (target %s: %s)%n", fmt(row.client()),
                fmt(row.raw()), m.target(), verdict(row));
    }

    private static String verdict(Row row) {
        if (Double.isNaN(row.client()) || row.metric().target().equals("-")) return "n/a";
        // A target withdrawn because the design cannot reach it (its reference row shows why) is not judged.
        if (row.metric().target().contains("withdrawn")) return "withdrawn";
        return row.metric().met().apply(new double[]{row.ratio(), row.client()}) ? "met" : "NOT met";
    }

    private void printTable() {
        if (rows.isEmpty()) return;
        System.out.println();
        System.out.println("| workload | metric | client | raw JDK | ratio (>1: client better) | target | met | engine ceiling |");
        System.out.println("|---|---|---:|---:|---:|---|---|---:|");
        for (Row r : rows) {
            Metric m = r.metric();
            System.out.printf("| %s | %s (%s) | %s | %s | %s | %s | %s | %s |%n", m.workload(), m.name(), m.unit(),
                    fmt(r.client()), fmt(r.raw()), ratio(r),
                    m.target(), verdict(r), Double.isNaN(r.engine()) ? "-" : fmt(r.engine()));
        }
    }

    private static String ratio(Row r) {
        double v = r.ratio();
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format("%.2f", v);
    }

    static double median(List<double[]> runs, int metric) {
        if (runs.isEmpty()) return Double.NaN;
        double[] v = runs.stream().mapToDouble(r -> r[metric]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Three significant figures, thousands separated: 59.3, 2,350,000, 0.171. */
    static String fmt(double v) {
        if (Double.isNaN(v)) return "-";
        double a = Math.abs(v);
        if (a >= 1000) return String.format("%,.0f", v);
        if (a >= 100) return String.format("%.0f", v);
        if (a >= 10) return String.format("%.1f", v);
        if (a >= 1) return String.format("%.2f", v);
        return String.format("%.3f", v);
    }

    static double[] percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return new double[]{s[s.length / 2] / 1e3, s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e3};
    }

    private static Upload writeProgram(int bytes) throws IOException {
        Path dir = Files.createTempDirectory("pie-bench");
        byte[] wasm = new byte[bytes];
        new java.util.Random(1).nextBytes(wasm);
        Path wasmPath = Files.write(dir.resolve("bench.wasm"), wasm);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), "[package]\nname = \"bench\"\nversion = \"0.1.0\"\n");
        return new Upload(wasm, wasmPath, manifest);
    }

    private static void deleteProgram(Upload up) throws IOException {
        Files.deleteIfExists(up.wasmPath());
        Files.deleteIfExists(up.manifestPath());
        Files.deleteIfExists(up.wasmPath().getParent());
    }

    /** commons-codec's BLAKE3, found by reflection so the harness still compiles if the library drops it. */
    record LibraryBlake3(java.lang.reflect.Method init, java.lang.reflect.Method update, java.lang.reflect.Method fin) {
        static LibraryBlake3 find() {
            try {
                Class<?> c = Class.forName("org.apache.commons.codec.digest.Blake3");
                return new LibraryBlake3(c.getMethod("initHash"), c.getMethod("update", byte[].class),
                        c.getMethod("doFinalize", int.class));
            } catch (ReflectiveOperationException e) {
                return null;
            }
        }

        String hex(byte[] data) throws ReflectiveOperationException {
            Object h = init.invoke(null);
            update.invoke(h, (Object) data);
            return java.util.HexFormat.of().formatHex((byte[]) fin.invoke(h, 32));
        }
    }

    /** The Node load engine as a child process, or an engine someone else started. */
    static final class Engine implements AutoCloseable {
        private final Process process;
        private final URI uri;

        private Engine(Process process, URI uri) {
            this.process = process;
            this.uri = uri;
        }

        static Engine external(String uri) {
            return new Engine(null, URI.create(uri));
        }

        static Engine start() throws IOException, InterruptedException {
            Path script = Path.of(System.getProperty("bench.engine", "scripts/bench-engine/engine.js"));
            if (!Files.exists(script)) throw new IllegalStateException("no load engine at " + script.toAbsolutePath());
            // --parent-pipe: the engine exits when our end of its stdin closes, even if this JVM is killed.
            Process p = new ProcessBuilder("node", script.toString(), "--parent-pipe")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("LISTENING ")) {
                p.destroy();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("the load engine did not start (run npm ci --prefix scripts/bench-engine): " + line);
            }
            return new Engine(p, URI.create("ws://127.0.0.1:" + line.substring("LISTENING ".length()).trim()));
        }

        URI uri() {
            return uri;
        }

        @Override
        public void close() throws IOException {
            if (process == null) return;
            process.getOutputStream().close();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroy();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** W4 in a JVM of its own, so that its peak RSS is that of one client and nothing else. */
    static final class W4Child {
        static final List<String> JVM_FLAGS = List.of("-Xmx1g", "-XX:+UseG1GC");
        static final int WARM_UP_PASSES = 3;

        /** Runs one child; returns {seconds of the timed pass, VmHWM in MiB at the end, VmHWM after the first pass}. */
        static double[] spawn(String side, URI uri, int procs, int events) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(JVM_FLAGS);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "Bench", "--child-w4", side,
                    uri.toString(), Integer.toString(procs), Integer.toString(events)));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !out.startsWith("W4 ")) {
                p.destroyForcibly();
                throw new IllegalStateException("W4 child (" + side + ") failed: " + out);
            }
            String[] f = out.split(" ");
            return new double[]{Double.parseDouble(f[1]), Double.parseDouble(f[2]) / 1024, Double.parseDouble(f[3]) / 1024};
        }

        static void main(String[] args) throws Exception {
            String side = args[0];
            URI uri = URI.create(args[1]);
            int procs = Integer.parseInt(args[2]), events = Integer.parseInt(args[3]);
            try (Side s = side.equals("client") ? new BenchClient(uri) : new BenchRaw(uri)) {
                Pass pass = !side.equals("reference") ? () -> s.fanIn(procs, events) : () -> {
                    FanInRun r = ((BenchRaw) s).blockingFanIn(procs, events);
                    if (r.received() != r.expected()) {
                        throw new IllegalStateException("W4 reference read " + r.received() + " of " + r.expected() + " events");
                    }
                    return r.seconds();
                };
                // Warm-up passes, as many as W2 and W3 get: after one the client's rounds were still climbing.
                pass.run();
                long firstPassHwm = vmHwmKiB();
                for (int i = 1; i < WARM_UP_PASSES; i++) pass.run();
                double secs = pass.run();
                System.out.printf(Locale.ROOT, "W4 %.6f %d %d%n", secs, vmHwmKiB(), firstPassHwm);
            }
        }

        @FunctionalInterface
        interface Pass {
            double run() throws Exception;
        }

        /** Peak resident set size of this JVM, from /proc (Linux). */
        static long vmHwmKiB() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            return -1;
        }
    }
}
