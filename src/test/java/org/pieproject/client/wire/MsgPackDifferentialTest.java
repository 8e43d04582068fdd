package org.pieproject.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pieproject.client.wire.WireTestSupport.canon;
import static org.pieproject.client.wire.WireTestSupport.hexHead;
import static org.pieproject.client.wire.WireTestSupport.oracleBytes;
import static org.pieproject.client.wire.WireTestSupport.oracleRead;
import static org.pieproject.client.wire.WireTestSupport.ours;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Our codec against msgpack-core, the reference implementation, on seeded random values of every type the
 * protocol uses. Both encoders must pick the same (smallest) form, so the bytes are compared exactly. A
 * failure names the seed; rerun with {@code -Dpie.seed=<seed>} to reproduce it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MsgPackDifferentialTest {
    private static final long SEED = WireTestSupport.seed(0x5EED_C0DECL);
    private static final int VALUES = 20_000;

    @Test
    @DisplayName("20,000 random values: our bytes == msgpack-core's bytes, and msgpack-core decodes ours")
    void ourEncodingMatchesTheReference() {
        Random rnd = new Random(SEED);
        RandomValues gen = new RandomValues(rnd, false, true);
        for (int i = 0; i < VALUES; i++) {
            Object v = gen.value(4);
            byte[] ours = ours(v);
            byte[] theirs = oracleBytes(v);
            String where = "seed=" + SEED + " value #" + i + " ours=" + hexHead(ours, 64);
            assertThat(ours).as(where).isEqualTo(theirs);
            var read = oracleRead(ours);
            assertThat(read.value()).as(where).isEqualTo(canon(v));
            assertThat(read.consumed()).as(where).isEqualTo(ours.length);
        }
    }

    @Test
    @DisplayName("20,000 random values packed by msgpack-core (float32 included) read back by MsgPackReader")
    void weReadTheReferenceEncoding() {
        Random rnd = new Random(SEED + 1);
        RandomValues gen = new RandomValues(rnd, true, true);
        for (int i = 0; i < VALUES; i++) {
            Object v = gen.value(4);
            byte[] theirs = oracleBytes(v);
            String where = "seed=" + SEED + " value #" + i + " bytes=" + hexHead(theirs, 64);
            MsgPackReader r = new MsgPackReader(theirs);
            assertThat(canon(r.readValue())).as(where).isEqualTo(canon(v));
            assertThat(r.position()).as(where).isEqualTo(theirs.length);
            assertThat(r.hasMore()).as(where).isFalse();
        }
    }

    @Test
    @DisplayName("every integer edge and every length edge encodes in the smallest form, as msgpack-core does")
    void edgesMatchExactly() {
        RandomValues gen = new RandomValues(new Random(SEED), false, false);
        List<Object> values = new ArrayList<>();
        for (long v : RandomValues.INT_EDGES) values.add(v);
        for (int[] lengths : new int[][] {RandomValues.SMALL_LENGTHS, RandomValues.LARGE_LENGTHS}) {
            for (int n : lengths) {
                values.add(gen.string(n));
                values.add("é".repeat(n / 2)); // two bytes per char: the length in bytes must count, not chars
                values.add(gen.binary(n));
            }
        }
        for (int n : new int[] {0, 15, 16, 65535, 65536}) {
            values.add(new ArrayList<>(java.util.Collections.nCopies(n, 1L)));
            Map<Object, Object> m = new java.util.LinkedHashMap<>();
            for (long k = 0; k < n; k++) m.put(k, null);
            values.add(m);
        }
        for (Object v : values) {
            byte[] ours = ours(v);
            assertThat(ours).as("value %s", hexHead(ours, 16)).isEqualTo(oracleBytes(v));
            MsgPackReader r = new MsgPackReader(ours);
            assertThat(canon(r.readValue())).isEqualTo(canon(v));
            assertThat(r.hasMore()).isFalse();
        }
        // Spot-check the exact headers, so the comparison above cannot pass by both sides being wrong.
        assertThat(WireTestSupport.hex(ours(127L))).isEqualTo("7f");
        assertThat(WireTestSupport.hex(ours(128L))).isEqualTo("cc80");
        assertThat(WireTestSupport.hex(ours(65536L))).isEqualTo("ce00010000");
        assertThat(WireTestSupport.hex(ours(0x1_0000_0000L))).isEqualTo("cf0000000100000000");
        assertThat(WireTestSupport.hex(ours(-33L))).isEqualTo("d0df");
        assertThat(WireTestSupport.hex(ours(Long.MIN_VALUE))).isEqualTo("d38000000000000000");
        assertThat(WireTestSupport.hex(ours("x".repeat(32)))).startsWith("d920");
        assertThat(WireTestSupport.hex(ours(new byte[0]))).isEqualTo("c400");
    }

    /**
     * Values in forms our writer never produces (every wider integer form, str8 for short strings, the
     * 32-bit headers for small containers, ...): both decoders must read the same value from the same bytes.
     */
    @Test
    @DisplayName("20,000 random values in random non-minimal forms: MsgPackReader and msgpack-core agree")
    void nonMinimalFormsDecodeAlike() {
        Random rnd = new Random(SEED + 2);
        RandomValues gen = new RandomValues(rnd, false, true);
        for (int i = 0; i < VALUES; i++) {
            Object v = gen.value(3);
            byte[] wide = LooseEncoder.encode(v, rnd);
            String where = "seed=" + SEED + " value #" + i + " bytes=" + hexHead(wide, 64);
            MsgPackReader r = new MsgPackReader(wide);
            Object ourValue = canon(r.readValue());
            assertThat(r.position()).as(where).isEqualTo(wide.length);
            var theirs = oracleRead(wide);
            assertThat(ourValue).as(where).isEqualTo(theirs.value()).isEqualTo(canon(v));
            MsgPackReader s = new MsgPackReader(wide);
            s.skipValue();
            assertThat(s.position()).as(where).isEqualTo(wide.length);
        }
    }

    @Test
    @DisplayName("skipValue consumes exactly one value: 20,000 values from msgpack-core incl. ext, timestamps, floats, uint64")
    void skipValueStopsAtEachBoundary() throws IOException {
        Random rnd = new Random(SEED + 3);
        RandomValues gen = new RandomValues(rnd, true, true);
        List<Long> ends = new ArrayList<>();
        byte[] stream;
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            for (int i = 0; i < VALUES; i++) {
                switch (rnd.nextInt(10)) {
                    case 0 -> p.packTimestamp(Instant.ofEpochSecond(rnd.nextLong(-(1L << 40), 1L << 40), rnd.nextInt(1_000_000_000)));
                    case 1 -> p.packBigInteger(BigInteger.ONE.shiftLeft(63).add(BigInteger.valueOf(rnd.nextLong() >>> 1)));
                    case 2 -> p.packFloat(rnd.nextFloat());
                    case 3 -> p.packDouble(rnd.nextDouble());
                    default -> WireTestSupport.packWithOracle(p, gen.value(3));
                }
                ends.add(p.getTotalWrittenBytes());
            }
            stream = p.toByteArray();
        }
        MsgPackReader r = new MsgPackReader(stream);
        for (int i = 0; i < ends.size(); i++) {
            r.skipValue();
            assertThat((long) r.position()).as("seed=%d value #%d", SEED, i).isEqualTo(ends.get(i));
        }
        assertThat(r.hasMore()).isFalse();
    }

    @Test
    @DisplayName("writer details: Object[] is an array, a lone surrogate becomes '?', reused writers, unknown types refused")
    void writerDetails() {
        assertThat(ours(new Object[] {1L, "a", null})).isEqualTo(ours(java.util.Arrays.asList(1L, "a", null)));
        assertThat(ours("a\uD800b")).isEqualTo(ours("a?b")).isEqualTo(oracleBytes("a\uD800b"));
        MsgPackWriter w = new MsgPackWriter(1);
        String longAscii = "k".repeat(70_000);
        w.str("é").str(longAscii).str("x".repeat(31)).str("y".repeat(32));
        byte[] once = w.toByteArray();
        w.reset();
        w.str("é").str(longAscii).str("x".repeat(31)).str("y".repeat(32));
        assertThat(w.toByteArray()).isEqualTo(once);
        MsgPackReader r = new MsgPackReader(once);
        assertThat(List.of(r.readString(), r.readString(), r.readString(), r.readString()))
                .containsExactly("é", longAscii, "x".repeat(31), "y".repeat(32));
        assertThat(r.hasMore()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ours(BigInteger.ONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("readValue keeps bin map keys as bin and refuses a key given twice")
    void mapKeys() {
        byte[] binKey = WireTestSupport.hex("81 c4 02 c8 c1 01");
        Object v = new MsgPackReader(binKey).readValue();
        assertThat(canon(v)).isEqualTo(oracleRead(binKey).value());
        assertThat(ours(v)).isEqualTo(binKey);
        byte[] strAndBin = WireTestSupport.hex("82 a1 61 01 c4 01 61 02"); // "a" and bin "a" are different keys
        assertThat(((Map<?, ?>) new MsgPackReader(strAndBin).readValue())).hasSize(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MsgPackReader(WireTestSupport.hex("82 a1 61 01 a1 61 02")).readValue())
                .isExactlyInstanceOf(MsgPackException.class).hasMessageContaining("duplicate");
    }

    @Test
    @DisplayName("deep nesting within the limit round-trips both ways")
    void deepNestingWithinLimit() {
        Object v = RandomValues.nested(500, "leaf");
        byte[] ours = ours(v);
        assertThat(ours).isEqualTo(oracleBytes(v));
        assertThat(canon(new MsgPackReader(ours).readValue())).isEqualTo(canon(v));
    }
}
