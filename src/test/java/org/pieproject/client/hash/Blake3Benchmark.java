package org.pieproject.client.hash;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Throughput of this package's BLAKE3 next to commons-codec's, measured in the same run with the variants
 * alternating round by round, so that a busy machine slows all of them alike. Not a test: run it by hand.
 *
 * <pre>
 * ./mvnw -q -o test-compile
 * CODEC=$HOME/.m2/repository/commons-codec/commons-codec/1.20.0/commons-codec-1.20.0.jar
 * java -cp target/classes:target/test-classes:$CODEC org.pieproject.client.hash.Blake3Benchmark [MiB=64] [rounds=7]
 * </pre>
 *
 * For each variant it prints the median and best wall-clock rate over the rounds, and the rate per CPU
 * second (of the calling thread, or of the whole process for the parallel variant): on a shared machine
 * the wall clock also counts the time spent waiting for a processor, so the second figure shows the speed
 * of the code itself, and the parallel variant's shows what its threads cost in total.
 */
public final class Blake3Benchmark {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private record Variant(String name, boolean singleThread, Function<byte[], byte[]> hash) {
    }

    private Blake3Benchmark() {
    }

    public static void main(String[] args) {
        int mebibytes = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        byte[] data = new byte[mebibytes << 20];
        new Random(1).nextBytes(data);

        List<Variant> variants = List.of(
                new Variant("commons-codec Blake3.hash", true, org.apache.commons.codec.digest.Blake3::hash),
                new Variant("scalar compress, one chunk at a time", true, Blake3Benchmark::scalarTree),
                new Variant("Blake3 one thread (lanes)", true, d -> Blake3.hashSequential(d, 0, d.length)),
                new Variant("Blake3.Hasher, 256 KiB updates", true, Blake3Benchmark::incremental),
                new Variant("Blake3.hash (parallel, " + Runtime.getRuntime().availableProcessors() + " cpus)", false,
                        Blake3::hash));

        byte[] expected = org.apache.commons.codec.digest.Blake3.hash(data);
        for (Variant v : variants) {
            if (!Arrays.equals(v.hash().apply(data), expected)) {
                throw new AssertionError(v.name() + " disagrees with commons-codec");
            }
        }
        // Warm-up: let C2 compile every path before anything is timed.
        byte[] small = Arrays.copyOf(data, Math.min(data.length, 8 << 20));
        for (int i = 0; i < 5; i++) {
            for (Variant v : variants) {
                v.hash().apply(small);
            }
        }

        Map<Variant, List<double[]>> samples = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (Variant v : variants) {
                long cpu0 = cpuTime(v);
                long t0 = System.nanoTime();
                v.hash().apply(data);
                long wall = System.nanoTime() - t0;
                long cpu = cpuTime(v) - cpu0;
                samples.computeIfAbsent(v, k -> new ArrayList<>()).add(new double[] {
                        data.length / (double) wall, data.length / (double) cpu});
            }
        }

        System.out.printf("BLAKE3 of %d MiB, %d rounds, %s%n", mebibytes, rounds, Runtime.version());
        System.out.printf("%-40s %12s %12s %16s%n", "variant", "median GB/s", "best GB/s", "GB/s per CPU s");
        double commons = median(samples.get(variants.get(0)), 0);
        for (Variant v : variants) {
            List<double[]> s = samples.get(v);
            double median = median(s, 0);
            String perCpu = String.format("%.3f", median(s, 1));
            System.out.printf("%-40s %12.3f %12.3f %16s   (%.1fx commons)%n", v.name(), median, best(s), perCpu,
                    median / commons);
        }
    }

    /** The calling thread's CPU time, or the whole process's for a variant that uses other threads too. */
    private static long cpuTime(Variant v) {
        return v.singleThread() ? THREADS.getCurrentThreadCpuTime() : PROCESS.getProcessCpuTime();
    }

    private static byte[] incremental(byte[] data) {
        Blake3.Hasher h = Blake3.newHasher();
        for (int p = 0; p < data.length; p += 256 * 1024) {
            h.update(data, p, Math.min(256 * 1024, data.length - p));
        }
        return h.digest();
    }

    /**
     * The whole tree with the one-block compressor only: what a tight scalar loop reaches without the lanes.
     * Inputs that are a whole power-of-two number of chunks, as the benchmark's are.
     */
    private static byte[] scalarTree(byte[] data) {
        int chunks = data.length / 1024;
        if (chunks < 2 || Integer.bitCount(chunks) != 1 || data.length % 1024 != 0) {
            throw new IllegalArgumentException("scalarTree takes 2^k whole chunks");
        }
        int[] left = scalarSubtree(data, 0, chunks / 2);
        int[] right = scalarSubtree(data, data.length / 2, chunks / 2);
        int[] root = new int[8];
        Compressor.parent(root, left, 0, right, 0, Compressor.ROOT, new byte[64]);
        return Compressor.digestBytes(root);
    }

    private static int[] scalarSubtree(byte[] data, int off, int chunks) {
        int[] out = new int[8];
        if (chunks == 1) {
            Compressor.fullChunk(out, data, off, off / 1024);
            return out;
        }
        int[] left = scalarSubtree(data, off, chunks / 2);
        int[] right = scalarSubtree(data, off + chunks / 2 * 1024, chunks / 2);
        Compressor.parent(out, left, 0, right, 0, 0, new byte[64]);
        return out;
    }

    private static double median(List<double[]> samples, int column) {
        double[] values = samples.stream().mapToDouble(s -> s[column]).sorted().toArray();
        return values[values.length / 2];
    }

    private static double best(List<double[]> samples) {
        return samples.stream().mapToDouble(s -> s[0]).max().orElseThrow();
    }
}
