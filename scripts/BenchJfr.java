// scripts/bench --jfr: what recording costs. The request workloads (W1 ping latency, W2 pings/s with 64 in
// flight) and the stream workload (W3 events/s) run through the library with no JFR recording ("off") and
// with one ("on": the JDK's default settings plus every org.pieproject event at no threshold, so every
// request and process is recorded), rounds alternating off, on, raw after a warm-up of each. "raw" is the
// raw java.net.http client of scripts/bench, so the off/raw ratio can be set beside the Performance table's.
// Prints each round, then the medians and the ratios on/off and off/raw.
import java.net.URI;
import java.text.ParseException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;

final class BenchJfr {
    private static final List<String> PIE_EVENTS = List.of("org.pieproject.ConnectionOpen",
            "org.pieproject.ConnectionClosed", "org.pieproject.Request", "org.pieproject.Process",
            "org.pieproject.Transfer", "org.pieproject.ReconnectAttempt");

    @FunctionalInterface
    interface Work {
        double[] on(Bench.Side side) throws Exception;
    }

    private final int rounds;
    private final List<String> table = new ArrayList<>();

    private BenchJfr(int rounds) {
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--rounds")) rounds = Integer.parseInt(args[++i]);
            else throw new IllegalArgumentException("unknown option " + args[i] + " (use --rounds N)");
        }
        try (Bench.Engine engine = Bench.Engine.start()) {
            new BenchJfr(rounds).run(engine.uri());
        }
    }

    private void run(URI uri) throws Exception {
        System.out.printf("pie-client JFR cost: engine %s, %d CPUs, JVM %s, %d rounds alternating off, on, raw%n", uri,
                Runtime.getRuntime().availableProcessors(), Runtime.version(), rounds);
        System.out.printf("load average at start: %.1f%n%n", loadAverage());
        try (BenchClient client = new BenchClient(uri); BenchRaw raw = new BenchRaw(uri)) {
            measure(client, raw, "W1 ping latency, sequential, µs", 2, s -> s.pingLatency(20_000));
            measure(client, raw, "W2 pings/s, 64 in flight", 1, s -> new double[]{s.pingRate(100_000, 64)});
            measure(client, raw, "W3 stdout events/s, one process, 500,000 x 16 B", 1,
                    s -> new double[]{s.eventRate(500_000)});
        }
        System.out.printf("%n| workload | JFR off | JFR on | on / off | off / raw |%n|---|---|---|---|---|%n");
        table.forEach(System.out::println);
        System.out.printf("%nload average at end: %.1f%n", loadAverage());
    }

    private void measure(BenchClient client, BenchRaw raw, String name, int figures, Work work) throws Exception {
        System.out.println(name);
        // Warm-ups: the client with and without recording (the recording's own code must be compiled too).
        for (int i = 0; i < 2; i++) {
            work.on(client);
            try (Recording r = recording()) {
                work.on(client);
            }
            work.on(raw);
        }
        List<double[]> off = new ArrayList<>(), on = new ArrayList<>(), rawRuns = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            off.add(work.on(client));
            try (Recording r = recording()) {
                on.add(work.on(client));
            }
            rawRuns.add(work.on(raw));
            System.out.printf("  round %d:  off %s  on %s  raw %s%n", round, fmt(off.getLast()), fmt(on.getLast()),
                    fmt(rawRuns.getLast()));
        }
        for (int m = 0; m < figures; m++) {
            double a = Bench.median(off, m), b = Bench.median(on, m), c = Bench.median(rawRuns, m);
            String label = name + (figures > 1 ? (m == 0 ? " p50" : " p99") : "");
            System.out.printf("  median %s: off %s, on %s, on/off %.2f, off/raw %.2f%n", label, Bench.fmt(a), Bench.fmt(b),
                    b / a, a / c);
            table.add(String.format("| %s | %s | %s | %.2f | %.2f |", label, Bench.fmt(a), Bench.fmt(b), b / a, a / c));
        }
    }

    /** A running recording: the JDK's default settings, and every event of the library whatever its duration. */
    private static Recording recording() throws IOException, ParseException {
        Recording r = new Recording(Configuration.getConfiguration("default"));
        for (String e : PIE_EVENTS) r.enable(e).withoutThreshold();
        r.setToDisk(true);
        r.start();
        return r;
    }

    private static String fmt(double[] r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < r.length; i++) b.append(i > 0 ? "/" : "").append(Bench.fmt(r[i]));
        return b.toString();
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
