package org.pieproject.client.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes engine messages on the hot path: keys are matched as raw bytes (no key strings are made),
 * each value is read once into its field, and process ids, which repeat on every event, are reused
 * from a small cache rather than made anew. Process events in the engine's own form are read in one
 * pass and, with {@link #decode(byte[], int, int, EventSink)}, handed over without a record, so such an
 * event costs only its value string. One instance per connection; not thread-safe.
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
    private static final long RESPONSE_FIELDS = fields(CORR_ID, OK, RESULT);
    private static final long EVENT_FIELDS = fields(PROCESS_ID, EVENT, VALUE);
    private static final long FILE_FIELDS = fields(PROCESS_ID, FILE_HASH, CHUNK_INDEX, TOTAL_CHUNKS, CHUNK_DATA, NAME);
    private static final long MCP_FIELDS = fields(CORR_ID, PROCESS_ID, SERVER_NAME, METHOD, PARAMS);

    private static final int MAX_KEY_LENGTH = 12;
    /** Key index by length and first byte ({@link #shape}); no two keys share a shape. */
    private static final int[] KEY_BY_SHAPE = new int[(MAX_KEY_LENGTH + 1) << 5];

    static {
        Arrays.fill(KEY_BY_SHAPE, -1);
        for (int i = 0; i < KEYS.length; i++) {
            KEY_BYTES[i] = KEYS[i].getBytes(StandardCharsets.US_ASCII);
            int shape = shape(KEY_BYTES[i].length, KEY_BYTES[i][0]);
            if (KEY_BY_SHAPE[shape] >= 0) throw new AssertionError("two keys of one shape: " + KEYS[i]);
            KEY_BY_SHAPE[shape] = i;
        }
    }

    private static final String[] TYPES = {"response", "process_event", "file", "mcp_request"};
    private static final byte[][] TYPE_BYTES = new byte[TYPES.length][];

    static {
        for (int i = 0; i < TYPES.length; i++) TYPE_BYTES[i] = TYPES[i].getBytes(StandardCharsets.US_ASCII);
    }

    private static final String[] EVENTS = {"stdout", "stderr", "message", "return", "error"};
    private static final byte[][] EVENT_BYTES = new byte[EVENTS.length][];

    static {
        for (int i = 0; i < EVENTS.length; i++) EVENT_BYTES[i] = EVENTS[i].getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads eight bytes of an array at once, to compare ids and keys a word at a time. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /**
     * 4,096 slots (32 KiB of references per connection): with 256, a thousand processes streaming at once
     * (W8) missed on most events, and each miss made the id's string and a copy of its bytes anew (about
     * 110 bytes per event of the 530 the client allocated).
     */
    private static final int ID_BITS = 12, ID_SLOTS = 1 << ID_BITS;
    private final byte[][] idBytes = new byte[ID_SLOTS][];
    private final String[] idStrings = new String[ID_SLOTS];

    // Value positions of the current message, by key index; -1 when absent. Reused between messages.
    private final int[] at = new int[KEYS.length];

    /** Creates a decoder with an empty process id cache; one per connection. */
    public ServerMessageDecoder() {
        this(true);
    }

    /** A decoder with or without the one-pass path for canonical process events; tests compare the two. */
    ServerMessageDecoder(boolean fastPath) {
        this.fastPath = fastPath;
    }

    /**
     * What a {@code process_event} is given to instead of a record, on the hot path: the most frequent
     * message then costs no object of its own.
     */
    @FunctionalInterface
    public interface EventSink {
        /**
         * Takes one process event.
         *
         * @param processId the process (a cached, shared string)
         * @param event     its kind: one of the shared constants {@code "stdout"}, {@code "stderr"},
         *                  {@code "message"}, {@code "return"}, {@code "error"}, or another string
         * @param value     its value
         */
        void event(String processId, String event, String value);
    }

    private static final byte[] NOTHING = new byte[0];
    private static final byte[] PROCESS_EVENT_BYTES = "process_event".getBytes(StandardCharsets.US_ASCII);
    private final MsgPackReader reader = new MsgPackReader(NOTHING);
    private final boolean fastPath;

    /**
     * Decodes one message from {@code buf[off, off+len)}; bytes after the first value are ignored.
     *
     * @param buf the frame
     * @param off where the message starts
     * @param len how many bytes it may use
     * @throws MsgPackException if it is not a well-formed engine message
     * @return the message; a {@link ServerMessage.FileChunk}'s bytes stay in {@code buf}
     */
    public ServerMessage decode(byte[] buf, int off, int len) {
        ServerMessage[] event = new ServerMessage[1];
        ServerMessage m = decode(buf, off, len, (p, e, v) -> event[0] = new ServerMessage.ProcessEvent(p, e, v));
        return m != null ? m : event[0];
    }

    /**
     * Decodes one message from {@code buf[off, off+len)}, giving a {@code process_event} to {@code events}
     * (and returning null for it) rather than making a record of it.
     *
     * @param buf    the frame
     * @param off    where the message starts
     * @param len    how many bytes it may use
     * @param events takes the message if it is a process event
     * @throws MsgPackException if it is not a well-formed engine message
     * @return the message, or null if it was a process event; a {@link ServerMessage.FileChunk}'s bytes stay
     *         in {@code buf}
     */
    public ServerMessage decode(byte[] buf, int off, int len, EventSink events) {
        MsgPackReader r = reader.reset(buf, off, len);
        try {
            return decode(r, events);
        } finally {
            reader.reset(NOTHING, 0, 0); // hold no reference to the frame, which may be large
        }
    }

    private ServerMessage decode(MsgPackReader r, EventSink events) {
        if (fastPath && canonicalEvent(r, events)) return null;
        if (r.peekKind() != MsgPackReader.Kind.MAP) throw new MsgPackException("message is not a map");
        int n = r.readMapHeader();
        Arrays.fill(at, -1);
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
        MsgPackReader v = r; // the scan recorded where each value starts; read them from there
        String type = constantOrString(v, TYPE, TYPES, TYPE_BYTES);
        return switch (type) {
            case "response" -> {
                check(duplicated, RESPONSE_FIELDS);
                yield new ServerMessage.Response(u32(v, CORR_ID), bool(v, OK), string(v, RESULT, true));
            }
            case "process_event" -> {
                check(duplicated, EVENT_FIELDS);
                events.event(processId(v), constantOrString(v, EVENT, EVENTS, EVENT_BYTES), string(v, VALUE, true));
                yield null;
            }
            case "file" -> {
                check(duplicated, FILE_FIELDS);
                String processId = processId(v);
                String hash = string(v, FILE_HASH, true);
                long index = u64(v, CHUNK_INDEX), total = u64(v, TOTAL_CHUNKS);
                seek(v, CHUNK_DATA, true);
                int length = v.readBinaryHeader();
                int offset = v.position(); // the chunk stays where it is: no copy of 256 KiB per message
                yield new ServerMessage.FileChunk(processId, hash, index, total, v.array(), offset, length,
                        string(v, NAME, false));
            }
            case "mcp_request" -> {
                check(duplicated, MCP_FIELDS);
                yield new ServerMessage.McpRequest(u32(v, CORR_ID), processId(v), string(v, SERVER_NAME, true),
                        string(v, METHOD, true), string(v, PARAMS, true));
            }
            default -> new ServerMessage.Unknown(type);
        };
    }

    /**
     * The engine writes every process event as a map of exactly {@code type}, {@code process_id},
     * {@code event} and {@code value}, in that order, all strings (protocol.md §1.3). Such a message is read
     * here in one pass, without the general path's scan, skip and seek. Anything else, or anything odd
     * inside it, returns false with the reader where it was, and the general path decides: it gives the
     * same event for these messages and the errors for the rest.
     */
    private boolean canonicalEvent(MsgPackReader r, EventSink events) {
        int start = r.position();
        String processId, event, value;
        try {
            if (r.peekKind() != MsgPackReader.Kind.MAP || r.readMapHeader() != 4
                    || !skipIf(r, KEY_BYTES[TYPE]) || !skipIf(r, PROCESS_EVENT_BYTES)
                    || !skipIf(r, KEY_BYTES[PROCESS_ID]) || r.peekKind() != MsgPackReader.Kind.STR) {
                r.seek(start);
                return false;
            }
            processId = cachedId(r);
            if (!skipIf(r, KEY_BYTES[EVENT]) || r.peekKind() != MsgPackReader.Kind.STR) {
                r.seek(start);
                return false;
            }
            event = constantAt(r, EVENTS, EVENT_BYTES);
            if (!skipIf(r, KEY_BYTES[VALUE]) || r.peekKind() != MsgPackReader.Kind.STR) {
                r.seek(start);
                return false;
            }
            value = r.readString();
        } catch (MsgPackException e) {
            r.seek(start); // truncated or not UTF-8: the general path reports it
            return false;
        }
        events.event(processId, event, value);
        return true;
    }

    /** Moves past the next value if it is the string {@code want}; otherwise leaves the reader anywhere. */
    private static boolean skipIf(MsgPackReader r, byte[] want) {
        if (r.peekKind() != MsgPackReader.Kind.STR) return false;
        int n = r.readStrHeader();
        if (!sameBytes(want, r.array(), r.position(), n)) return false;
        r.skipBytes(n);
        return true;
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
        // Length and first byte name at most one candidate, which one comparison confirms: this runs for
        // every key of every event.
        if (n == 0 || n > MAX_KEY_LENGTH) return -1;
        int k = KEY_BY_SHAPE[shape(n, b[p])];
        return k >= 0 && sameBytes(KEY_BYTES[k], b, p, n) ? k : -1;
    }

    private static int shape(int length, byte first) {
        return length << 5 | first & 31;
    }

    /** Whether {@code b[p, p+n)} is exactly {@code want}, compared eight bytes at a time. */
    private static boolean sameBytes(byte[] want, byte[] b, int p, int n) {
        if (want.length != n) return false;
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            if ((long) LONGS.get(want, i) != (long) LONGS.get(b, p + i)) return false;
        }
        for (; i < n; i++) {
            if (want[i] != b[p + i]) return false;
        }
        return true;
    }

    /** The index of the constant among {@code candidates} that {@code b[p, p+n)} spells, or -1. */
    private static int constant(byte[][] candidates, byte[] b, int p, int n) {
        for (int i = 0; i < candidates.length; i++) {
            if (sameBytes(candidates[i], b, p, n)) return i;
        }
        return -1;
    }

    /** Fails if a field of the message's type (a bit per key index in {@code fields}) was given twice. */
    private static void check(long duplicated, long fields) {
        long twice = duplicated & fields;
        if (twice != 0) throw new MsgPackException("field " + KEYS[Long.numberOfTrailingZeros(twice)] + " given twice");
    }

    /** The set of key indexes {@code keys}, as bits; computed once, so checking a message allocates nothing. */
    private static long fields(int... keys) {
        long bits = 0;
        for (int k : keys) bits |= 1L << k;
        return bits;
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

    /**
     * Field {@code f} (required), as one of the shared {@code constants} when it spells one, so that
     * nothing is allocated for it and callers compare it cheaply; otherwise as a new string.
     */
    private String constantOrString(MsgPackReader v, int f, String[] constants, byte[][] constantBytes) {
        seek(v, f, true);
        return constantAt(v, constants, constantBytes);
    }

    /** The string at the reader's position, as one of {@code constants} when it spells one. */
    private static String constantAt(MsgPackReader v, String[] constants, byte[][] constantBytes) {
        if (v.peekKind() == MsgPackReader.Kind.STR) {
            int start = v.position();
            int n = v.readStrHeader();
            int i = constant(constantBytes, v.array(), v.position(), n);
            if (i >= 0) {
                v.skipBytes(n);
                return constants[i];
            }
            v.seek(start);
        }
        return v.readString();
    }

    /** A process id, taken from the cache when these exact bytes were seen recently. */
    private String processId(MsgPackReader v) {
        seek(v, PROCESS_ID, true);
        return cachedId(v);
    }

    /** The string at the reader's position, taken from the id cache when these exact bytes are in it. */
    private String cachedId(MsgPackReader v) {
        if (v.peekKind() != MsgPackReader.Kind.STR) return v.readString();
        int start = v.position();
        int n = v.readStrHeader();
        int p = v.position();
        byte[] b = v.array();
        int slot = slot(b, p, n);
        byte[] cached = idBytes[slot];
        if (cached != null && sameBytes(cached, b, p, n)) {
            v.skipBytes(n);
            return idStrings[slot];
        }
        v.seek(start);
        String s = v.readString();
        idBytes[slot] = Arrays.copyOfRange(b, p, p + n);
        idStrings[slot] = s;
        return s;
    }

    /**
     * The cache slot of an id, from its length and its first and last eight bytes: a hash over every byte
     * cost more than the rest of decoding an event, and ids (random UUIDs) differ enough at both ends.
     */
    private static int slot(byte[] b, int p, int n) {
        long h = n;
        if (n >= Long.BYTES) {
            h += (long) LONGS.get(b, p) * 0x9E3779B97F4A7C15L;
            h ^= (long) LONGS.get(b, p + n - Long.BYTES) * 0xC2B2AE3D27D4EB4FL;
        } else {
            for (int i = p; i < p + n; i++) h = h * 31 + b[i];
            h *= 0x9E3779B97F4A7C15L;
        }
        return (int) (h >>> (64 - ID_BITS)); // the best-mixed, top bits
    }
}
