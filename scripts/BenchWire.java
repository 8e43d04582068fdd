// Pre-encoded client messages for the raw clients of scripts/bench (BenchRaw, BenchProbe). Written here by
// hand, independent of the library's codec, so that the floor they measure owes nothing to the code under
// test. Only what the benchmark sends: MessagePack maps of str, unsigned int, bool and bin.
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

final class BenchWire {
    private BenchWire() {
    }

    static byte[] ping(long corrId) {
        return new Map(2).str("type").str("ping").str("corr_id").uint(corrId).bytes();
    }

    static byte[] authIdentify(long corrId, String user) {
        return new Map(3).str("type").str("auth_identify").str("corr_id").uint(corrId).str("username").str(user).bytes();
    }

    static byte[] launch(long corrId, String inferlet, String input) {
        return new Map(5).str("type").str("launch_process").str("corr_id").uint(corrId).str("inferlet").str(inferlet)
                .str("input").str(input).str("capture_outputs").bool(true).bytes();
    }

    /**
     * Every add_program chunk of {@code wasm} (256 KiB each), encoded before timing so that the raw clients'
     * uploads measure the send path alone. {@code hash} is a made-up program hash: the engine does not check it.
     */
    static byte[][] addProgramChunks(long corrId, String hash, String manifest, byte[] wasm) {
        int total = Math.max(1, (wasm.length + 262_143) / 262_144);
        byte[][] chunks = new byte[total][];
        for (int i = 0; i < total; i++) {
            int off = i * 262_144;
            chunks[i] = addProgramChunk(corrId, hash, manifest, i, total, wasm, off, Math.min(262_144, wasm.length - off));
        }
        return chunks;
    }

    static byte[] addProgramChunk(long corrId, String hash, String manifest, long index, long total,
                                  byte[] data, int off, int len) {
        return new Map(8).str("type").str("add_program").str("corr_id").uint(corrId).str("program_hash").str(hash)
                .str("manifest").str(manifest).str("force_overwrite").bool(true).str("chunk_index").uint(index)
                .str("total_chunks").uint(total).str("chunk_data").bin(data, off, len).bytes();
    }

    /** A process_event as the engine writes it (the raw W8 client recognises tokens by this form). */
    static byte[] processEvent(String processId, String event, String value) {
        return new Map(4).str("type").str("process_event").str("process_id").str(processId).str("event").str(event)
                .str("value").str(value).bytes();
    }

    /** Where a process_event's 36-byte process id starts (after its str8 header). */
    static int processEventIdOffset() {
        return new Map(4).str("type").str("process_event").str("process_id").bytes().length + 2;
    }

    /** A MessagePack map being written: the header first, then key and value items in turn. */
    static final class Map {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

        Map(int entries) {
            out.write(0x80 | entries);
        }

        Map str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length < 32) out.write(0xa0 | b.length);
            else if (b.length < 0x100) { out.write(0xd9); out.write(b.length); }
            else if (b.length < 0x10000) { out.write(0xda); be(b.length, 2); }
            else { out.write(0xdb); be(b.length, 4); }
            out.writeBytes(b);
            return this;
        }

        Map uint(long v) {
            if (v < 0x80) out.write((int) v);
            else if (v < 0x100) { out.write(0xcc); out.write((int) v); }
            else if (v < 0x10000) { out.write(0xcd); be(v, 2); }
            else if (v < 0x1_0000_0000L) { out.write(0xce); be(v, 4); }
            else { out.write(0xcf); be(v, 8); }
            return this;
        }

        Map bool(boolean v) {
            out.write(v ? 0xc3 : 0xc2);
            return this;
        }

        Map bin(byte[] data, int off, int len) {
            if (len < 0x100) { out.write(0xc4); out.write(len); }
            else if (len < 0x10000) { out.write(0xc5); be(len, 2); }
            else { out.write(0xc6); be(len, 4); }
            out.write(data, off, len);
            return this;
        }

        private void be(long v, int n) {
            for (int i = n - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)));
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
