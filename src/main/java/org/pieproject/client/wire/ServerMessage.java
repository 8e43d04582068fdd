package org.pieproject.client.wire;

/**
 * The messages the engine sends to a client (protocol.md §2.2). {@link #decode} reads one straight from
 * the assembled frame; {@link #writeTo} produces the engine's exact form (used by the test engine).
 */
public sealed interface ServerMessage {

    /**
     * The largest correlation id: the engine's ids are u32.
     */
    long MAX_U32 = 0xFFFF_FFFFL;

    /**
     * Writes this message as the engine would send it.
     *
     * @param w the writer to append to
     */
    void writeTo(MsgPackWriter w);

    /**
     * This message as one MessagePack frame.
     *
     * @return the encoded bytes
     */
    default byte[] encode() {
        MsgPackWriter w = new MsgPackWriter(64);
        writeTo(w);
        return w.toByteArray();
    }

    /**
     * {@code response}: the answer to the request with the same correlation id.
     *
     * @param corrId the correlation id that pairs the request with its answer
     * @param ok     whether the request succeeded
     * @param result the answer, or the reason for a refusal
     */
    record Response(long corrId, boolean ok, String result) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(4).str("type").str("response")
                    .str("corr_id").integer(corrId).str("ok").bool(ok).str("result").str(result);
        }
    }

    /**
     * {@code process_event}: output or a state change of a process.
     *
     * @param processId the process id
     * @param event     the event kind: stdout, stderr, message, return or error
     * @param value     the event's text
     */
    record ProcessEvent(String processId, String event, String value) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(4).str("type").str("process_event")
                    .str("process_id").str(processId).str("event").str(event).str("value").str(value);
        }
    }

    /**
     * {@code file}: one chunk of a file an inferlet sends; {@code name} is the optional 0.5 file name. The
     * chunk's bytes are {@code data[offset, offset + length)}: a decoded chunk points into the message it
     * came in rather than copying 256 KiB, so it is only valid while that message's buffer is (the
     * connection's decoder reuses it for the next message). Equality compares the bytes, not the arrays.
     *
     * @param processId   the process id
     * @param fileHash    the BLAKE3 hex of the whole file
     * @param chunkIndex  this chunk's index, from 0
     * @param totalChunks how many chunks the whole has
     * @param data        the array holding this chunk's bytes
     * @param offset      where they start in {@code data}
     * @param length      how many there are
     * @param name        the suggested file name (0.5 engines), or null
     */
    record FileChunk(String processId, String fileHash, long chunkIndex, long totalChunks, byte[] data, int offset,
                     int length, String name) implements ServerMessage {
        /**
         * A chunk made of all of {@code data}.
         *
         * @param processId   the process id
         * @param fileHash    the BLAKE3 hex of the whole file
         * @param chunkIndex  this chunk's index, from 0
         * @param totalChunks how many chunks the whole has
         * @param data        this chunk's bytes
         * @param name        the suggested file name (0.5 engines), or null
         */
        public FileChunk(String processId, String fileHash, long chunkIndex, long totalChunks, byte[] data, String name) {
            this(processId, fileHash, chunkIndex, totalChunks, data, 0, data.length, name);
        }

        /** Checks that the chunk's range lies inside {@code data}. */
        public FileChunk {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
        }

        /**
         * A copy of this chunk's bytes.
         *
         * @return the bytes
         */
        public byte[] bytes() {
            return java.util.Arrays.copyOfRange(data, offset, offset + length);
        }

        public void writeTo(MsgPackWriter w) {
            w.mapHeader(name == null ? 6 : 7).str("type").str("file")
                    .str("process_id").str(processId).str("file_hash").str(fileHash)
                    .str("chunk_index").integer(chunkIndex).str("total_chunks").integer(totalChunks)
                    .str("chunk_data").bin(data, offset, length);
            if (name != null) w.str("name").str(name);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileChunk c && processId.equals(c.processId) && fileHash.equals(c.fileHash)
                    && chunkIndex == c.chunkIndex && totalChunks == c.totalChunks
                    && java.util.Arrays.equals(data, offset, offset + length, c.data, c.offset, c.offset + c.length)
                    && java.util.Objects.equals(name, c.name);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(processId, fileHash, chunkIndex, totalChunks, length, name);
        }

        @Override
        public String toString() {
            return "FileChunk[processId=" + processId + ", fileHash=" + fileHash + ", chunk " + chunkIndex
                    + "/" + totalChunks + ", " + length + " bytes" + (name == null ? "" : ", name=" + name) + "]";
        }
    }

    /**
     * {@code mcp_request}: the engine asks the client to relay a call to a local MCP server.
     *
     * @param corrId     the correlation id that pairs the request with its answer
     * @param processId  the process id
     * @param serverName the MCP server's registered name
     * @param method     the MCP method, e.g. {@code tools/call}
     * @param params     the call's parameters, as JSON text
     */
    record McpRequest(long corrId, String processId, String serverName, String method, String params)
            implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(6).str("type").str("mcp_request")
                    .str("corr_id").integer(corrId).str("process_id").str(processId)
                    .str("server_name").str(serverName).str("method").str(method).str("params").str(params);
        }
    }

    /**
     * A well-formed message of a type this client does not know; later engines may send such.
     *
     * @param type the message's {@code type}
     */
    record Unknown(String type) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(1).str("type").str(type);
        }
    }

    /**
     * Decodes one engine message from {@code buf[off, off+len)} (see {@link ServerMessageDecoder} for the
     * rules). A connection keeps one decoder; this is for one-off use.
     *
     * @param buf the frame
     * @param off where the message starts
     * @param len how many bytes it may use
     * @return the message
     * @throws MsgPackException if it is not a well-formed engine message
     */
    static ServerMessage decode(byte[] buf, int off, int len) {
        return new ServerMessageDecoder().decode(buf, off, len);
    }

    /**
     * Decodes one engine message from a whole frame.
     *
     * @param buf the frame
     * @return the message
     * @throws MsgPackException if it is not a well-formed engine message
     */
    static ServerMessage decode(byte[] buf) {
        return decode(buf, 0, buf.length);
    }
}
