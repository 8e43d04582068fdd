package org.pieproject.client.hash;

import static org.pieproject.client.hash.Compressor.BLOCK_LEN;
import static org.pieproject.client.hash.Compressor.CHUNK_END;
import static org.pieproject.client.hash.Compressor.CHUNK_LEN;
import static org.pieproject.client.hash.Compressor.CHUNK_START;
import static org.pieproject.client.hash.Compressor.ROOT;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveTask;

/**
 * BLAKE3 in its hash mode with the default 32-byte output, the hash of every blob in the Pie protocol.
 *
 * <p>{@link #hash(byte[])} spreads inputs of {@value #PARALLEL_THRESHOLD} bytes and more over all
 * processors: BLAKE3 is a binary tree over 1 KiB chunks, and each aligned power-of-two run of chunks is a
 * subtree whose chaining value can be computed on its own. Smaller inputs, and the {@link Hasher}, stay on
 * the calling thread; a {@link BackgroundHasher} hashes a filling array on the same worker threads. All
 * methods are thread-safe; a {@link Hasher} and a {@link BackgroundHasher} are not.
 *
 * <pre>{@code
 * String id = Blake3.hex(bytes);
 *
 * Blake3.Hasher h = Blake3.newHasher();
 * h.update(part1, 0, part1.length);
 * h.update(part2, 0, part2.length);
 * byte[] digest = h.digest();
 * }</pre>
 */
public final class Blake3 {
    /** Length in bytes of a digest. */
    public static final int DIGEST_LENGTH = 32;

    /** Inputs from this size on are hashed on all processors. */
    static final int PARALLEL_THRESHOLD = 1 << 20;

    /**
     * The largest piece one thread hashes on its own in the parallel path: a few hundred microseconds of
     * work, small enough to balance the load, large enough that task overhead does not show.
     */
    static final int PARALLEL_GRAIN = 1 << 20;

    private static final HexFormat HEX = HexFormat.of();
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    private Blake3() {
    }

    /**
     * The 32-byte BLAKE3 hash of {@code data}.
     *
     * @param data the input
     * @return the hash
     */
    public static byte[] hash(byte[] data) {
        return hash(data, 0, data.length);
    }

    /**
     * The 32-byte BLAKE3 hash of {@code data[off, off + len)}.
     *
     * @param data the input array
     * @param off  where the input starts
     * @param len  how many bytes it has
     * @return the hash
     * @throws IndexOutOfBoundsException if the range is not inside {@code data}
     */
    public static byte[] hash(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (len >= PARALLEL_THRESHOLD && PROCESSORS > 1) {
            return hashParallel(data, off, len, PARALLEL_GRAIN);
        }
        return hashSequential(data, off, len);
    }

    /**
     * The BLAKE3 hash of {@code data} as 64 lowercase hex digits, the form the Pie protocol uses.
     *
     * @param data the input
     * @return the hash in hex
     */
    public static String hex(byte[] data) {
        return HEX.formatHex(hash(data));
    }

    /**
     * A hasher for input that arrives in pieces.
     *
     * @return an empty hasher
     */
    public static Hasher newHasher() {
        return new Hasher(0);
    }

    /**
     * A hash of an array that fills from the front, taken while it fills.
     *
     * @return an empty one, hashing in pieces of {@value BackgroundHasher#PIECE} bytes
     */
    public static BackgroundHasher newBackgroundHasher() {
        return new BackgroundHasher(BackgroundHasher.PIECE);
    }

    static byte[] hashSequential(byte[] data, int off, int len) {
        Hasher h = new Hasher(0);
        h.update(data, off, len);
        return h.digest();
    }

    /**
     * The root is the parent of the input's two top subtrees; each is split again, recursively, until pieces
     * of at most {@code grain} bytes, which run as tasks on {@link Workers#POOL}.
     */
    static byte[] hashParallel(byte[] data, int off, int len, int grain) {
        if (len <= CHUNK_LEN) {
            return hashSequential(data, off, len);
        }
        int[] root = Workers.POOL.invoke(new SubtreeTask(data, off, len, 0, grain, ROOT));
        return Compressor.digestBytes(root);
    }

    /**
     * Size in bytes of the left subtree of a node covering {@code len > 1024} bytes: the largest power of two
     * number of chunks that leaves at least one byte to the right.
     */
    static int leftSubtreeLength(int len) {
        int fullChunks = (len - 1) / CHUNK_LEN;
        return Integer.highestOneBit(fullChunks) * CHUNK_LEN;
    }

    /** The chaining value (or, for the root, the output words) of the subtree over {@code data[off, off + len)}. */
    private static final class SubtreeTask extends RecursiveTask<int[]> {
        private final byte[] data;
        private final int off;
        private final int len;
        private final long firstChunk;
        private final int grain;
        private final int rootFlag;

        SubtreeTask(byte[] data, int off, int len, long firstChunk, int grain, int rootFlag) {
            this.data = data;
            this.off = off;
            this.len = len;
            this.firstChunk = firstChunk;
            this.grain = grain;
            this.rootFlag = rootFlag;
        }

        @Override
        protected int[] compute() {
            if (len <= grain || len <= CHUNK_LEN) {
                Hasher h = new Hasher(firstChunk);
                h.update(data, off, len);
                return h.finish(rootFlag);
            }
            int leftLen = leftSubtreeLength(len);
            var left = new SubtreeTask(data, off, leftLen, firstChunk, grain, 0);
            var right = new SubtreeTask(data, off + leftLen, len - leftLen, firstChunk + leftLen / CHUNK_LEN, grain, 0);
            left.fork();
            int[] rightCv = right.compute();
            int[] leftCv = left.join();
            int[] out = new int[8];
            Compressor.parent(out, leftCv, 0, rightCv, 0, rootFlag, new byte[BLOCK_LEN]);
            return out;
        }
    }

    /**
     * Hashes an array while it fills from the front, as a download does. Each whole piece of {@link #PIECE}
     * bytes that more bytes follow goes to the worker pool as soon as it is in, so the hash is mostly done by
     * the time the last bytes arrive, and only they are left to hash. A piece is an aligned power-of-two run
     * of chunks, and since more input follows it, a whole subtree of the final tree whatever the final
     * length: the pieces' chaining values merge into the hash of the whole array.
     *
     * <p>One thread fills and asks; the pool only reads bytes that are final.
     */
    public static final class BackgroundHasher {
        /** A few hundred microseconds of work: the tail left for {@link #digest} stays that small. */
        static final int PIECE = 256 << 10;

        private final int piece;
        private final List<ForkJoinTask<int[]>> pieces = new ArrayList<>();
        /** Bytes handed to the pool, a multiple of {@link #piece}. */
        private int handedOut;
        private boolean cancelled;

        BackgroundHasher(int piece) {
            if (piece < CHUNK_LEN || Integer.bitCount(piece) != 1) {
                throw new IllegalArgumentException("a piece must be a power-of-two number of chunks: " + piece);
            }
            this.piece = piece;
        }

        /**
         * Says that {@code data[0, length)} is final: it will not change, and later calls only extend it.
         * {@code data} may be a different array each time (one grown by copying) as long as it starts with
         * the same bytes.
         *
         * @param data   the array filling up
         * @param length how many of its bytes are final
         */
        public void advance(byte[] data, int length) {
            Objects.checkFromIndexSize(0, length, data.length);
            while (!cancelled && length - handedOut > piece) {
                pieces.add(Workers.POOL.submit(new Piece(data, handedOut, piece)));
                handedOut += piece;
            }
        }

        /**
         * The hash of {@code data[0, length)}, the whole input: hashes what no piece covered, waits for the
         * pieces and merges them.
         *
         * @param data   the complete array (the latest one given to {@link #advance})
         * @param length its length
         * @return the 32-byte hash
         */
        public byte[] digest(byte[] data, int length) {
            if (cancelled) throw new IllegalStateException("cancelled");
            if (length < handedOut) throw new IllegalArgumentException("shorter than the bytes already hashed");
            if (pieces.isEmpty()) return hash(data, 0, length);
            int[][] cvs = new int[pieces.size() + 1][];
            // The tail first: the pool may still be busy with the last pieces meanwhile.
            cvs[pieces.size()] = new Hasher(handedOut / CHUNK_LEN).update(data, handedOut, length - handedOut).finish(0);
            for (int i = 0; i < pieces.size(); i++) cvs[i] = pieces.get(i).join();
            pieces.clear();
            return Compressor.digestBytes(merge(cvs, 0, cvs.length, ROOT));
        }

        /** Drops the pieces not yet hashed, for a download given up; the hasher cannot be used after this. */
        public void cancel() {
            cancelled = true;
            for (ForkJoinTask<int[]> p : pieces) p.cancel(false);
            pieces.clear();
        }

        /**
         * The chaining value of one piece. It lets go of the array once hashed: a download's array may be
         * replaced by a larger copy, and the old one should not stay reachable until the digest.
         */
        private static final class Piece extends RecursiveTask<int[]> {
            private byte[] data;
            private final int off;
            private final int len;

            Piece(byte[] data, int off, int len) {
                this.data = data;
                this.off = off;
                this.len = len;
            }

            @Override
            protected int[] compute() {
                byte[] d = data;
                data = null;
                return new Hasher(off / CHUNK_LEN).update(d, off, len).finish(0);
            }
        }

        /**
         * The node over {@code cvs[from, to)}, leaves of equal size but the last: the same left-balanced split
         * as over chunks (the left side takes the largest power of two that leaves the right one leaf).
         */
        private static int[] merge(int[][] cvs, int from, int to, int rootFlag) {
            if (to - from == 1) return cvs[from];
            int mid = from + Integer.highestOneBit(to - from - 1);
            int[] out = new int[8];
            Compressor.parent(out, merge(cvs, from, mid, 0), 0, merge(cvs, mid, to, 0), 0, rootFlag, new byte[BLOCK_LEN]);
            return out;
        }
    }

    /** Daemon threads, one per processor, created on first use of the parallel path. */
    private static final class Workers {
        static final ForkJoinPool POOL = new ForkJoinPool(PROCESSORS, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("pie-blake3-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /**
     * Hashes input given in pieces of any size; the digest is the same however the input is split. Runs on
     * the calling thread. Whole chunks that arrive together go through the lane compressor, so large pieces
     * (such as 256 KiB transfer chunks) hash as fast as one-shot {@link Blake3#hash(byte[])} on one thread.
     *
     * <p>Not thread-safe.
     */
    public static final class Hasher {
        /** Enough for 2^54 chunks, more than any input can have (2^64 bytes). */
        private static final int MAX_DEPTH = 54;

        /** Chunk number of the first chunk this hasher sees: non-zero for a subtree hashed on its own. */
        private final long firstChunk;
        /** Chaining values of complete subtrees still waiting for a right sibling, largest first. */
        private final int[] stack = new int[8 * MAX_DEPTH];
        private int depth;
        /** Chunks completed and merged into the stack, counted from {@link #firstChunk}. */
        private long chunksDone;

        /** The chunk being filled: its chaining value so far, how many blocks it has compressed. */
        private final int[] chunkCv = new int[8];
        private int blocksDone;
        /**
         * The chunk's latest block, not compressed until more input shows whether it is the last block of
         * the chunk (and maybe of the input), which changes its flags.
         */
        private final byte[] block = new byte[BLOCK_LEN];
        private int blockLen;

        /**
         * The right half of the last subtree hashed in lanes when it ended the input so far, and its size in
         * chunks (0 if none): its merge with the left half becomes the root if no more input comes.
         */
        private final int[] pendingCv = new int[8];
        private long pendingChunks;

        private final int[] cv = new int[8];
        private final byte[] parentBlock = new byte[BLOCK_LEN];
        private LaneCompressor lanes;

        Hasher(long firstChunk) {
            this.firstChunk = firstChunk;
            Compressor.initChainingValue(chunkCv);
        }

        /**
         * Adds all of {@code data}.
         *
         * @param data the next input
         * @return this hasher
         */
        public Hasher update(byte[] data) {
            return update(data, 0, data.length);
        }

        /**
         * Adds {@code data[off, off + len)}.
         *
         * @param data the input array
         * @param off  where the input starts
         * @param len  how many bytes it has
         * @return this hasher
         * @throws IndexOutOfBoundsException if the range is not inside {@code data}
         */
        public Hasher update(byte[] data, int off, int len) {
            Objects.checkFromIndexSize(off, len, data.length);
            if (len == 0) {
                return this;
            }
            if (pendingChunks != 0) {
                pushSubtree(pendingCv, pendingChunks);
                pendingChunks = 0;
            }
            while (len > 0) {
                if (blocksDone * BLOCK_LEN + blockLen == CHUNK_LEN) {
                    // The chunk is full and more input follows, so it is not the last one.
                    Compressor.compress(chunkCv, block, 0, chunkNumber(), BLOCK_LEN, CHUNK_END);
                    pushSubtree(chunkCv, 1);
                    Compressor.initChainingValue(chunkCv);
                    blocksDone = 0;
                    blockLen = 0;
                }
                if (blocksDone == 0 && blockLen == 0 && len >= CHUNK_LEN) {
                    int consumed = wholeChunks(data, off, len);
                    if (consumed > 0) {
                        off += consumed;
                        len -= consumed;
                        continue;
                    }
                }
                if (blockLen == BLOCK_LEN) {
                    int flags = blocksDone == 0 ? CHUNK_START : 0;
                    Compressor.compress(chunkCv, block, 0, chunkNumber(), BLOCK_LEN, flags);
                    blocksDone++;
                    blockLen = 0;
                }
                while (blockLen == 0 && len > BLOCK_LEN && blocksDone < 15) {
                    // Whole blocks followed by more input of the same chunk: no need to copy them.
                    int flags = blocksDone == 0 ? CHUNK_START : 0;
                    Compressor.compress(chunkCv, data, off, chunkNumber(), BLOCK_LEN, flags);
                    blocksDone++;
                    off += BLOCK_LEN;
                    len -= BLOCK_LEN;
                }
                int n = Math.min(BLOCK_LEN - blockLen, len);
                System.arraycopy(data, off, block, blockLen, n);
                blockLen += n;
                off += n;
                len -= n;
            }
            return this;
        }

        /**
         * At a chunk boundary, hashes whole chunks straight from {@code data[off, off + len)} as subtrees of
         * the largest sizes their position allows; returns the number of bytes consumed, a multiple of 1024.
         * Whatever ends this piece of input may be the end of all input, so it is never merged yet: a
         * subtree's right half waits in {@link #pendingCv}, a single chunk is left to the block path.
         */
        private int wholeChunks(byte[] data, int off, int len) {
            int available = len / CHUNK_LEN;
            int consumed = 0;
            while (available > 0) {
                int size = Integer.highestOneBit(Math.min(available, LaneCompressor.MAX_LANES));
                if (chunksDone != 0) {
                    // A subtree of 2^k chunks starts at a multiple of 2^k.
                    size = (int) Math.min(size, Long.lowestOneBit(chunksDone));
                }
                boolean endsInput = consumed + size * CHUNK_LEN == len;
                if (size >= LaneCompressor.MIN_CHUNKS) {
                    if (lanes == null) {
                        lanes = new LaneCompressor();
                    }
                    lanes.subtree(data, off + consumed, size, chunkNumber(), cv, pendingCv);
                    pushSubtree(cv, size / 2);
                    if (endsInput) {
                        pendingChunks = size / 2;
                    } else {
                        pushSubtree(pendingCv, size / 2);
                    }
                } else if (available == 1 && endsInput) {
                    break;
                } else {
                    size = 1;
                    Compressor.fullChunk(cv, data, off + consumed, chunkNumber());
                    pushSubtree(cv, 1);
                }
                consumed += size * CHUNK_LEN;
                available -= size;
            }
            return consumed;
        }

        private long chunkNumber() {
            return firstChunk + chunksDone;
        }

        /**
         * Adds the chaining value of the next complete subtree of {@code chunks} chunks (a power of two),
         * merging it with its left neighbours as long as they form complete subtrees together. Only called
         * when more input is known to follow, so none of these merges can be the root.
         */
        private void pushSubtree(int[] subtreeCv, long chunks) {
            chunksDone += chunks;
            long total = chunksDone / chunks;
            int[] merged = subtreeCv;
            while ((total & 1) == 0) {
                depth--;
                Compressor.parent(cv, stack, 8 * depth, merged, 0, 0, parentBlock);
                merged = cv;
                total >>>= 1;
            }
            System.arraycopy(merged, 0, stack, 8 * depth, 8);
            depth++;
        }

        /**
         * The 32-byte hash of everything added so far. The hasher is unchanged and can take more input.
         *
         * @return the hash
         */
        public byte[] digest() {
            return Compressor.digestBytes(finish(ROOT));
        }

        /**
         * {@link #digest()} as 64 lowercase hex digits.
         *
         * @return the hash in hex
         */
        public String hexDigest() {
            return HEX.formatHex(digest());
        }

        /**
         * The output words of the node covering all input so far: the last chunk (or the last lane subtree's
         * right half), merged with the waiting subtrees from right to left. {@code rootFlag} goes on the last
         * compression only.
         */
        int[] finish(int rootFlag) {
            int[] out;
            byte[] last = new byte[BLOCK_LEN];
            if (pendingChunks != 0) {
                out = pendingCv.clone();
            } else {
                out = chunkCv.clone();
                System.arraycopy(block, 0, last, 0, blockLen);
                int flags = (blocksDone == 0 ? CHUNK_START : 0) | CHUNK_END | (depth == 0 ? rootFlag : 0);
                Compressor.compress(out, last, 0, chunkNumber(), blockLen, flags);
            }
            for (int i = depth - 1; i >= 0; i--) {
                Compressor.parent(out, stack, 8 * i, out, 0, i == 0 ? rootFlag : 0, last);
            }
            return out;
        }
    }
}
