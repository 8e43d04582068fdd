package org.pieproject.client.session;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import org.pieproject.client.hash.Blake3;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.telemetry.Telemetry;
import org.pieproject.client.telemetry.TransferTrace;
import org.pieproject.client.wire.ServerMessage.FileChunk;

/**
 * Reassembles the files inferlets send, chunk by chunk, into one array, and yields a file only when it
 * is complete and its BLAKE3 hash matches. The hash is taken while the file arrives, by the hash's worker
 * pool ({@link Blake3.BackgroundHasher}), so the listener only hashes the last few hundred KiB itself:
 * while it hashes, no other process's events are delivered (hashing a whole 64 MiB file at its end held
 * them up 23-36 ms). Chunks must start at 0 and come in order
 * (protocol.md §6.9); a download that breaks that, grows past the cap, or fails its hash is dropped and
 * logged, never delivered. Listener thread only.
 */
public final class FileDownloads {
    private static final System.Logger LOG = System.getLogger(FileDownloads.class.getName());

    private final long maxFileBytes;
    private final Telemetry telemetry;
    private final Map<String, Download> downloads = new HashMap<>();

    /**
     * Creates the table, empty.
     *
     * @param maxFileBytes the largest file taken; a larger one is dropped and logged
     */
    public FileDownloads(long maxFileBytes) {
        this(maxFileBytes, new Telemetry(null));
    }

    /**
     * Creates the table, empty, reporting each file as a download.
     *
     * @param maxFileBytes the largest file taken; a larger one is dropped and logged
     * @param telemetry    where to report downloads
     */
    public FileDownloads(long maxFileBytes, Telemetry telemetry) {
        this.maxFileBytes = maxFileBytes;
        this.telemetry = telemetry;
    }

    /**
     * Most that a download's first chunk makes us set aside: enough for every chunk the engine announces
     * (a file then fills one array, which is neither regrown nor copied by the garbage collector the way a
     * list of 256 KiB chunks kept alive for the whole download is), but not so much that a message lying
     * about {@code total_chunks} can make us reserve {@code maxFileBytes} at once.
     */
    static final int MAX_PRESIZE_BYTES = 64 << 20;

    private static final class Download {
        final long totalChunks;
        final String name;
        final Blake3.BackgroundHasher hash = Blake3.newBackgroundHasher();
        final TransferTrace trace;
        byte[] data;
        int length;
        long nextIndex;

        Download(long totalChunks, String name, int firstChunkLength, long maxFileBytes, TransferTrace trace) {
            this.totalChunks = totalChunks;
            this.trace = trace;
            this.name = name;
            long announced = totalChunks > Long.MAX_VALUE / Math.max(1, firstChunkLength)
                    ? Long.MAX_VALUE : totalChunks * firstChunkLength;
            this.data = new byte[(int) Math.min(Math.min(announced, maxFileBytes), Math.max(firstChunkLength, MAX_PRESIZE_BYTES))];
        }

        /** Adds a chunk; the caller has checked that the file stays within {@code cap} bytes. */
        void append(byte[] chunk, int off, int n, long cap) {
            if (length + n > data.length) {
                long grown = Math.max(length + n, Math.min((long) data.length * 2, cap));
                data = Arrays.copyOf(data, (int) Math.min(grown, Integer.MAX_VALUE - 8));
            }
            System.arraycopy(chunk, off, data, length, n);
            length += n;
            hash.advance(data, length);
        }

        byte[] bytes() {
            return length == data.length ? data : Arrays.copyOf(data, length);
        }
    }

    /**
     * Takes one chunk; returns the finished file when this chunk completes a valid one, else null.
     *
     * @param c the chunk
     * @return the finished file when this chunk completes a valid one, else null
     */
    public ProcessEvent.File accept(FileChunk c) {
        String key = c.processId() + '/' + c.fileHash();
        Download d = downloads.get(key);
        if (d == null) {
            if (c.chunkIndex() != 0) {
                LOG.log(System.Logger.Level.WARNING, "dropping file chunk {0} of {1}: no download started at chunk 0",
                        c.chunkIndex(), c.fileHash());
                return null;
            }
            if (c.totalChunks() < 1) {
                LOG.log(System.Logger.Level.WARNING, "dropping file {0}: total_chunks is 0", c.fileHash());
                return null;
            }
            if (!downloads.isEmpty()) {
                // One file's chunks come back to back (protocol.md §6.9), so an unfinished download never
                // resumes once another file starts; keeping it would let an engine pile up partial files.
                LOG.log(System.Logger.Level.WARNING, "abandoning {0} unfinished file download(s): file {1} started",
                        downloads.size(), c.fileHash());
                clear();
            }
            d = new Download(c.totalChunks(), c.name(), c.length(), maxFileBytes,
                    telemetry.transferStarted("download", "file", 0));
            downloads.put(key, d);
        }
        String problem = null;
        if (c.totalChunks() != d.totalChunks) {
            problem = "total_chunks changed from " + d.totalChunks + " to " + c.totalChunks();
        } else if (c.chunkIndex() != d.nextIndex) {
            problem = "expected chunk " + d.nextIndex + ", got " + c.chunkIndex();
        } else if ((long) d.length + c.length() > maxFileBytes) {
            problem = "larger than maxFileBytes (" + maxFileBytes + ")";
        }
        if (problem != null) {
            downloads.remove(key).hash.cancel();
            d.trace.ended("dropped", d.length);
            LOG.log(System.Logger.Level.WARNING, "dropping file {0} of process {1}: {2}", c.fileHash(), c.processId(), problem);
            return null;
        }
        d.append(c.data(), c.offset(), c.length(), maxFileBytes);
        d.nextIndex++;
        if (d.nextIndex < d.totalChunks) return null;

        downloads.remove(key);
        String actual = HexFormat.of().formatHex(d.hash.digest(d.data, d.length));
        byte[] bytes = d.bytes();
        d.trace.ended(actual.equalsIgnoreCase(c.fileHash()) ? "ok" : "hash-mismatch", d.length);
        if (!actual.equalsIgnoreCase(c.fileHash())) {
            LOG.log(System.Logger.Level.WARNING, "dropping file of process {0}: BLAKE3 {1} does not match {2}",
                    c.processId(), actual, c.fileHash());
            return null;
        }
        return new ProcessEvent.File(bytes, d.name);
    }

    /** Bytes set aside by unfinished downloads; for tests. */
    long reservedBytes() {
        long n = 0;
        for (Download d : downloads.values()) n += d.data.length;
        return n;
    }

    /** Forgets every partial download (the connection is gone). */
    public void clear() {
        for (Download d : downloads.values()) {
            d.hash.cancel();
            d.trace.ended("abandoned", d.length);
        }
        downloads.clear();
    }
}
