package org.pieproject.client.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our BLAKE3 against commons-codec's, an independent implementation, on random data of random and of
 * carefully chosen lengths: around every power-of-two number of chunks (where the tree changes shape),
 * and large enough to take the parallel path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Blake3DifferentialTest {

    private static byte[] reference(byte[] data, int off, int len) {
        return org.apache.commons.codec.digest.Blake3.initHash().update(data, off, len).doFinalize(32);
    }

    private static byte[] randomBytes(Random random, int len) {
        byte[] b = new byte[len];
        random.nextBytes(b);
        return b;
    }

    @Test
    void randomLengthsUpToThreeMebibytes() {
        Random random = new Random(20261126L);
        byte[] data = randomBytes(random, 3 << 20);
        List<Integer> lengths = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lengths.add(random.nextInt(data.length + 1));
        }
        for (int i = 0; i < 40; i++) {
            lengths.add(random.nextInt(8 * 1024));
        }
        for (int i = 0; i < 20; i++) {
            lengths.add(1024 * random.nextInt(3 * 1024 + 1));
        }
        for (int chunks = 1; chunks <= 2048; chunks *= 2) {
            for (int delta : new int[] {-1024, -1, 0, 1, 1024}) {
                lengths.add(chunks * 1024 + delta);
            }
        }
        for (int len : lengths) {
            if (len < 0 || len > data.length) {
                continue;
            }
            int off = random.nextInt(data.length - len + 1);
            byte[] expected = reference(data, off, len);
            assertThat(Blake3.hash(data, off, len)).as("hash of %d bytes", len).isEqualTo(expected);
            assertThat(Blake3.hashParallel(data, off, len, 16 * 1024)).as("parallel hash of %d bytes", len)
                    .isEqualTo(expected);
            Blake3.Hasher h = Blake3.newHasher();
            int end = off + len;
            for (int p = off; p < end; ) {
                int n = Math.min(end - p, 1 + random.nextInt(300_000));
                h.update(data, p, n);
                p += n;
            }
            assertThat(h.digest()).as("hasher over %d bytes", len).isEqualTo(expected);
        }
    }

    @Test
    void backgroundHasherAroundEveryPieceBoundary() {
        Random random = new Random(256L);
        int piece = Blake3.BackgroundHasher.PIECE;
        byte[] data = randomBytes(random, 5 * piece + 4096);
        for (int pieces = 0; pieces <= 5; pieces++) {
            for (int delta : new int[] {-1024, -1, 0, 1, 1024, 4096}) {
                int len = pieces * piece + delta;
                if (len < 0) continue;
                Blake3.BackgroundHasher h = Blake3.newBackgroundHasher();
                for (int filled = 0; filled < len; ) {
                    filled = Math.min(len, filled + 1 + random.nextInt(piece));
                    h.advance(data, filled);
                }
                assertThat(h.digest(data, len)).as("background hash of %d bytes", len).isEqualTo(reference(data, 0, len));
            }
        }
    }

    @Test
    void aCancelledBackgroundHasherGivesNoHash() {
        byte[] data = randomBytes(new Random(1L), 4 * Blake3.BackgroundHasher.PIECE);
        Blake3.BackgroundHasher h = Blake3.newBackgroundHasher();
        h.advance(data, data.length);
        h.cancel();
        h.advance(data, data.length);
        assertThatThrownBy(() -> h.digest(data, data.length)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void largeInputsThroughEveryPath() {
        Random random = new Random(64L);
        byte[] data = randomBytes(random, 64 << 20);
        for (int len : new int[] {16 << 20, (16 << 20) + 1, (32 << 20) - 1000, 64 << 20}) {
            byte[] expected = reference(data, 0, len);
            assertThat(Blake3.hash(data, 0, len)).as("hash of %d bytes", len).isEqualTo(expected);
            assertThat(Blake3.hashSequential(data, 0, len)).as("sequential hash of %d bytes", len).isEqualTo(expected);
            Blake3.Hasher h = Blake3.newHasher();
            for (int p = 0; p < len; p += 256 * 1024) {
                h.update(data, p, Math.min(256 * 1024, len - p));
            }
            assertThat(h.digest()).as("hasher over %d bytes in 256 KiB pieces", len).isEqualTo(expected);
        }
    }

    @Test
    void manyThreadsHashingAtOnceAgree() throws Exception {
        Random random = new Random(7L);
        byte[] data = randomBytes(random, 5 << 20);
        byte[] expected = reference(data, 0, data.length);
        List<Thread> threads = new ArrayList<>();
        Queue<byte[]> results = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 8; i++) {
            threads.add(Thread.ofVirtual().start(() -> results.add(Blake3.hash(data))));
        }
        for (Thread t : threads) {
            assertThat(t.join(Duration.ofSeconds(60))).as("hashing thread finished").isTrue();
        }
        assertThat(results).hasSize(8).allSatisfy(r -> assertThat(r).isEqualTo(expected));
    }
}
