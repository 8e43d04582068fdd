package org.pieproject.client.wire;

/**
 * The messages the engine sends to a client (protocol.md §2.2). {@link #decode} reads one straight from
 * the assembled frame; {@link #writeTo} produces the engine's exact form (used by the test engine).
 */
public sealed interface ServerMessage {

    long MAX_U32 = 0xFFFF_FFFFL;

    void writeTo(MsgPackWriter w);

    default byte[] encode() {
        MsgPackWriter w = new MsgPackWriter(64);
        writeTo(w);
        return w.toByteArray();
    }

    /** {@code response}: the answer to the request with the same correlation id. */
    record Response(long corrId, boolean ok, String result) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(4).str("type").str("response")
                    .str("corr_id").integer(corrId).str("ok").bool(ok).str("result").str(result);
        }
    }

    /** {@code process_event}: output or a state change of a process. */
    record ProcessEvent(String processId, String event, String value) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(4).str("type").str("process_event")
                    .str("process_id").str(processId).str("event").str(event).str("value").str(value);
        }
    }

    /** {@code file}: one chunk of a file an inferlet sends; {@code name} is the optional 0.5 file name. */
    record FileChunk(String processId, String fileHash, long chunkIndex, long totalChunks, byte[] data,
                     String name) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(name == null ? 6 : 7).str("type").str("file")
                    .str("process_id").str(processId).str("file_hash").str(fileHash)
                    .str("chunk_index").integer(chunkIndex).str("total_chunks").integer(totalChunks)
                    .str("chunk_data").bin(data);
            if (name != null) w.str("name").str(name);
        }

        @Override
        public String toString() {
            return "FileChunk[processId=" + processId + ", fileHash=" + fileHash + ", chunk " + chunkIndex
                    + "/" + totalChunks + ", " + data.length + " bytes" + (name == null ? "" : ", name=" + name) + "]";
        }
    }

    /** {@code mcp_request}: the engine asks the client to relay a call to a local MCP server. */
    record McpRequest(long corrId, String processId, String serverName, String method, String params)
            implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(6).str("type").str("mcp_request")
                    .str("corr_id").integer(corrId).str("process_id").str(processId)
                    .str("server_name").str(serverName).str("method").str(method).str("params").str(params);
        }
    }

    /** A well-formed message of a type this client does not know; later engines may send such. */
    record Unknown(String type) implements ServerMessage {
        public void writeTo(MsgPackWriter w) {
            w.mapHeader(1).str("type").str(type);
        }
    }

    /**
     * Decodes one engine message from {@code buf[off, off+len)} (see {@link ServerMessageDecoder} for the
     * rules). A connection keeps one decoder; this is for one-off use.
     */
    static ServerMessage decode(byte[] buf, int off, int len) {
        return new ServerMessageDecoder().decode(buf, off, len);
    }

    static ServerMessage decode(byte[] buf) {
        return decode(buf, 0, buf.length);
    }
}
