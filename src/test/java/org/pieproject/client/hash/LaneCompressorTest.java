package org.pieproject.client.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lane compressor against the one-block-at-a-time compressor, for every subtree size it takes and for
 * chunk numbers beyond 2^32 (which no test vector reaches: they need inputs of over 4 TiB).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LaneCompressorTest {

    /** The chaining value of a power-of-two subtree, one chunk and one parent at a time. */
    private static int[] scalarSubtree(byte[] in, int off, int chunks, long firstChunk) {
        int[] out = new int[8];
        if (chunks == 1) {
            Compressor.fullChunk(out, in, off, firstChunk);
            return out;
        }
        int half = chunks / 2;
        int[] left = scalarSubtree(in, off, half, firstChunk);
        int[] right = scalarSubtree(in, off + half * 1024, half, firstChunk + half);
        Compressor.parent(out, left, 0, right, 0, 0, new byte[64]);
        return out;
    }

    @Test
    void everySubtreeSizeMatchesTheScalarTree() {
        Random random = new Random(11L);
        byte[] data = new byte[LaneCompressor.MAX_LANES * 1024 + 100];
        random.nextBytes(data);
        LaneCompressor lanes = new LaneCompressor();
        int[] left = new int[8];
        int[] right = new int[8];
        for (int chunks = LaneCompressor.MIN_CHUNKS; chunks <= LaneCompressor.MAX_LANES; chunks *= 2) {
            long[] firstChunks = {0, chunks, 7L * chunks, 1L << 32, (1L << 32) - chunks, (5L << 40) + 3L * chunks};
            for (long firstChunk : firstChunks) {
                int off = random.nextInt(100);
                lanes.subtree(data, off, chunks, firstChunk, left, right);
                assertThat(left).as("left half of %d chunks from chunk %d", chunks, firstChunk)
                        .isEqualTo(scalarSubtree(data, off, chunks / 2, firstChunk));
                assertThat(right).as("right half of %d chunks from chunk %d", chunks, firstChunk)
                        .isEqualTo(scalarSubtree(data, off + chunks / 2 * 1024, chunks / 2, firstChunk + chunks / 2));
            }
        }
    }

    @Test
    void scratchIsFullyResetBetweenCalls() {
        // A large subtree leaves every lane dirty; a smaller one afterwards must not see any of it.
        Random random = new Random(12L);
        byte[] data = new byte[LaneCompressor.MAX_LANES * 1024];
        random.nextBytes(data);
        LaneCompressor used = new LaneCompressor();
        int[] left = new int[8];
        int[] right = new int[8];
        used.subtree(data, 0, LaneCompressor.MAX_LANES, 0, left, right);
        int[] freshLeft = new int[8];
        int[] freshRight = new int[8];
        for (int chunks = LaneCompressor.MIN_CHUNKS; chunks < LaneCompressor.MAX_LANES; chunks *= 2) {
            used.subtree(data, 1024, chunks, chunks, left, right);
            new LaneCompressor().subtree(data, 1024, chunks, chunks, freshLeft, freshRight);
            assertThat(left).as("left half of %d chunks after a full batch", chunks).isEqualTo(freshLeft);
            assertThat(right).as("right half of %d chunks after a full batch", chunks).isEqualTo(freshRight);
        }
    }

    @Test
    void refusesWhatIsNotAnAlignedSubtree() {
        LaneCompressor lanes = new LaneCompressor();
        byte[] data = new byte[LaneCompressor.MAX_LANES * 2 * 1024];
        int[] left = new int[8];
        int[] right = new int[8];
        int min = LaneCompressor.MIN_CHUNKS;
        assertThatThrownBy(() -> lanes.subtree(data, 0, min + 1, 0, left, right))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lanes.subtree(data, 0, min / 2, 0, left, right))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lanes.subtree(data, 0, 2 * LaneCompressor.MAX_LANES, 0, left, right))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lanes.subtree(data, 0, min, min / 2, left, right))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hasherFromALargeChunkNumberMatchesTheScalarTree() {
        // A hasher for a subtree far into an input (as a parallel task would be) must count its chunks
        // from there, in the lanes and in the one-chunk path alike.
        Random random = new Random(13L);
        byte[] data = new byte[512 * 1024];
        random.nextBytes(data);
        long firstChunk = 3L << 32;
        for (int chunks : new int[] {1, 2, 16, 64, 512}) {
            int[] expected = scalarSubtree(data, 0, chunks, firstChunk);
            // At once (lanes where it can), then in ragged pieces (the one-chunk path and the lanes mixed).
            Blake3.Hasher whole = new Blake3.Hasher(firstChunk);
            whole.update(data, 0, chunks * 1024);
            assertThat(whole.finish(0)).as("%d chunks at once", chunks).isEqualTo(expected);
            Blake3.Hasher pieces = new Blake3.Hasher(firstChunk);
            for (int p = 0; p < chunks * 1024; p += 3 * 1024 + 5) {
                pieces.update(data, p, Math.min(3 * 1024 + 5, chunks * 1024 - p));
            }
            assertThat(pieces.finish(0)).as("%d chunks in pieces", chunks).isEqualTo(expected);
        }
    }
}
