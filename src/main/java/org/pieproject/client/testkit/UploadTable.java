package org.pieproject.client.testkit;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * One session's chunked uploads in progress, {@code add_program} and {@code transfer_file} alike, keyed by
 * the hash the client names (protocol.md §5.4 and §6.8). Confined to the session's thread.
 */
final class UploadTable {

    /** What one chunk did to its upload. */
    sealed interface Outcome {
        /** More chunks are expected. */
        record Pending() implements Outcome {
        }

        /** The upload was refused (or never existed); {@code text} is the engine's reply. */
        record Failed(String text) implements Outcome {
        }

        /** The last chunk arrived; the settings of the first chunk and all the bytes. */
        record Complete(String manifest, boolean forceOverwrite, byte[] data) implements Outcome {
        }
    }

    private static final Outcome PENDING = new Outcome.Pending();

    private static final class Upload {
        final long totalChunks;
        final String manifest;
        final boolean forceOverwrite;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long nextIndex;

        Upload(long totalChunks, String manifest, boolean forceOverwrite) {
            this.totalChunks = totalChunks;
            this.manifest = manifest;
            this.forceOverwrite = forceOverwrite;
        }
    }

    private final Map<String, Upload> uploads = new HashMap<>();
    private final long capBytes;
    private final long capMb;

    UploadTable(long capMb) {
        this.capMb = capMb;
        this.capBytes = capMb * 1024 * 1024;
    }

    /** Applies one chunk; {@code manifest} and {@code forceOverwrite} only count on a first chunk. */
    Outcome accept(String key, long chunkIndex, long totalChunks, byte[] chunk, String manifest,
                   boolean forceOverwrite) {
        Upload upload = uploads.get(key);
        if (upload == null) {
            if (chunkIndex != 0) return new Outcome.Failed("First chunk index must be 0");
            upload = new Upload(totalChunks, manifest, forceOverwrite);
            uploads.put(key, upload);
        }
        if (totalChunks != upload.totalChunks) {
            uploads.remove(key);
            return new Outcome.Failed("Chunk count mismatch: expected " + upload.totalChunks + ", got " + totalChunks);
        }
        if (chunkIndex != upload.nextIndex) {
            uploads.remove(key);
            return new Outcome.Failed("Out-of-order chunk: expected " + upload.nextIndex + ", got " + chunkIndex);
        }
        if ((long) upload.bytes.size() + chunk.length > capBytes) {
            uploads.remove(key);
            return new Outcome.Failed("upload exceeds max_upload_mb cap of " + capMb + " MiB");
        }
        upload.bytes.write(chunk, 0, chunk.length);
        upload.nextIndex++;
        if (upload.nextIndex == upload.totalChunks) {
            uploads.remove(key);
            return new Outcome.Complete(upload.manifest, upload.forceOverwrite, upload.bytes.toByteArray());
        }
        return PENDING;
    }
}
