package org.pieproject.client.jmh;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pieproject.client.PieClient;

/**
 * {@link PieClient#hashBlob} (BLAKE3, as every upload and download is checked with) over 1 MiB and 64 MiB.
 * Reported as time per hash; GB/s = size / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HashBenchmark {
    @Param({"1048576", "67108864"})
    public int size;

    private byte[] data;

    @Setup
    public void setUp() {
        data = new byte[size];
        new Random(42).nextBytes(data);
    }

    @Benchmark
    public String hashBlob() {
        return PieClient.hashBlob(data);
    }
}
