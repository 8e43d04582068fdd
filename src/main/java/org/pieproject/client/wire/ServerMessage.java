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
     * Decodes one engine message from {@code buf[off, off+len)}. Keys may come in any order. Keys that are
     * not fields of the message's type are skipped whatever their type or value, so a later engine may add
     * fields (even ones named like another message's fields). A missing, mistyped or repeated field, a
     * message without a type, or anything that is not a map, is a {@link MsgPackException}. Bytes after the
     * first value are ignored, as the engine does.
     */
    static ServerMessage decode(byte[] buf, int off, int len) {
        MsgPackReader r = new MsgPackReader(buf, off, len);
        if (r.peekKind() != MsgPackReader.Kind.MAP) {
            throw new MsgPackException("message is not a map");
        }
        int n = r.readMapHeader();
        int entries = r.position();
        // The type decides which keys are fields, and it need not come first: find it, then bind.
        String type = readType(r, n);
        String[] names = fieldsOf(type);
        if (names == null) return new Unknown(type);
        Object[] v = bind(new MsgPackReader(buf, entries, off + len - entries), n, names);
        return switch (type) {
            case "response" -> new Response(need(names, v, "corr_id", Long.class), need(names, v, "ok", Boolean.class),
                    need(names, v, "result", String.class));
            case "process_event" -> new ProcessEvent(need(names, v, "process_id", String.class),
                    need(names, v, "event", String.class), need(names, v, "value", String.class));
            case "file" -> new FileChunk(need(names, v, "process_id", String.class),
                    need(names, v, "file_hash", String.class), need(names, v, "chunk_index", Long.class),
                    need(names, v, "total_chunks", Long.class), need(names, v, "chunk_data", byte[].class),
                    (String) v[indexOf(names, "name")]);
            default -> new McpRequest(need(names, v, "corr_id", Long.class), need(names, v, "process_id", String.class),
                    need(names, v, "server_name", String.class), need(names, v, "method", String.class),
                    need(names, v, "params", String.class));
        };
    }

    /** The field names of a known type; null for an unknown type. */
    private static String[] fieldsOf(String type) {
        // Built per call: an interface can only hold public constants, and these arrays are mutable.
        return switch (type) {
            case "response" -> new String[] {"corr_id", "ok", "result"};
            case "process_event" -> new String[] {"process_id", "event", "value"};
            case "file" -> new String[] {"process_id", "file_hash", "chunk_index", "total_chunks", "chunk_data", "name"};
            case "mcp_request" -> new String[] {"corr_id", "process_id", "server_name", "method", "params"};
            default -> null;
        };
    }

    /** Reads through all {@code n} entries (so a broken map is refused whatever its type) and returns the type. */
    private static String readType(MsgPackReader r, int n) {
        String type = null;
        boolean seen = false;
        for (int i = 0; i < n; i++) {
            if (r.peekKind() != MsgPackReader.Kind.STR) {
                r.skipValue(); // a key of another type: never a field
            } else if (r.readString().equals("type")) {
                if (seen) throw new MsgPackException("field type given twice");
                seen = true;
                if (!r.tryReadNil()) type = r.readString();
                continue;
            }
            r.skipValue();
        }
        if (type == null) throw new MsgPackException("message has no type");
        return type;
    }

    /** Reads the fields in {@code names} out of {@code n} map entries; nil or absent fields stay null. */
    private static Object[] bind(MsgPackReader r, int n, String[] names) {
        Object[] values = new Object[names.length];
        boolean[] given = new boolean[names.length];
        for (int i = 0; i < n; i++) {
            int field = -1;
            if (r.peekKind() == MsgPackReader.Kind.STR) {
                field = indexOf(names, r.readString());
            } else {
                r.skipValue();
            }
            if (field < 0) {
                r.skipValue();
                continue;
            }
            if (given[field]) throw new MsgPackException("field " + names[field] + " given twice");
            given[field] = true;
            if (r.tryReadNil()) continue; // optional fields may be nil; need() refuses a nil required one
            values[field] = switch (names[field]) {
                case "corr_id" -> r.readUnsigned(MAX_U32);
                case "ok" -> r.readBool();
                case "chunk_index", "total_chunks" -> r.readUnsigned(Long.MAX_VALUE);
                case "chunk_data" -> r.readBinary();
                default -> r.readString();
            };
        }
        return values;
    }

    static ServerMessage decode(byte[] buf) {
        return decode(buf, 0, buf.length);
    }

    private static int indexOf(String[] names, String key) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(key)) return i;
        }
        return -1;
    }

    /** The value bound to a required field; absent or nil is an error. */
    private static <T> T need(String[] names, Object[] values, String field, Class<T> type) {
        Object v = values[indexOf(names, field)];
        if (v == null) throw new MsgPackException("missing field " + field);
        return type.cast(v);
    }
}
