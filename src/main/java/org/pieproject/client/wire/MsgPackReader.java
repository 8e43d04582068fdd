package org.pieproject.client.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads MessagePack values straight out of a byte array region, without copying it first. Every read is
 * bounds-checked against the region, so a declared length larger than the data is an error, not a crash.
 * Not thread-safe; one reader per message.
 */
public final class MsgPackReader {
    /** The kinds of value a reader can meet; everything the format has, so unknown values can be skipped. */
    public enum Kind {
        /** {@code nil}. */
        NIL,
        /** {@code true} or {@code false}. */
        BOOL,
        /** A signed or unsigned integer of any width. */
        INT,
        /** A 32- or 64-bit float. */
        FLOAT,
        /** A UTF-8 string. */
        STR,
        /** A byte array. */
        BIN,
        /** An array. */
        ARRAY,
        /** A map. */
        MAP,
        /** An extension value. */
        EXT,
        /** The byte {@code 0xc1}, which the format reserves and no encoder writes. */
        NEVER_USED
    }

    private static final int MAX_DEPTH = 512;
    /**
     * The most entries a list or map is sized for up front. A declared count is only a claim: trusting it
     * at every level of nesting would let a few megabytes of headers reserve gigabytes.
     */
    private static final int MAX_PRESIZE = 1024;

    private byte[] buf;
    private int start;
    private int limit;
    private int pos;

    /**
     * Reads a whole array.
     *
     * @param buf the bytes (not copied)
     */
    public MsgPackReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /**
     * Reads {@code buf[off, off+len)}; nothing outside it is ever touched.
     *
     * @param buf the bytes (not copied)
     * @param off where the region starts
     * @param len its length
     */
    public MsgPackReader(byte[] buf, int off, int len) {
        reset(buf, off, len);
    }

    /**
     * Starts reading {@code buf[off, off+len)} instead, as if newly made: lets a decoder that runs for every
     * message keep one reader rather than allocate one per message.
     *
     * @param buf the bytes (not copied)
     * @param off where the region starts
     * @param len its length
     * @return this reader
     */
    public MsgPackReader reset(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length); // off + len may overflow an int; this cannot
        this.buf = buf;
        this.start = off;
        this.pos = off;
        this.limit = off + len;
        return this;
    }

    /**
     * Where the next value starts, as an index into {@link #array()}.
     *
     * @return the position
     */
    public int position() {
        return pos;
    }

    /**
     * Whether bytes are left in the region.
     *
     * @return true before the end
     */
    public boolean hasMore() {
        return pos < limit;
    }

    /**
     * The kind of the next value, without consuming it.
     *
     * @return its kind
     * @throws MsgPackException at the end of the region
     */
    public Kind peekKind() {
        int b = peekByte();
        if (b <= 0x7f || b >= 0xe0) return Kind.INT;
        if (b <= 0x8f) return Kind.MAP;
        if (b <= 0x9f) return Kind.ARRAY;
        if (b <= 0xbf) return Kind.STR;
        return switch (b) {
            case 0xc0 -> Kind.NIL;
            case 0xc1 -> Kind.NEVER_USED;
            case 0xc2, 0xc3 -> Kind.BOOL;
            case 0xc4, 0xc5, 0xc6 -> Kind.BIN;
            case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> Kind.EXT;
            case 0xca, 0xcb -> Kind.FLOAT;
            case 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3 -> Kind.INT;
            case 0xd9, 0xda, 0xdb -> Kind.STR;
            case 0xdc, 0xdd -> Kind.ARRAY;
            default -> Kind.MAP; // 0xde, 0xdf
        };
    }

    /**
     * Consumes a {@code nil} if one comes next.
     *
     * @return whether it did
     */
    public boolean tryReadNil() {
        if (peekByte() == 0xc0) {
            pos++;
            return true;
        }
        return false;
    }

    /**
     * Reads a boolean.
     *
     * @return its value
     * @throws MsgPackException if the next value is not a boolean
     */
    public boolean readBool() {
        int b = readByte();
        if (b == 0xc2) return false;
        if (b == 0xc3) return true;
        throw unexpected("bool", b);
    }

    /**
     * Reads an integer of any width that fits in a Java long. A uint64 above Long.MAX_VALUE is an error:
     * no protocol field can hold it.
     *
     * @return its value
     */
    public long readLong() {
        int b = readByte();
        if (b <= 0x7f) return b;
        if (b >= 0xe0) return (byte) b;
        return switch (b) {
            case 0xcc -> readByte();
            case 0xcd -> readU16();
            case 0xce -> readU32();
            case 0xcf -> {
                long v = readI64();
                if (v < 0) throw new MsgPackException("uint64 value out of range");
                yield v;
            }
            case 0xd0 -> (byte) readByte();
            case 0xd1 -> (short) readU16();
            case 0xd2 -> (int) readU32();
            case 0xd3 -> readI64();
            default -> throw unexpected("integer", b);
        };
    }

    /**
     * Reads a non-negative integer no larger than {@code max}, as the engine's u32/u64 fields require.
     *
     * @param max the largest value allowed
     * @return its value
     */
    public long readUnsigned(long max) {
        long v = readLong();
        if (v < 0 || v > max) {
            throw new MsgPackException("integer " + v + " out of range 0.." + max);
        }
        return v;
    }

    /**
     * Reads a 32- or 64-bit float.
     *
     * @return its value
     * @throws MsgPackException if the next value is not a float
     */
    public double readDouble() {
        int b = readByte();
        if (b == 0xca) return Float.intBitsToFloat((int) readU32());
        if (b == 0xcb) return Double.longBitsToDouble(readI64());
        throw unexpected("float", b);
    }

    /**
     * Reads a str (or, as the engine tolerates, a bin) holding valid UTF-8.
     *
     * @return the text
     */
    public String readString() {
        int n = readPayloadHeader("string");
        String s = decodeUtf8(buf, pos, n);
        pos += n;
        return s;
    }

    /**
     * Reads a bin (or a str, as the engine's decoder would also take) and returns a copy of its bytes.
     *
     * @return a copy of the payload
     */
    public byte[] readBinary() {
        int n = readBinaryHeader();
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    /**
     * Reads a bin/str header and checks that its payload is present; the payload then starts at
     * {@link #position()} and the caller must {@link #skipBytes} over it. Lets a caller copy bytes once,
     * straight to where they belong.
     *
     * @return the payload's length
     */
    public int readBinaryHeader() {
        return readPayloadHeader("binary");
    }

    /** The header of a str or bin (the engine takes either for both), checked against what is left. */
    private int readPayloadHeader(String wanted) {
        int b = readByte();
        int n;
        if ((b & 0xe0) == 0xa0) {
            n = b & 0x1f;
        } else {
            n = switch (b) {
                case 0xc4, 0xd9 -> readByte();
                case 0xc5, 0xda -> readU16();
                case 0xc6, 0xdb -> readLength();
                default -> throw unexpected(wanted, b);
            };
        }
        require(n);
        return n;
    }

    /**
     * Reads the header of a str (not a bin) and returns its length; the payload starts at {@link #position()}.
     *
     * @return the payload's length
     */
    public int readStrHeader() {
        int b = readByte();
        int n;
        if ((b & 0xe0) == 0xa0) {
            n = b & 0x1f;
        } else {
            n = switch (b) {
                case 0xd9 -> readByte();
                case 0xda -> readU16();
                case 0xdb -> readLength();
                default -> throw unexpected("string", b);
            };
        }
        require(n);
        return n;
    }

    /**
     * Moves to an absolute position inside this reader's region (one it reported earlier).
     *
     * @param position a value {@link #position()} returned
     */
    public void seek(int position) {
        if (position < start || position > limit) throw new IndexOutOfBoundsException(position);
        pos = position;
    }

    /**
     * The array being read, so callers can copy a payload straight out of it.
     *
     * @return the array (not a copy)
     */
    public byte[] array() {
        return buf;
    }

    /**
     * Moves past a payload whose header was read.
     *
     * @param n how many bytes to skip
     * @throws MsgPackException if fewer are left
     */
    public void skipBytes(int n) {
        require(n);
        pos += n;
    }

    /**
     * Reads an array header; the elements follow.
     *
     * @return the number of elements
     * @throws MsgPackException if the next value is not an array
     */
    public int readArrayHeader() {
        int b = readByte();
        if ((b & 0xf0) == 0x90) return b & 0x0f;
        if (b == 0xdc) return readU16();
        if (b == 0xdd) return readLength();
        throw unexpected("array", b);
    }

    /**
     * Reads a map header; the keys and values follow, alternating.
     *
     * @return the number of entries
     * @throws MsgPackException if the next value is not a map
     */
    public int readMapHeader() {
        int b = readByte();
        if ((b & 0xf0) == 0x80) return b & 0x0f;
        if (b == 0xde) return readU16();
        if (b == 0xdf) return readLength();
        throw unexpected("map", b);
    }

    /** Skips one value of any kind, nested ones included, without recursion. */
    public void skipValue() {
        long remaining = 1;
        while (remaining > 0) {
            remaining--;
            int b = readByte();
            if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) continue;
            if (b <= 0x8f) { remaining += 2L * (b & 0x0f); continue; }
            if (b <= 0x9f) { remaining += b & 0x0f; continue; }
            if (b <= 0xbf) { skipBytes(b & 0x1f); continue; }
            switch (b) {
                case 0xc4, 0xd9 -> skipBytes(readByte());
                case 0xc5, 0xda -> skipBytes(readU16());
                case 0xc6, 0xdb -> skipBytes(readLength());
                case 0xc7 -> skipBytes(readByte() + 1);
                case 0xc8 -> skipBytes(readU16() + 1);
                case 0xc9 -> skipBytes(addExact(readLength(), 1));
                case 0xca -> skipBytes(4);
                case 0xcb -> skipBytes(8);
                case 0xcc, 0xd0 -> skipBytes(1);
                case 0xcd, 0xd1 -> skipBytes(2);
                case 0xce, 0xd2 -> skipBytes(4);
                case 0xcf, 0xd3 -> skipBytes(8);
                case 0xd4 -> skipBytes(2);
                case 0xd5 -> skipBytes(3);
                case 0xd6 -> skipBytes(5);
                case 0xd7 -> skipBytes(9);
                case 0xd8 -> skipBytes(17);
                case 0xdc -> remaining += readU16();
                case 0xdd -> remaining += readLength();
                case 0xde -> remaining += 2L * readU16();
                case 0xdf -> remaining += 2L * readLength();
                default -> throw unexpected("value", b); // 0xc1
            }
        }
    }

    /**
     * Reads any value into plain Java objects: null, Boolean, Long, Double, String, byte[], List,
     * Map (insertion-ordered) or {@link Ext}. A uint64 above Long.MAX_VALUE is refused, and so is a map
     * that gives a key twice (a Java map could not hold both, and the engine refuses a field given twice).
     * Keys keep their type; a bin key stays a byte[] and, like any array key, is compared by identity.
     * For the test engine and diagnostics, not the client's hot path.
     *
     * @return the value
     */
    public Object readValue() {
        return readValue(0);
    }

    /**
     * An extension value, kept opaque.
     *
     * @param type the extension type
     * @param data its payload
     */
    public record Ext(int type, byte[] data) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ext e && e.type == type && Arrays.equals(e.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Ext[type=" + type + ", " + data.length + " bytes]";
        }
    }

    private Object readValue(int depth) {
        if (depth > MAX_DEPTH) throw new MsgPackException("nesting deeper than " + MAX_DEPTH);
        return switch (peekKind()) {
            case NIL -> { pos++; yield null; }
            case BOOL -> readBool();
            case INT -> readLong();
            case FLOAT -> readDouble();
            case STR -> readString();
            case BIN -> readBinary();
            case ARRAY -> {
                int n = readArrayHeader();
                List<Object> list = new ArrayList<>(Math.min(n, MAX_PRESIZE));
                for (int i = 0; i < n; i++) list.add(readValue(depth + 1));
                yield list;
            }
            case MAP -> {
                int n = readMapHeader();
                Map<Object, Object> map = new LinkedHashMap<>(Math.min(n, MAX_PRESIZE));
                for (int i = 0; i < n; i++) {
                    Object k = readValue(depth + 1);
                    Object v = readValue(depth + 1);
                    if (map.containsKey(k)) throw new MsgPackException("duplicate map key " + describeKey(k));
                    map.put(k, v);
                }
                yield map;
            }
            case EXT -> readExt();
            case NEVER_USED -> throw unexpected("value", peekByte());
        };
    }

    /** A key for an error message: short, and never the bytes of a long string (which may be anything). */
    private static String describeKey(Object k) {
        if (k instanceof String s) return s.length() <= 40 ? '"' + s + '"' : "of " + s.length() + " chars";
        return k == null ? "nil" : "of type " + k.getClass().getSimpleName();
    }

    private Ext readExt() {
        int b = readByte();
        int n = switch (b) {
            case 0xd4 -> 1;
            case 0xd5 -> 2;
            case 0xd6 -> 4;
            case 0xd7 -> 8;
            case 0xd8 -> 16;
            case 0xc7 -> readByte();
            case 0xc8 -> readU16();
            case 0xc9 -> readLength();
            default -> throw unexpected("ext", b);
        };
        int type = (byte) readByte();
        require(n);
        byte[] data = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return new Ext(type, data);
    }

    /**
     * Decodes UTF-8 strictly: malformed input is an error, never replaced. The JDK's own decoder (vectorised,
     * and a plain copy for ASCII) runs first; only a result holding U+FFFD, which is either a replaced
     * malformed sequence or a real U+FFFD, is checked again by a decoder that reports instead of replacing.
     */
    static String decodeUtf8(byte[] b, int off, int n) {
        String s = new String(b, off, n, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, off, n));
            } catch (CharacterCodingException e) {
                throw new MsgPackException("string is not valid UTF-8");
            }
        }
        return s;
    }

    private int peekByte() {
        if (pos >= limit) throw new MsgPackException("unexpected end of data");
        return buf[pos] & 0xff;
    }

    private int readByte() {
        if (pos >= limit) throw new MsgPackException("unexpected end of data");
        return buf[pos++] & 0xff;
    }

    private int readU16() {
        require(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    private long readU32() {
        require(4);
        long v = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
                | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    private long readI64() {
        long hi = readU32();
        long lo = readU32();
        return (hi << 32) | lo;
    }

    /** A 32-bit length; larger than what remains is caught by the caller's {@link #require}. */
    private int readLength() {
        long v = readU32();
        if (v > limit - pos) {
            // No container or payload can be larger than the bytes left; refuse before any allocation.
            throw new MsgPackException("declared length " + v + " exceeds the " + (limit - pos) + " bytes left");
        }
        return (int) v;
    }

    private static int addExact(int a, int b) {
        long s = (long) a + b;
        if (s > Integer.MAX_VALUE) throw new MsgPackException("length overflow");
        return (int) s;
    }

    private void require(int n) {
        if (n < 0 || n > limit - pos) {
            throw new MsgPackException("declared length " + n + " exceeds the " + (limit - pos) + " bytes left");
        }
    }

    private static MsgPackException unexpected(String wanted, int b) {
        return new MsgPackException(String.format("expected %s, found byte 0x%02x", wanted, b));
    }
}
