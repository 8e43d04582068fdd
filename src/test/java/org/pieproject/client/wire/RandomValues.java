package org.pieproject.client.wire;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random MessagePack values as plain Java objects, biased towards the edges where a codec goes
 * wrong: every integer width and its boundaries, str/bin lengths on both sides of each header change,
 * multi-byte UTF-8, empty and nested containers.
 */
final class RandomValues {
    /** Integers on and next to every boundary between MessagePack integer forms. */
    static final long[] INT_EDGES = {
        0, 1, 31, 32, 126, 127, 128, 129, 254, 255, 256, 257, 32767, 32768, 65534, 65535, 65536, 65537,
        0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFEL, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x1_0000_0001L,
        Long.MAX_VALUE - 1, Long.MAX_VALUE,
        -1, -2, -31, -32, -33, -127, -128, -129, -255, -256, -32767, -32768, -32769, -65535, -65536,
        Integer.MIN_VALUE + 1L, Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, -0xFFFF_FFFFL, -0x1_0000_0000L,
        Long.MIN_VALUE + 1, Long.MIN_VALUE,
    };

    /** Byte lengths on both sides of each str/bin/container header change. */
    static final int[] SMALL_LENGTHS = {0, 1, 2, 15, 16, 17, 30, 31, 32, 33, 254, 255, 256, 257};
    static final int[] LARGE_LENGTHS = {65534, 65535, 65536, 65537};

    private static final String[] MULTI_BYTE = {"é", "ß", "Ж", "€", "中", "한", "\uFFFD", "😀", "𝄞", "\u0800", "\u07FF"};

    private final Random rnd;
    private final boolean float32;
    private final boolean ext;

    /**
     * @param float32 whether Float values may appear (msgpack-core packs them as float32; our writer has
     *                only float64, so byte-for-byte comparisons must leave them out)
     * @param ext     whether ext values may appear
     */
    RandomValues(Random rnd, boolean float32, boolean ext) {
        this.rnd = rnd;
        this.float32 = float32;
        this.ext = ext;
    }

    /** A value nested at most {@code depth} containers deep. */
    Object value(int depth) {
        return value(depth, false);
    }

    /** {@code small}: short strings and bins only, for the elements of a 65536-entry container. */
    private Object value(int depth, boolean small) {
        int pick = rnd.nextInt(depth <= 0 ? 80 : 100);
        if (pick < 6) return null;
        if (pick < 12) return rnd.nextBoolean();
        if (pick < 40) return integer();
        if (pick < 55) return string(small ? rnd.nextInt(40) : length());
        if (pick < 67) return binary(small ? rnd.nextInt(40) : length());
        if (pick < 73) return floating();
        if (pick < 80) return ext ? extValue() : integer();
        if (pick < 90) return array(depth - 1);
        return map(depth - 1);
    }

    long integer() {
        return switch (rnd.nextInt(4)) {
            case 0, 1 -> INT_EDGES[rnd.nextInt(INT_EDGES.length)];
            case 2 -> rnd.nextLong() >> rnd.nextInt(64); // every magnitude, both signs
            default -> rnd.nextInt(256) - 64; // fixints and their neighbours
        };
    }

    int length() {
        int p = rnd.nextInt(2000);
        if (p < 2) return LARGE_LENGTHS[rnd.nextInt(LARGE_LENGTHS.length)]; // rare: they dominate the run time
        if (p < 1000) return SMALL_LENGTHS[rnd.nextInt(SMALL_LENGTHS.length)];
        return rnd.nextInt(40);
    }

    /** A string whose UTF-8 form is exactly {@code utf8Length} bytes, with multi-byte characters half the time. */
    String string(int utf8Length) {
        StringBuilder sb = new StringBuilder(utf8Length);
        boolean multi = rnd.nextBoolean();
        int bytes = 0;
        while (bytes < utf8Length) {
            String piece;
            if (multi && rnd.nextInt(3) == 0) {
                piece = MULTI_BYTE[rnd.nextInt(MULTI_BYTE.length)];
                int n = piece.getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > utf8Length) piece = "x";
            } else {
                piece = String.valueOf((char) (0x20 + rnd.nextInt(0x5f)));
            }
            sb.append(piece);
            bytes += piece.getBytes(StandardCharsets.UTF_8).length;
        }
        return sb.toString();
    }

    byte[] binary(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    Object floating() {
        double d = switch (rnd.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> -0.0;
            case 2 -> Double.NaN;
            case 3 -> rnd.nextBoolean() ? Double.POSITIVE_INFINITY : Double.MIN_VALUE;
            default -> Double.longBitsToDouble(rnd.nextLong());
        };
        if (float32 && rnd.nextBoolean()) return (float) d;
        return d;
    }

    MsgPackReader.Ext extValue() {
        int type;
        do {
            type = rnd.nextInt(256) - 128;
        } while (type == -1); // -1 is the timestamp type, which msgpack-core parses and would refuse at random
        int[] sizes = {0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 255, 256, 300};
        return new MsgPackReader.Ext(type, binary(sizes[rnd.nextInt(sizes.length)]));
    }

    List<Object> array(int depth) {
        int n = containerSize();
        List<Object> list = new ArrayList<>(n);
        boolean big = n > 100;
        for (int i = 0; i < n; i++) list.add(big ? value(0, true) : value(depth, false));
        return list;
    }

    Map<Object, Object> map(int depth) {
        int n = containerSize();
        Map<Object, Object> map = new LinkedHashMap<>();
        Set<String> binKeys = new HashSet<>();
        for (int i = 0; map.size() < n && i < 4 * n; i++) {
            Object k = switch (rnd.nextInt(8)) {
                case 0 -> integer();
                case 1 -> binary(rnd.nextInt(4));
                case 2 -> rnd.nextBoolean() ? null : rnd.nextBoolean();
                default -> string(rnd.nextInt(12));
            };
            // byte[] keys are compared by identity in a Map, so keep their contents distinct by hand:
            // a duplicate key is not a value the codec must reproduce.
            if (k instanceof byte[] b && !binKeys.add(WireTestSupport.hex(b))) continue;
            if (map.containsKey(k)) continue;
            map.put(k, n > 100 ? value(0, true) : value(depth, false));
        }
        return map;
    }

    private int containerSize() {
        int p = rnd.nextInt(4000);
        if (p < 1) return 65536; // one past the 16-bit header; rare, as it dominates the run time
        if (p < 800) return new int[] {0, 1, 15, 16, 17}[rnd.nextInt(5)];
        return rnd.nextInt(6);
    }

    /** {@code levels} arrays nested inside one another, innermost holding {@code leaf}. */
    static Object nested(int levels, Object leaf) {
        Object v = leaf;
        for (int i = 0; i < levels; i++) {
            List<Object> l = new ArrayList<>(1);
            l.add(v);
            v = l;
        }
        return v;
    }
}
