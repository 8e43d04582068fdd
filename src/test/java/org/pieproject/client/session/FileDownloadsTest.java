package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.wire.ServerMessage.FileChunk;

/** Reassembly into one array sized from the first chunk, whatever the chunks' real sizes turn out to be. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FileDownloadsTest {
    private static final String PID = "00000000-0000-4000-8000-00000000000a";

    @Test
    void chunksOfAnySizeAreJoinedExactly() {
        // Equal chunks (the array is used as it is), a short last chunk (trimmed), and chunks larger than
        // the first (the array grows).
        for (int[] sizes : new int[][] {{100, 100, 100}, {100, 100, 7}, {10, 300, 5000, 1}, {0}, {0, 50}}) {
            byte[] file = random(sum(sizes));
            ProcessEvent.File f = deliver(new FileDownloads(1 << 20), file, sizes);
            assertThat(f).as("sizes %s", java.util.Arrays.toString(sizes)).isNotNull();
            assertThat(f.data()).isEqualTo(file);
        }
    }

    @Test
    void filesOfManyHashPiecesAreVerifiedWhileTheyArrive() {
        int chunk = 256 << 10;
        // Whole transfer chunks with a short last one; and chunks smaller than the first, then larger, so
        // the array grows while pieces of its old copy are still being hashed.
        for (int[] sizes : new int[][] {{chunk, chunk, chunk, chunk, 5}, {chunk, chunk},
                {1000, 300_000, 700_000, 1_500_000, 3}, {100_000, 50, 1 << 20, 1 << 20, 262_145}}) {
            byte[] file = random(sum(sizes));
            ProcessEvent.File f = deliver(new FileDownloads(16 << 20), file, sizes);
            assertThat(f).as("sizes %s", java.util.Arrays.toString(sizes)).isNotNull();
            assertThat(f.data()).isEqualTo(file);
        }
    }

    @Test
    void aLargeFileWithOneWrongByteIsNotDelivered() {
        byte[] file = random(3 << 20);
        String hash = PieClient.hashBlob(file);
        file[(2 << 20) + 7] ^= 1;
        FileDownloads d = new FileDownloads(16 << 20);
        ProcessEvent.File done = null;
        for (int i = 0; i < 12; i++) {
            done = d.accept(new FileChunk(PID, hash, i, 12, file, i * (256 << 10), 256 << 10, null));
        }
        assertThat(done).isNull();
        assertThat(d.reservedBytes()).isZero();
    }

    @Test
    void chunksAreCopiedOutOfTheMessageTheyCameIn() {
        // The decoder hands chunks as views of the connection's reused buffer; the file must not change
        // when that buffer is overwritten by the next message.
        byte[] file = random(300);
        byte[] buffer = new byte[1000];
        FileDownloads d = new FileDownloads(1 << 20);
        String hash = PieClient.hashBlob(file);
        ProcessEvent.File done = null;
        for (int i = 0; i < 3; i++) {
            System.arraycopy(file, i * 100, buffer, 17, 100);
            done = d.accept(new FileChunk(PID, hash, i, 3, buffer, 17, 100, null));
            java.util.Arrays.fill(buffer, (byte) 0x55);
        }
        assertThat(done).isNotNull();
        assertThat(done.data()).isEqualTo(file);
    }

    @Test
    void aFirstChunkClaimingAHugeFileReservesOnlyTheCap() {
        FileDownloads d = new FileDownloads(1L << 40);
        byte[] chunk = random(256 << 10);
        assertThat(d.accept(new FileChunk(PID, "0".repeat(64), 0, Long.MAX_VALUE / 2, chunk, null))).isNull();
        assertThat(d.reservedBytes()).isEqualTo(FileDownloads.MAX_PRESIZE_BYTES);
    }

    @Test
    void aWrongHashDeliversNothing() {
        byte[] file = random(250);
        FileDownloads d = new FileDownloads(1 << 20);
        assertThat(d.accept(new FileChunk(PID, "ab".repeat(32), 0, 1, file, null))).isNull();
        assertThat(d.reservedBytes()).isZero();
    }

    private static ProcessEvent.File deliver(FileDownloads d, byte[] file, int[] sizes) {
        String hash = PieClient.hashBlob(file);
        int at = 0;
        ProcessEvent.File done = null;
        for (int i = 0; i < sizes.length; i++) {
            done = d.accept(new FileChunk(PID, hash, i, sizes.length, file, at, sizes[i], "f.bin"));
            at += sizes[i];
            if (i < sizes.length - 1) assertThat(done).isNull();
        }
        return done;
    }

    private static int sum(int[] sizes) {
        int s = 0;
        for (int n : sizes) s += n;
        return s;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
