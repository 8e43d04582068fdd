package org.pieproject.client.wire;

import java.nio.charset.StandardCharsets;

/**
 * Decodes engine messages on the hot path: keys are matched as raw bytes (no key strings are made),
 * each value is read once into its field, and process ids, which repeat on every event, are reused
 * from a small cache rather than made anew. One instance per connection; not thread-safe.
 *
 * <p>Rules (those of the engine's own decoder, protocol.md §1.4): the top value must be a map; {@code type}
 * may come anywhere; keys that are not fields of that type are skipped whatever their value; a field given
 * twice, a required field missing or nil, or a value of the wrong kind is a {@link MsgPackException}. A
 * message of an unknown type is still read to its end, so a broken map is refused whatever its type.
 */
public final class ServerMessageDecoder {

    // Every key any engine message uses; a message's fields are a subset, chosen by its type.
    private static final String[] KEYS = {"type", "corr_id", "ok", "result", "process_id", "event", "value",
            "file_hash", "chunk_index", "total_chunks", "chunk_data", "name", "server_name", "method", "params"};
    private static final int TYPE = 0, CORR_ID = 1, OK = 2, RESULT = 3, PROCESS_ID = 4, EVENT = 5, VALUE = 6,
            FILE_HASH = 7, CHUNK_INDEX = 8, TOTAL_CHUNKS = 9, CHUNK_DATA = 10, NAME = 11, SERVER_NAME = 12,
            METHOD = 13, PARAMS = 14;
    private static final byte[][] KEY_BYTES = new byte[KEYS.length][];

    static {
        for (int i = 0; i < KEYS.length; i++) KEY_BYTES[i] = KEYS[i].getBytes(StandardCharsets.US_ASCII);
    }

    private static final String[] EVENTS = {"stdout", "stderr", "message", "return", "error"};
    private static final byte[][] EVENT_BYTES = new byte[EVENTS.length][];

    static {
        for (int i = 0; i < EVENTS.length; i++) EVENT_BYTES[i] = EVENTS[i].getBytes(StandardCharsets.US_ASCII);
    }

    private static final int ID_SLOTS = 256;
    private final byte[][] idBytes = new byte[ID_SLOTS][];
    private final String[] idStrings = new String[ID_SLOTS];

    // Value positions of the current message, by key index; -1 when absent. Reused between messages.
    private final int[] at = new int[KEYS.length];

    /** Creates a decoder with an empty process id cache; one per connection. */
    public ServerMessageDecoder() {
    }

    /**
     * Decodes one message from {@code buf[off, off+len)}; bytes after the first value are ignored.
     *
     * @param buf the frame
     * @param off where the message starts
     * @param len how many bytes it may use
     * @throws MsgPackException if it is not a well-formed engine message
     * @return the message
     */
    public ServerMessage decode(byte[] buf, int off, int len) {
        MsgPackReader r = new MsgPackReader(buf, off, len);
        if (r.peekKind() != MsgPackReader.Kind.MAP) throw new MsgPackException("message is not a map");
        int n = r.readMapHeader();
        java.util.Arrays.fill(at, -1);
        long duplicated = 0;
        for (int i = 0; i < n; i++) {
            int key = readKey(r);
            if (key >= 0) {
                if (at[key] >= 0) duplicated |= 1L << key;
                at[key] = r.position();
            }
            r.skipValue();
        }
        if (at[TYPE] < 0) throw new MsgPackException("message has no type");
        if ((duplicated & 1L << TYPE) != 0) throw new MsgPackException("field type given twice");
        MsgPackReader v = new MsgPackReader(buf, off, len);
        String type = string(v, TYPE, true);
        return switch (type) {
            case "response" -> {
                check(duplicated, CORR_ID, OK, RESULT);
                yield new ServerMessage.Response(u32(v, CORR_ID), bool(v, OK), string(v, RESULT, true));
            }
            case "process_event" -> {
                check(duplicated, PROCESS_ID, EVENT, VALUE);
                yield new ServerMessage.ProcessEvent(processId(v), event(v), string(v, VALUE, true));
            }
            case "file" -> {
                check(duplicated, PROCESS_ID, FILE_HASH, CHUNK_INDEX, TOTAL_CHUNKS, CHUNK_DATA, NAME);
                yield new ServerMessage.FileChunk(processId(v), string(v, FILE_HASH, true),
                        u64(v, CHUNK_INDEX), u64(v, TOTAL_CHUNKS), bytes(v), string(v, NAME, false));
            }
            case "mcp_request" -> {
                check(duplicated, CORR_ID, PROCESS_ID, SERVER_NAME, METHOD, PARAMS);
                yield new ServerMessage.McpRequest(u32(v, CORR_ID), processId(v), string(v, SERVER_NAME, true),
                        string(v, METHOD, true), string(v, PARAMS, true));
            }
            default -> new ServerMessage.Unknown(type);
        };
    }

    /** Reads a key: the index of a known one, or -1 (the key is consumed either way). */
    private static int readKey(MsgPackReader r) {
        if (r.peekKind() != MsgPackReader.Kind.STR) {
            r.skipValue(); // a key of another kind is never a field
            return -1;
        }
        int n = r.readStrHeader();
        int p = r.position();
        byte[] b = r.array();
        r.skipBytes(n);
        if (n == 0) return -1;
        byte first = b[p];
        for (int k = 0; k < KEY_BYTES.length; k++) {
            // Length and first byte rule out nearly every candidate before a full comparison: this runs
            // for every key of every event.
            byte[] key = KEY_BYTES[k];
            if (key.length == n && key[0] == first && equalBytes(key, b, p, n)) return k;
        }
        return -1;
    }

    private static boolean equalBytes(byte[] want, byte[] b, int p, int n) {
        return want.length == n && java.util.Arrays.equals(want, 0, n, b, p, p + n);
    }

    private static void check(long duplicated, int... fields) {
        for (int f : fields) {
            if ((duplicated & 1L << f) != 0) throw new MsgPackException("field " + KEYS[f] + " given twice");
        }
    }

    /** Positions {@code v} on the value of field {@code f}; false if the field is absent or nil. */
    private boolean seek(MsgPackReader v, int f, boolean required) {
        if (at[f] >= 0) {
            v.seek(at[f]);
            if (!v.tryReadNil()) return true;
        }
        if (required) throw new MsgPackException("missing field " + KEYS[f]);
        return false;
    }

    private String string(MsgPackReader v, int f, boolean required) {
        return seek(v, f, required) ? v.readString() : null;
    }

    private long u32(MsgPackReader v, int f) {
        seek(v, f, true);
        return v.readUnsigned(ServerMessage.MAX_U32);
    }

    private long u64(MsgPackReader v, int f) {
        seek(v, f, true);
        return v.readUnsigned(Long.MAX_VALUE);
    }

    private boolean bool(MsgPackReader v, int f) {
        seek(v, f, true);
        return v.readBool();
    }

    private byte[] bytes(MsgPackReader v) {
        seek(v, CHUNK_DATA, true);
        return v.readBinary();
    }

    /** The event kind as one of the shared constants when it is a known one, so routing compares cheaply. */
    private String event(MsgPackReader v) {
        seek(v, EVENT, true);
        if (v.peekKind() == MsgPackReader.Kind.STR) {
            int start = v.position();
            int n = v.readStrHeader();
            int p = v.position();
            for (int i = 0; i < EVENT_BYTES.length; i++) {
                if (equalBytes(EVENT_BYTES[i], v.array(), p, n)) {
                    v.skipBytes(n);
                    return EVENTS[i];
                }
            }
            v.seek(start);
        }
        return v.readString();
    }

    /** A process id, taken from the cache when these exact bytes were seen recently. */
    private String processId(MsgPackReader v) {
        seek(v, PROCESS_ID, true);
        if (v.peekKind() != MsgPackReader.Kind.STR) return v.readString();
        int start = v.position();
        int n = v.readStrHeader();
        int p = v.position();
        byte[] b = v.array();
        int h = 0;
        for (int i = p; i < p + n; i++) h = 31 * h + b[i];
        int slot = (h ^ (h >>> 16)) & (ID_SLOTS - 1);
        byte[] cached = idBytes[slot];
        if (cached != null && equalBytes(cached, b, p, n)) {
            v.skipBytes(n);
            return idStrings[slot];
        }
        v.seek(start);
        String s = v.readString();
        idBytes[slot] = java.util.Arrays.copyOfRange(b, p, p + n);
        idStrings[slot] = s;
        return s;
    }
}
