package org.pieproject.client.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.pieproject.client.hash.Blake3;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.wire.ServerMessage.FileChunk;

/**
 * Reassembles the files inferlets send, chunk by chunk, hashing as the bytes arrive, and yields a file
 * only when it is complete and its BLAKE3 hash matches. Chunks must start at 0 and come in order
 * (protocol.md §6.9); a download that breaks that, grows past the cap, or fails its hash is dropped and
 * logged, never delivered. Listener thread only.
 */
public final class FileDownloads {
    private static final System.Logger LOG = System.getLogger(FileDownloads.class.getName());

    private final long maxFileBytes;
    private final Map<String, Download> downloads = new HashMap<>();

    /**
     * Creates the table, empty.
     *
     * @param maxFileBytes the largest file taken; a larger one is dropped and logged
     */
    public FileDownloads(long maxFileBytes) {
        this.maxFileBytes = maxFileBytes;
    }

    private static final class Download {
        final long totalChunks;
        final String name;
        final Blake3.Hasher hasher = Blake3.newHasher();
        // The chunks as they came (each already a copy the decoder made); joined once at the end, which
        // copies the file once instead of regrowing one array (total_chunks is not trusted for sizing).
        final List<byte[]> chunks = new ArrayList<>();
        int length;
        long nextIndex;

        Download(long totalChunks, String name) {
            this.totalChunks = totalChunks;
            this.name = name;
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
                downloads.clear();
            }
            d = new Download(c.totalChunks(), c.name());
            downloads.put(key, d);
        }
        String problem = null;
        if (c.totalChunks() != d.totalChunks) {
            problem = "total_chunks changed from " + d.totalChunks + " to " + c.totalChunks();
        } else if (c.chunkIndex() != d.nextIndex) {
            problem = "expected chunk " + d.nextIndex + ", got " + c.chunkIndex();
        } else if ((long) d.length + c.data().length > maxFileBytes) {
            problem = "larger than maxFileBytes (" + maxFileBytes + ")";
        }
        if (problem != null) {
            downloads.remove(key);
            LOG.log(System.Logger.Level.WARNING, "dropping file {0} of process {1}: {2}", c.fileHash(), c.processId(), problem);
            return null;
        }
        append(d, c.data());
        d.nextIndex++;
        if (d.nextIndex < d.totalChunks) return null;

        downloads.remove(key);
        String actual = d.hasher.hexDigest();
        if (!actual.equalsIgnoreCase(c.fileHash())) {
            LOG.log(System.Logger.Level.WARNING, "dropping file of process {0}: BLAKE3 {1} does not match {2}",
                    c.processId(), actual, c.fileHash());
            return null;
        }
        byte[] bytes = join(d);
        return new ProcessEvent.File(bytes, d.name);
    }

    private static void append(Download d, byte[] chunk) {
        d.hasher.update(chunk);
        d.chunks.add(chunk);
        d.length += chunk.length;
    }

    private static byte[] join(Download d) {
        if (d.chunks.size() == 1) return d.chunks.get(0);
        byte[] out = new byte[d.length];
        int at = 0;
        for (byte[] c : d.chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    /** Forgets every partial download (the connection is gone). */
    public void clear() {
        downloads.clear();
    }
}
