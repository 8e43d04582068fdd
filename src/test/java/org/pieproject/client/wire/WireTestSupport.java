package org.pieproject.client.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageStringCodingException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ExtensionValue;
import org.msgpack.value.IntegerValue;
import org.msgpack.value.Value;

/**
 * Shared by the codec tests: hex helpers, and a canonical form into which both our plain Java values and
 * msgpack-core's {@link Value}s are converted, so that two decoders can be compared with one
 * {@code equals} (byte arrays by content, maps as ordered key/value pairs so that bin keys and key order
 * are compared too).
 */
final class WireTestSupport {
    private WireTestSupport() {}

    static final HexFormat HEX = HexFormat.of();

    /** A bin value, compared by content. */
    record Bin(String hex) {}

    /** An ext value, compared by type and content. */
    record ExtV(int type, String hex) {}

    /** A str that is not valid UTF-8, as msgpack-core reads it (our reader refuses such). */
    record BadStr(String hex) {}

    /** A map as its entries in wire order. */
    record MapV(List<List<Object>> entries) {}

    /** Parses hex written with any separators ("82 a4", "c4-00", "82a4"). */
    static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("[^0-9a-fA-F]", ""));
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static String hexHead(byte[] b, int max) {
        return b.length <= max ? hex(b) : HEX.formatHex(b, 0, max) + "...(" + b.length + " bytes)";
    }

    /** The canonical form of a value as {@link MsgPackReader#readValue()} returns or the writer takes it. */
    static Object canon(Object v) {
        return switch (v) {
            case null -> null;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValueExact() : b;
            case Float f -> (double) f;
            case Double d -> d;
            case String s -> s;
            case byte[] b -> new Bin(hex(b));
            case MsgPackReader.Ext e -> new ExtV(e.type(), hex(e.data()));
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) out.add(canon(o));
                yield out;
            }
            case Map<?, ?> map -> {
                List<List<Object>> out = new ArrayList<>(map.size());
                for (var e : map.entrySet()) out.add(pair(canon(e.getKey()), canon(e.getValue())));
                yield new MapV(out);
            }
            default -> throw new IllegalArgumentException("no canonical form for " + v.getClass());
        };
    }

    /** The canonical form of a msgpack-core value. */
    static Object canon(Value v) {
        return switch (v.getValueType()) {
            case NIL -> null;
            case BOOLEAN -> v.asBooleanValue().getBoolean();
            case INTEGER -> {
                IntegerValue i = v.asIntegerValue();
                yield i.isInLongRange() ? (Object) i.toLong() : i.toBigInteger();
            }
            case FLOAT -> v.asFloatValue().toDouble();
            case STRING -> {
                try {
                    yield v.asStringValue().asString();
                } catch (MessageStringCodingException e) {
                    yield new BadStr(hex(v.asStringValue().asByteArray())); // we refuse these; keep them comparable
                }
            }
            case BINARY -> new Bin(hex(v.asBinaryValue().asByteArray()));
            case ARRAY -> {
                List<Object> out = new ArrayList<>();
                for (Value e : v.asArrayValue()) out.add(canon(e));
                yield out;
            }
            case MAP -> {
                Value[] kv = v.asMapValue().getKeyValueArray();
                List<List<Object>> out = new ArrayList<>(kv.length / 2);
                for (int i = 0; i < kv.length; i += 2) out.add(pair(canon(kv[i]), canon(kv[i + 1])));
                yield new MapV(out);
            }
            case EXTENSION -> {
                ExtensionValue e = v.asExtensionValue();
                yield new ExtV(e.getType(), hex(e.getData()));
            }
        };
    }

    private static List<Object> pair(Object k, Object v) {
        List<Object> p = new ArrayList<>(2); // List.of refuses the nulls a nil key or value gives
        p.add(k);
        p.add(v);
        return p;
    }

    /** Packs a plain Java value with msgpack-core, the reference implementation. */
    static void packWithOracle(MessagePacker p, Object v) {
        try {
            switch (v) {
                case null -> p.packNil();
                case Boolean b -> p.packBoolean(b);
                case Long l -> p.packLong(l);
                case Integer i -> p.packLong(i);
                case BigInteger b -> p.packBigInteger(b);
                case Float f -> p.packFloat(f);
                case Double d -> p.packDouble(d);
                case String s -> p.packString(s);
                case byte[] b -> p.packBinaryHeader(b.length).writePayload(b);
                case MsgPackReader.Ext e -> p.packExtensionTypeHeader((byte) e.type(), e.data().length).writePayload(e.data());
                case List<?> list -> {
                    p.packArrayHeader(list.size());
                    for (Object o : list) packWithOracle(p, o);
                }
                case Map<?, ?> map -> {
                    p.packMapHeader(map.size());
                    for (var e : map.entrySet()) {
                        packWithOracle(p, e.getKey());
                        packWithOracle(p, e.getValue());
                    }
                }
                default -> throw new IllegalArgumentException("cannot pack " + v.getClass());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] oracleBytes(Object v) {
        try (var p = MessagePack.newDefaultBufferPacker()) {
            packWithOracle(p, v);
            return p.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes the first value with msgpack-core; returns its canonical form and how many bytes it used. */
    record OracleRead(Object value, long consumed) {}

    static OracleRead oracleRead(byte[] b) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(b)) {
            Value v = u.unpackValue();
            return new OracleRead(canon(v), u.getTotalReadBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] ours(Object v) {
        return new MsgPackWriter().value(v).toByteArray();
    }

    /** A seed for a randomised test: -Dpie.seed=N reproduces a failing run. */
    static long seed(long fallback) {
        String s = System.getProperty("pie.seed");
        return s == null || s.isBlank() ? fallback : Long.decode(s.trim());
    }
}
