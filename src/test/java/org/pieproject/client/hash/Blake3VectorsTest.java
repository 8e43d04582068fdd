package org.pieproject.client.hash;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.SharedData;

/**
 * Every case of the official BLAKE3 test vectors (hash mode, first 32 bytes), through each way this
 * package computes a hash: one-shot, the incremental hasher fed in random pieces, the parallel tree
 * forced onto inputs far below its usual threshold, and the background hasher with pieces far below theirs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Blake3VectorsTest {
    private record Vector(int length, String hash) {
        byte[] input() {
            return Blake3VectorsTest.input(length);
        }
    }

    private static final List<Vector> VECTORS = new ArrayList<>();

    @BeforeAll
    static void readVectors() throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(SharedData.file("blake3/test_vectors.json")))
                .getAsJsonObject();
        for (JsonElement c : root.getAsJsonArray("cases")) {
            JsonObject tc = c.getAsJsonObject();
            VECTORS.add(new Vector(tc.get("input_len").getAsInt(), tc.get("hash").getAsString().substring(0, 64)));
        }
        // The file's cases run from 0 to 102400 bytes, across every chunk and block boundary that matters.
        assertThat(VECTORS).as("official vectors").hasSizeGreaterThan(30);
        assertThat(VECTORS.stream().mapToInt(Vector::length).max().orElseThrow()).isGreaterThanOrEqualTo(100 * 1024);
    }

    /** The vectors' input: bytes 0, 1, ..., 250 repeating. */
    static byte[] input(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    @Test
    void oneShotHashMatchesEveryVector() {
        for (Vector v : VECTORS) {
            byte[] input = v.input();
            assertThat(HexFormat.of().formatHex(Blake3.hash(input))).as("hash of %d bytes", v.length())
                    .isEqualTo(v.hash());
            assertThat(Blake3.hex(input)).as("hex of %d bytes", v.length()).isEqualTo(v.hash());
            assertThat(HexFormat.of().formatHex(Blake3.hashSequential(input, 0, input.length)))
                    .as("sequential hash of %d bytes", v.length()).isEqualTo(v.hash());
        }
    }

    @Test
    void hashOfARangeInsideALargerArrayMatchesEveryVector() {
        for (Vector v : VECTORS) {
            byte[] padded = new byte[v.length() + 37];
            System.arraycopy(v.input(), 0, padded, 13, v.length());
            Arrays.fill(padded, 0, 13, (byte) 0x5A);
            Arrays.fill(padded, 13 + v.length(), padded.length, (byte) 0xA5);
            assertThat(HexFormat.of().formatHex(Blake3.hash(padded, 13, v.length())))
                    .as("hash of %d bytes at offset 13", v.length()).isEqualTo(v.hash());
        }
    }

    @Test
    void hasherFedInRandomPiecesMatchesEveryVector() {
        Random random = new Random(0xB1AE3L);
        for (Vector v : VECTORS) {
            byte[] input = v.input();
            for (int trial = 0; trial < 8; trial++) {
                // Alternate small pieces (block and chunk boundaries inside them) with large ones (the
                // lane path, and its alignment after a ragged start).
                int maxPiece = switch (trial % 4) {
                    case 0 -> 1;
                    case 1 -> 65;
                    case 2 -> 2100;
                    default -> 40_000;
                };
                Blake3.Hasher h = Blake3.newHasher();
                int off = 0;
                while (off < input.length) {
                    int n = Math.min(input.length - off, random.nextInt(maxPiece + 1));
                    h.update(input, off, n);
                    off += n;
                }
                assertThat(h.hexDigest()).as("hasher, %d bytes in pieces of up to %d", v.length(), maxPiece)
                        .isEqualTo(v.hash());
            }
            Blake3.Hasher whole = Blake3.newHasher().update(input);
            assertThat(HexFormat.of().formatHex(whole.digest())).as("hasher, %d bytes at once", v.length())
                    .isEqualTo(v.hash());
        }
    }

    @Test
    void digestLeavesTheHasherReadyForMoreInput() {
        // Each vector's input is a prefix of the longest one, so one hasher can walk through all of them.
        byte[] input = input(VECTORS.getLast().length());
        Blake3.Hasher h = Blake3.newHasher();
        int done = 0;
        for (Vector v : VECTORS) {
            assertThat(v.length()).as("vectors sorted by length").isGreaterThanOrEqualTo(done);
            h.update(input, done, v.length() - done);
            done = v.length();
            assertThat(h.hexDigest()).as("running digest after %d bytes", v.length()).isEqualTo(v.hash());
            assertThat(h.hexDigest()).as("digest asked twice after %d bytes", v.length()).isEqualTo(v.hash());
        }
    }

    @Test
    void parallelTreeMatchesEveryVector() {
        for (Vector v : VECTORS) {
            byte[] input = v.input();
            for (int grain : new int[] {1024, 2048, 3 * 1024, 8 * 1024, 64 * 1024}) {
                assertThat(HexFormat.of().formatHex(Blake3.hashParallel(input, 0, input.length, grain)))
                        .as("parallel hash of %d bytes, pieces of %d", v.length(), grain).isEqualTo(v.hash());
            }
        }
    }

    @Test
    void backgroundHasherMatchesEveryVector() {
        Random random = new Random(0xF11EL);
        for (Vector v : VECTORS) {
            byte[] input = v.input();
            for (int piece : new int[] {1024, 2048, 4096, 16 * 1024}) {
                // The array fills as a download's does: bytes past the final ones are not yet written, and
                // now and then it is replaced by a larger copy while pieces of the old one are being hashed.
                byte[] array = new byte[Math.max(1, input.length / 3)];
                Arrays.fill(array, (byte) 0xEE);
                Blake3.BackgroundHasher h = new Blake3.BackgroundHasher(piece);
                int length = 0;
                while (length < input.length) {
                    int n = Math.min(input.length - length, random.nextInt(3 * piece));
                    if (length + n > array.length) {
                        byte[] grown = Arrays.copyOf(array, Math.max(length + n, 2 * array.length));
                        Arrays.fill(grown, length, grown.length, (byte) 0xEE);
                        array = grown;
                    }
                    System.arraycopy(input, length, array, length, n);
                    length += n;
                    h.advance(array, length);
                }
                assertThat(HexFormat.of().formatHex(h.digest(array, length)))
                        .as("background hash of %d bytes, pieces of %d", v.length(), piece).isEqualTo(v.hash());
            }
        }
    }

    @Test
    void emptyInputHasTheKnownHash() {
        assertThat(Blake3.hex(new byte[0]))
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assertThat(Blake3.newHasher().hexDigest())
                .isEqualTo("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
        assertThat(Blake3.hash(new byte[0])).hasSize(Blake3.DIGEST_LENGTH);
    }
}
