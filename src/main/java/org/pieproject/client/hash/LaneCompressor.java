package org.pieproject.client.hash;

import static org.pieproject.client.hash.Compressor.BLOCK_LEN;
import static org.pieproject.client.hash.Compressor.CHUNK_END;
import static org.pieproject.client.hash.Compressor.CHUNK_LEN;
import static org.pieproject.client.hash.Compressor.CHUNK_START;
import static org.pieproject.client.hash.Compressor.IV0;
import static org.pieproject.client.hash.Compressor.IV1;
import static org.pieproject.client.hash.Compressor.IV2;
import static org.pieproject.client.hash.Compressor.IV3;
import static org.pieproject.client.hash.Compressor.IV4;
import static org.pieproject.client.hash.Compressor.IV5;
import static org.pieproject.client.hash.Compressor.IV6;
import static org.pieproject.client.hash.Compressor.IV7;
import static org.pieproject.client.hash.Compressor.PARENT;
import static org.pieproject.client.hash.Compressor.WORD;

/**
 * Hashes a whole subtree of up to {@value #MAX_LANES} chunks by compressing all of its chunks side by side,
 * then each level of parents side by side, one lane per node.
 *
 * <p>Why lanes: the state is kept transposed (word {@code w} of every lane in one {@code int[]}), so each
 * quarter-round step of the compression is one short loop over the lanes doing the same arithmetic on
 * every element. HotSpot's C2 compiles such loops to SIMD instructions (SuperWord, including the
 * rotations), which a single compression, a chain of dependent operations, cannot use. The loop bodies are
 * kept to one G step on purpose: larger bodies (a whole round per loop) vectorized on JDK 25 but not on
 * JDK 17, and were no faster where they did. Writing the message words into the transposed layout is plain
 * scalar code; it costs about a third of the time of the rounds.
 *
 * <p>Not thread-safe: each instance is scratch space for one thread (about 34 KiB).
 */
final class LaneCompressor {
    static final int MAX_LANES = 256;
    /**
     * The smallest subtree worth hashing in lanes; below it the fixed costs win. It also keeps every lane
     * loop long: C2 stops unrolling, and so vectorizing, loops whose profiled trip counts are short.
     */
    static final int MIN_CHUNKS = 32;
    /** Parent levels narrower than this are merged one parent at a time. */
    private static final int MIN_PARENT_LANES = 16;

    /** The message schedule: word {@code i} of round {@code r} is message word {@code SCHEDULE[r][i]}. */
    private static final int[][] SCHEDULE = schedule();

    /** The working state v0..v15 of every lane; after a pass, v0..v7 hold each lane's chaining value. */
    private final int[][] v = new int[16][MAX_LANES];
    /** Message words of the current block of every lane. */
    private final int[][] m = new int[16][MAX_LANES];
    private final int[] counterLow = new int[MAX_LANES];
    private final int[] counterHigh = new int[MAX_LANES];
    private final int[] parentCv = new int[8];
    private final byte[] parentBlock = new byte[BLOCK_LEN];

    /**
     * Hashes the subtree made of the {@code chunks} whole chunks at {@code in[off]}, the first being chunk
     * number {@code firstChunk} of the input, and gives the chaining values of its two halves in
     * {@code left} and {@code right}. {@code chunks} is a power of two between {@value #MIN_CHUNKS} and
     * {@value #MAX_LANES}, and {@code firstChunk} a multiple of it (that is what makes these chunks one
     * subtree of the BLAKE3 tree). The caller merges the halves: only it knows whether that parent is the
     * root.
     */
    void subtree(byte[] in, int off, int chunks, long firstChunk, int[] left, int[] right) {
        if (Integer.bitCount(chunks) != 1 || chunks < MIN_CHUNKS || chunks > MAX_LANES
                || (firstChunk & (chunks - 1)) != 0) {
            throw new IllegalArgumentException(
                    "not an aligned subtree: " + chunks + " chunks from chunk " + firstChunk);
        }
        setKey(chunks);
        for (int j = 0; j < chunks; j++) {
            long counter = firstChunk + j;
            counterLow[j] = (int) counter;
            counterHigh[j] = (int) (counter >>> 32);
        }
        for (int b = 0; b < 16; b++) {
            loadBlocks(in, off + b * BLOCK_LEN, chunks);
            int flags = b == 0 ? CHUNK_START : b == 15 ? CHUNK_END : 0;
            compress(chunks, true, flags);
        }
        int nodes = chunks;
        for (; nodes / 2 >= MIN_PARENT_LANES; nodes /= 2) {
            loadParents(nodes / 2);
            setKey(nodes / 2);
            compress(nodes / 2, false, PARENT);
        }
        // The last few levels one parent at a time: too narrow to gain from lanes, and running them in lanes
        // would teach C2 that the lane loops are short, which makes it stop vectorizing them.
        int[] cvs = new int[8 * nodes];
        for (int i = 0; i < 8; i++) {
            int[] word = v[i];
            for (int j = 0; j < nodes; j++) {
                cvs[8 * j + i] = word[j];
            }
        }
        for (; nodes > 2; nodes /= 2) {
            for (int p = 0; p < nodes / 2; p++) {
                Compressor.parent(parentCv, cvs, 16 * p, cvs, 16 * p + 8, 0, parentBlock);
                System.arraycopy(parentCv, 0, cvs, 8 * p, 8);
            }
        }
        System.arraycopy(cvs, 0, left, 0, 8);
        System.arraycopy(cvs, 8, right, 0, 8);
    }

    private void setKey(int n) {
        int[][] v = this.v;
        fill(v[0], IV0, n);
        fill(v[1], IV1, n);
        fill(v[2], IV2, n);
        fill(v[3], IV3, n);
        fill(v[4], IV4, n);
        fill(v[5], IV5, n);
        fill(v[6], IV6, n);
        fill(v[7], IV7, n);
    }

    /** Transposes block {@code b} of each chunk (the 64 bytes at {@code in[off + j * 1024]}) into the lanes. */
    private void loadBlocks(byte[] in, int off, int n) {
        int[][] m = this.m;
        int[] m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4], m5 = m[5], m6 = m[6], m7 = m[7];
        int[] m8 = m[8], m9 = m[9], m10 = m[10], m11 = m[11], m12 = m[12], m13 = m[13], m14 = m[14], m15 = m[15];
        for (int j = 0, p = off; j < n; j++, p += CHUNK_LEN) {
            m0[j] = (int) WORD.get(in, p);
            m1[j] = (int) WORD.get(in, p + 4);
            m2[j] = (int) WORD.get(in, p + 8);
            m3[j] = (int) WORD.get(in, p + 12);
            m4[j] = (int) WORD.get(in, p + 16);
            m5[j] = (int) WORD.get(in, p + 20);
            m6[j] = (int) WORD.get(in, p + 24);
            m7[j] = (int) WORD.get(in, p + 28);
            m8[j] = (int) WORD.get(in, p + 32);
            m9[j] = (int) WORD.get(in, p + 36);
            m10[j] = (int) WORD.get(in, p + 40);
            m11[j] = (int) WORD.get(in, p + 44);
            m12[j] = (int) WORD.get(in, p + 48);
            m13[j] = (int) WORD.get(in, p + 52);
            m14[j] = (int) WORD.get(in, p + 56);
            m15[j] = (int) WORD.get(in, p + 60);
        }
    }

    /** The message of parent {@code p} is the chaining values of lanes {@code 2p} and {@code 2p + 1}. */
    private void loadParents(int n) {
        int[][] v = this.v;
        int[][] m = this.m;
        for (int w = 0; w < 8; w++) {
            int[] cv = v[w];
            int[] left = m[w];
            int[] right = m[w + 8];
            for (int p = 0; p < n; p++) {
                left[p] = cv[2 * p];
                right[p] = cv[2 * p + 1];
            }
        }
    }

    /**
     * One compression in lanes 0..n-1: v0..v7 hold the input chaining values and end up holding the output
     * ones. Chunks count with their own chunk numbers; parents use counter 0.
     */
    private void compress(int n, boolean chunkCounters, int flags) {
        int[][] v = this.v;
        int[][] m = this.m;
        fill(v[8], IV0, n);
        fill(v[9], IV1, n);
        fill(v[10], IV2, n);
        fill(v[11], IV3, n);
        if (chunkCounters) {
            System.arraycopy(counterLow, 0, v[12], 0, n);
            System.arraycopy(counterHigh, 0, v[13], 0, n);
        } else {
            fill(v[12], 0, n);
            fill(v[13], 0, n);
        }
        fill(v[14], BLOCK_LEN, n);
        fill(v[15], flags, n);
        for (int[] s : SCHEDULE) {
            g(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]], n);
            g(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]], n);
            g(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]], n);
            g(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]], n);
            g(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]], n);
            g(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]], n);
            g(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]], n);
            g(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]], n);
        }
        for (int i = 0; i < 8; i++) {
            xorInto(v[i], v[i + 8], n);
        }
    }

    /** The G function of BLAKE3 in every lane; every array is indexed by the lane alone, so C2 vectorizes it. */
    private static void g(int[] a, int[] b, int[] c, int[] d, int[] mx, int[] my, int n) {
        for (int i = 0; i < n; i++) {
            int va = a[i] + b[i] + mx[i];
            int vd = Integer.rotateRight(d[i] ^ va, 16);
            int vc = c[i] + vd;
            int vb = Integer.rotateRight(b[i] ^ vc, 12);
            va += vb + my[i];
            vd = Integer.rotateRight(vd ^ va, 8);
            vc += vd;
            vb = Integer.rotateRight(vb ^ vc, 7);
            a[i] = va;
            b[i] = vb;
            c[i] = vc;
            d[i] = vd;
        }
    }

    private static void fill(int[] a, int value, int n) {
        for (int i = 0; i < n; i++) {
            a[i] = value;
        }
    }

    private static void xorInto(int[] a, int[] b, int n) {
        for (int i = 0; i < n; i++) {
            a[i] ^= b[i];
        }
    }

    private static int[][] schedule() {
        int[] permutation = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};
        int[][] s = new int[7][16];
        for (int i = 0; i < 16; i++) {
            s[0][i] = i;
        }
        for (int r = 1; r < 7; r++) {
            for (int i = 0; i < 16; i++) {
                s[r][i] = s[r - 1][permutation[i]];
            }
        }
        return s;
    }
}
