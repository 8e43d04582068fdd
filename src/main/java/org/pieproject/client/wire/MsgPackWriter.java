package org.pieproject.client.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes MessagePack values into a growable byte array, always in the smallest form, as the engine's
 * rmp-serde encoder does: unsigned integers for non-negative values, str for text, bin for bytes.
 */
public final class MsgPackWriter {
    private byte[] buf;
    private int len;

    /**
     * Creates a writer with a small buffer that grows as needed.
     */
    public MsgPackWriter() {
        this(64);
    }

    /**
     * Creates a writer sized for the expected message, so it need not grow.
     *
     * @param initialCapacity the starting buffer size in bytes
     */
    public MsgPackWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /**
     * Writes {@code nil}.
     *
     * @return this writer
     */
    public MsgPackWriter nil() {
        ensure(1);
        buf[len++] = (byte) 0xc0;
        return this;
    }

    /**
     * Writes a boolean.
     *
     * @param v the value
     * @return this writer
     */
    public MsgPackWriter bool(boolean v) {
        ensure(1);
        buf[len++] = (byte) (v ? 0xc3 : 0xc2);
        return this;
    }

    /**
     * Writes an integer in its smallest form, unsigned when it is not negative.
     *
     * @param v the value
     * @return this writer
     */
    public MsgPackWriter integer(long v) {
        ensure(9);
        if (v >= 0) {
            if (v < 128) {
                buf[len++] = (byte) v;
            } else if (v < 256) {
                buf[len++] = (byte) 0xcc;
                buf[len++] = (byte) v;
            } else if (v < 65536) {
                buf[len++] = (byte) 0xcd;
                putShort((int) v);
            } else if (v < 0x1_0000_0000L) {
                buf[len++] = (byte) 0xce;
                putInt((int) v);
            } else {
                buf[len++] = (byte) 0xcf;
                putLong(v);
            }
        } else if (v >= -32) {
            buf[len++] = (byte) v;
        } else if (v >= Byte.MIN_VALUE) {
            buf[len++] = (byte) 0xd0;
            buf[len++] = (byte) v;
        } else if (v >= Short.MIN_VALUE) {
            buf[len++] = (byte) 0xd1;
            putShort((int) v);
        } else if (v >= Integer.MIN_VALUE) {
            buf[len++] = (byte) 0xd2;
            putInt((int) v);
        } else {
            buf[len++] = (byte) 0xd3;
            putLong(v);
        }
        return this;
    }

    /**
     * Writes an unsigned 64-bit value given as a Java long's bit pattern (values above Long.MAX_VALUE).
     *
     * @param bits the value's 64 bits
     * @return this writer
     */
    public MsgPackWriter unsigned64(long bits) {
        if (bits >= 0) {
            return integer(bits);
        }
        ensure(9);
        buf[len++] = (byte) 0xcf;
        putLong(bits);
        return this;
    }

    /**
     * Writes a str. A lone UTF-16 surrogate cannot be encoded and becomes {@code ?}, as in
     * {@link String#getBytes(java.nio.charset.Charset)}.
     *
     * @param s the text
     * @return this writer
     */
    public MsgPackWriter str(String s) {
        // Pure ASCII is the common case (keys, ids, JSON): copy it straight into place behind the header
        // its length implies, and only if a non-ASCII char turns up go through a UTF-8 byte array.
        int n = s.length();
        int header = n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
        ensure(5L + n); // room for the widest header too, so strHeader below never moves the array
        int at = len + header;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80) break;
            buf[at + i] = (byte) c;
            i++;
        }
        if (i == n) {
            strHeader(n); // writes exactly `header` bytes, in front of the copied text
            len += n;
            return this;
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        strHeader(utf8.length);
        return raw(utf8, 0, utf8.length);
    }

    /**
     * Writes a str header; the caller then writes {@code size} bytes of UTF-8 with {@link #raw}.
     *
     * @param size the payload's length
     * @return this writer
     */
    public MsgPackWriter strHeader(int size) {
        ensure(5);
        if (size < 32) {
            buf[len++] = (byte) (0xa0 | size);
        } else if (size < 256) {
            buf[len++] = (byte) 0xd9;
            buf[len++] = (byte) size;
        } else if (size < 65536) {
            buf[len++] = (byte) 0xda;
            putShort(size);
        } else {
            buf[len++] = (byte) 0xdb;
            putInt(size);
        }
        return this;
    }

    /**
     * Writes a bin.
     *
     * @param data the bytes
     * @return this writer
     */
    public MsgPackWriter bin(byte[] data) {
        return bin(data, 0, data.length);
    }

    /**
     * Writes {@code data[off, off+n)} as a bin.
     *
     * @param data the bytes
     * @param off where they start
     * @param n   how many
     * @return this writer
     */
    public MsgPackWriter bin(byte[] data, int off, int n) {
        binHeader(n);
        return raw(data, off, n);
    }

    /**
     * Writes a bin header; the caller then writes the {@code size} bytes with {@link #raw}.
     *
     * @param size the payload's length
     * @return this writer
     */
    public MsgPackWriter binHeader(int size) {
        ensure(5);
        if (size < 256) {
            buf[len++] = (byte) 0xc4;
            buf[len++] = (byte) size;
        } else if (size < 65536) {
            buf[len++] = (byte) 0xc5;
            putShort(size);
        } else {
            buf[len++] = (byte) 0xc6;
            putInt(size);
        }
        return this;
    }

    /**
     * Writes an array header; the caller then writes the elements.
     *
     * @param size the number of elements
     * @return this writer
     */
    public MsgPackWriter arrayHeader(int size) {
        ensure(5);
        if (size < 16) {
            buf[len++] = (byte) (0x90 | size);
        } else if (size < 65536) {
            buf[len++] = (byte) 0xdc;
            putShort(size);
        } else {
            buf[len++] = (byte) 0xdd;
            putInt(size);
        }
        return this;
    }

    /**
     * Writes a map header; the caller then writes keys and values, alternating.
     *
     * @param size the number of entries
     * @return this writer
     */
    public MsgPackWriter mapHeader(int size) {
        ensure(5);
        if (size < 16) {
            buf[len++] = (byte) (0x80 | size);
        } else if (size < 65536) {
            buf[len++] = (byte) 0xde;
            putShort(size);
        } else {
            buf[len++] = (byte) 0xdf;
            putInt(size);
        }
        return this;
    }

    /**
     * Writes a 64-bit float (only for generic values; the protocol itself has no floats).
     *
     * @param v the value
     * @return this writer
     */
    public MsgPackWriter float64(double v) {
        ensure(9);
        buf[len++] = (byte) 0xcb;
        putLong(Double.doubleToRawLongBits(v));
        return this;
    }

    /**
     * Writes a plain Java value: null, Boolean, Long/Integer/Short/Byte, Float/Double (as float64), String,
     * byte[], {@link MsgPackReader.Ext}, List, Object[] and Map. The inverse of {@link MsgPackReader#readValue()}.
     *
     * @param v the value
     * @return this writer
     * @throws IllegalArgumentException for any other type (BigInteger, Character, ...)
     */
    public MsgPackWriter value(Object v) {
        switch (v) {
            case null -> nil();
            case Boolean b -> bool(b);
            case Long l -> integer(l);
            case Integer i -> integer(i);
            case Short s -> integer(s);
            case Byte b -> integer(b);
            case Double d -> float64(d);
            case Float f -> float64(f);
            case String s -> str(s);
            case byte[] b -> bin(b);
            case MsgPackReader.Ext e -> ext(e.type(), e.data());
            case java.util.List<?> list -> {
                arrayHeader(list.size());
                for (Object o : list) value(o);
            }
            case Object[] array -> {
                arrayHeader(array.length);
                for (Object o : array) value(o);
            }
            case java.util.Map<?, ?> map -> {
                mapHeader(map.size());
                for (var e : map.entrySet()) {
                    value(e.getKey());
                    value(e.getValue());
                }
            }
            default -> throw new IllegalArgumentException("cannot encode " + v.getClass().getName());
        }
        return this;
    }

    /**
     * Writes an extension value.
     *
     * @param type the extension type
     * @param data its payload
     * @return this writer
     */
    public MsgPackWriter ext(int type, byte[] data) {
        int n = data.length;
        ensure(6);
        switch (n) {
            case 1 -> buf[len++] = (byte) 0xd4;
            case 2 -> buf[len++] = (byte) 0xd5;
            case 4 -> buf[len++] = (byte) 0xd6;
            case 8 -> buf[len++] = (byte) 0xd7;
            case 16 -> buf[len++] = (byte) 0xd8;
            default -> {
                if (n < 256) {
                    buf[len++] = (byte) 0xc7;
                    buf[len++] = (byte) n;
                } else if (n < 65536) {
                    buf[len++] = (byte) 0xc8;
                    putShort(n);
                } else {
                    buf[len++] = (byte) 0xc9;
                    putInt(n);
                }
            }
        }
        buf[len++] = (byte) type;
        return raw(data, 0, n);
    }

    /**
     * Appends already-encoded bytes.
     *
     * @param data the bytes
     * @param off  where they start
     * @param n    how many
     * @return this writer
     */
    public MsgPackWriter raw(byte[] data, int off, int n) {
        ensure(n);
        System.arraycopy(data, off, buf, len, n);
        len += n;
        return this;
    }

    /**
     * How much has been written.
     *
     * @return the number of bytes written since the last {@link #reset()}
     */
    public int size() {
        return len;
    }

    /**
     * The backing array; only the first {@link #size()} bytes are meaningful.
     *
     * @return the array (not a copy)
     */
    public byte[] array() {
        return buf;
    }

    /**
     * What has been written, as its own array.
     *
     * @return a copy of the first {@link #size()} bytes
     */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /**
     * Empties the writer, keeping its buffer for the next message.
     */
    public void reset() {
        len = 0;
    }

    private void putShort(int v) {
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void putInt(int v) {
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void putLong(long v) {
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private static final int MAX_SIZE = Integer.MAX_VALUE - 8; // the largest array every JVM will allocate

    private void ensure(long extra) {
        long need = len + extra; // long: len + a large payload must not wrap around and pass the check
        if (need > buf.length) {
            if (need > MAX_SIZE) {
                throw new IllegalStateException("MessagePack value too large: " + need + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max(2L * buf.length, need), MAX_SIZE));
        }
    }
}
