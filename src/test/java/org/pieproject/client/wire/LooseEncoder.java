package org.pieproject.client.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Encodes a plain Java value choosing at random among all the valid MessagePack forms for it, not only
 * the smallest: other encoders (and a future engine) may use any of them, and a reader must take them all.
 */
final class LooseEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Random rnd;

    private LooseEncoder(Random rnd) {
        this.rnd = rnd;
    }

    static byte[] encode(Object v, Random rnd) {
        LooseEncoder e = new LooseEncoder(rnd);
        e.value(v);
        return e.out.toByteArray();
    }

    private void value(Object v) {
        switch (v) {
            case null -> out.write(0xc0);
            case Boolean b -> out.write(b ? 0xc3 : 0xc2);
            case Long l -> integer(l);
            case Double d -> floating(d);
            case String s -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                header(b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
                out.writeBytes(b);
            }
            case byte[] b -> {
                header(b.length, -1, -1, 0xc4, 0xc5, 0xc6);
                out.writeBytes(b);
            }
            case MsgPackReader.Ext e -> ext(e);
            case List<?> list -> {
                header(list.size(), 0x90, 15, -1, 0xdc, 0xdd);
                for (Object o : list) value(o);
            }
            case Map<?, ?> map -> {
                header(map.size(), 0x80, 15, -1, 0xde, 0xdf);
                for (var e : map.entrySet()) {
                    value(e.getKey());
                    value(e.getValue());
                }
            }
            default -> throw new IllegalArgumentException("cannot encode " + v.getClass());
        }
    }

    /** Picks one of the header forms wide enough for {@code n}; -1 marks a form the type does not have. */
    private void header(int n, int fix, int fixMax, int h8, int h16, int h32) {
        List<Integer> forms = new ArrayList<>(4);
        if (fix >= 0 && n <= fixMax) forms.add(0);
        if (h8 >= 0 && n < 256) forms.add(8);
        if (n < 65536) forms.add(16);
        forms.add(32);
        switch (forms.get(rnd.nextInt(forms.size()))) {
            case 0 -> out.write(fix | n);
            case 8 -> { out.write(h8); out.write(n); }
            case 16 -> { out.write(h16); be(n, 2); }
            default -> { out.write(h32); be(n, 4); }
        }
    }

    private void integer(long v) {
        List<Integer> forms = new ArrayList<>(10);
        if (v >= 0 && v <= 127) forms.add(0x00);
        if (v >= -32 && v < 0) forms.add(0xe0);
        if (v >= 0 && v <= 0xff) forms.add(0xcc);
        if (v >= 0 && v <= 0xffff) forms.add(0xcd);
        if (v >= 0 && v <= 0xffff_ffffL) forms.add(0xce);
        if (v >= 0) forms.add(0xcf);
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) forms.add(0xd0);
        if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) forms.add(0xd1);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) forms.add(0xd2);
        forms.add(0xd3);
        int f = forms.get(rnd.nextInt(forms.size()));
        switch (f) {
            case 0x00, 0xe0 -> out.write((int) v & 0xff);
            case 0xcc, 0xd0 -> { out.write(f); be(v, 1); }
            case 0xcd, 0xd1 -> { out.write(f); be(v, 2); }
            case 0xce, 0xd2 -> { out.write(f); be(v, 4); }
            default -> { out.write(f); be(v, 8); }
        }
    }

    private void floating(double d) {
        float f = (float) d;
        if (Double.doubleToRawLongBits(f) == Double.doubleToRawLongBits(d) && rnd.nextBoolean()) {
            out.write(0xca);
            be(Float.floatToRawIntBits(f), 4);
        } else {
            out.write(0xcb);
            be(Double.doubleToRawLongBits(d), 8);
        }
    }

    private void ext(MsgPackReader.Ext e) {
        int n = e.data().length;
        int fixed = switch (n) {
            case 1 -> 0xd4;
            case 2 -> 0xd5;
            case 4 -> 0xd6;
            case 8 -> 0xd7;
            case 16 -> 0xd8;
            default -> -1;
        };
        if (fixed >= 0 && rnd.nextBoolean()) {
            out.write(fixed);
        } else {
            header(n, -1, -1, 0xc7, 0xc8, 0xc9);
        }
        out.write(e.type() & 0xff);
        out.writeBytes(e.data());
    }

    private void be(long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) out.write((int) (v >>> (8 * i)) & 0xff);
    }
}
