package org.pieproject.client.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;

import org.pieproject.client.hash.Blake3;

/**
 * A file read whole, with its BLAKE3 hash taken while it is read: each {@value #STEP}-byte read hands what is
 * in to the hash's worker pool ({@link Blake3.BackgroundHasher}), so by the end of the file only its last
 * piece is left to hash. Reading and hashing one after the other (as an upload did) kept a core idle during
 * each: a 64 MiB program took about 20 ms to read and 25 to hash on two cores.
 *
 * @param bytes the file's bytes
 * @param hash  their BLAKE3 hash, 64 lowercase hex digits
 */
public record HashedFile(byte[] bytes, String hash) {
    /** One read: large enough that a read costs little, small enough that hashing starts early. */
    static final int STEP = 1 << 20;

    /**
     * Reads {@code path} to its end and hashes it.
     *
     * @param path the file
     * @return its bytes and hash
     * @throws IOException if it cannot be read, or is larger than an array can hold
     */
    public static HashedFile read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) throw new IOException("file too large: " + size + " bytes");
            byte[] data = new byte[(int) size];
            int length = 0;
            Blake3.BackgroundHasher hasher = Blake3.newBackgroundHasher();
            try {
                while (true) {
                    if (length == data.length) {
                        // At the size it had when opened; a file that grew is read on, as Files.readAllBytes does.
                        if (ch.position() >= ch.size()) break;
                        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * data.length, STEP)));
                    }
                    int n = ch.read(ByteBuffer.wrap(data, length, Math.min(STEP, data.length - length)));
                    if (n < 0) break;
                    length += n;
                    hasher.advance(data, length);
                }
                String hash = HexFormat.of().formatHex(hasher.digest(data, length));
                return new HashedFile(length == data.length ? data : Arrays.copyOf(data, length), hash);
            } catch (IOException | RuntimeException | Error e) {
                hasher.cancel();
                throw e;
            }
        }
    }
}
