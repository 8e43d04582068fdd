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
     * {@code file}: one chunk of a file an inferlet sends; {@code name} is the optional 0.5 file name.
     *
     * @param processId   the process id
     * @param fileHash    the BLAKE3 hex of the whole file
     * @param chunkIndex  this chunk's index, from 0
     * @param totalChunks how many chunks the whole has
     * @param data        this chunk's bytes
     * @param name        the suggested file name (0.5 engines), or null
     */
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
