package org.pieproject.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.pieproject.client.wire.WireTestSupport.canon;
import static org.pieproject.client.wire.WireTestSupport.hexHead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and random bytes: decoding either succeeds or throws {@link MsgPackException}; never another
 * exception, an error, a hang or a huge allocation. Where our reader accepts a value, msgpack-core must
 * read the same value from the same bytes. A failure names the seed; rerun with {@code -Dpie.seed=<seed>}.
 */
class MsgPackFuzzTest {
    private static final long SEED = WireTestSupport.seed(0xF022_BEEFL);
    private static final int CASES = 200_000;

    /** Why readValue may refuse what msgpack-core takes: strict UTF-8, no uint64 above long, a depth cap, no duplicate keys. */
    private static final List<String> ALLOWED_STRICTER = List.of("UTF-8", "uint64", "nesting", "duplicate");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    @DisplayName("200,000 mutated and random inputs: decode/readValue/skipValue return or throw MsgPackException, and agree with msgpack-core")
    void mutatedInputs() {
        Random rnd = new Random(SEED);
        List<byte[]> messages = new ArrayList<>();
        for (ServerMessage m : WireMessagesTest.serverSamples()) messages.add(m.encode());
        messages.add(WireMessagesTest.ENGINE_PONG);
        List<byte[]> values = seedValues(rnd);
        int accepted = 0;
        int decodedMessages = 0;
        for (int i = 0; i < CASES; i++) {
            List<byte[]> seeds = rnd.nextInt(3) == 0 ? values : messages;
            byte[] input = switch (rnd.nextInt(10)) {
                case 0 -> randomBytes(rnd);
                case 1 -> Arrays.copyOf(seeds.get(rnd.nextInt(seeds.size())), rnd.nextInt(64));
                default -> mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            };
            int caseNo = i;
            Supplier<String> where = () -> "seed=" + SEED + " case #" + caseNo + " input=" + hexHead(input, 200);
            try {
                if (checkOne(input, where)) accepted++;
                ServerMessage.decode(input);
                decodedMessages++;
            } catch (MsgPackException expected) {
                // the one permitted way to refuse
            } catch (Throwable t) {
                throw new AssertionError(where.get() + ": " + t, t);
            }
        }
        // The mutations must leave a good share valid, or this would only be testing the first byte.
        assertThat(accepted).as("seed=%d inputs readValue accepted", SEED).isGreaterThan(CASES / 20);
        assertThat(decodedMessages).as("seed=%d inputs decoded as messages", SEED).isGreaterThan(CASES / 50);
    }

    /**
     * Runs skipValue and readValue on one input and cross-checks them with each other and with msgpack-core.
     * Returns whether readValue accepted it. Plain checks, not AssertJ, and the description is built only on
     * failure: this runs 200,000 times.
     */
    private static boolean checkOne(byte[] input, Supplier<String> where) {
        MsgPackReader skipper = new MsgPackReader(input);
        int skipEnd;
        try {
            skipper.skipValue();
            skipEnd = skipper.position();
        } catch (MsgPackException e) {
            // If skipping fails the value is incomplete or has a reserved byte: reading must fail too.
            try {
                new MsgPackReader(input).readValue();
            } catch (MsgPackException expected) {
                return false;
            }
            throw new AssertionError("readValue took what skipValue refused (" + e.getMessage() + "): " + where.get());
        }
        MsgPackReader reader = new MsgPackReader(input);
        Object ours;
        try {
            ours = reader.readValue();
        } catch (MsgPackException e) {
            // Allowed only where the protocol is stricter than the bare format, which skipValue checks.
            if (ALLOWED_STRICTER.stream().noneMatch(reason -> e.getMessage().contains(reason))) {
                throw new AssertionError("readValue refused (" + e.getMessage() + ") what skipValue took: " + where.get());
            }
            return false;
        }
        if (reader.position() != skipEnd) {
            throw new AssertionError("readValue ended at " + reader.position() + ", skipValue at " + skipEnd + ": " + where.get());
        }
        // Skipping succeeded, so every declared length fits the input: msgpack-core cannot be made to allocate
        // more than the input's size and is safe to run as the oracle. It parses timestamps (ext -1) itself,
        // refusing bad ones and normalising good ones, so values holding one are compared by length only.
        WireTestSupport.OracleRead theirs;
        try {
            theirs = WireTestSupport.oracleRead(input);
        } catch (RuntimeException e) {
            if (!hasTimestamp(ours)) throw new AssertionError("msgpack-core refused (" + e + ") what we read: " + where.get());
            return true;
        }
        if (theirs.consumed() != skipEnd) {
            throw new AssertionError("msgpack-core ended at " + theirs.consumed() + ", skipValue at " + skipEnd + ": " + where.get());
        }
        if (!hasTimestamp(ours) && !java.util.Objects.equals(canon(ours), theirs.value())) {
            assertThat(canon(ours)).as(where).isEqualTo(theirs.value()); // for AssertJ's readable difference
        }
        return true;
    }

    private static boolean hasTimestamp(Object v) {
        return switch (v) {
            case MsgPackReader.Ext e -> e.type() == -1;
            case List<?> l -> l.stream().anyMatch(MsgPackFuzzTest::hasTimestamp);
            case java.util.Map<?, ?> m -> m.entrySet().stream().anyMatch(e -> hasTimestamp(e.getKey()) || hasTimestamp(e.getValue()));
            case null, default -> false;
        };
    }

    private static List<byte[]> seedValues(Random rnd) {
        List<byte[]> seeds = new ArrayList<>();
        RandomValues gen = new RandomValues(rnd, true, true);
        for (int i = 0; i < 40; i++) {
            byte[] v = WireTestSupport.oracleBytes(gen.value(3));
            if (v.length < 2000) seeds.add(v);
        }
        return seeds;
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] b = new byte[rnd.nextInt(48)];
        rnd.nextBytes(b);
        return b;
    }

    /** Headers that lie about their size or nest, spliced into otherwise valid messages. */
    private static final byte[][] HOSTILE = {
        {(byte) 0xdd, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0xdf, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0xdb, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0xc6, (byte) 0x80, 0, 0, 0},
        {(byte) 0xc9, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1},
        {(byte) 0xdc, (byte) 0xff, (byte) 0xff},
        {(byte) 0xde, (byte) 0xff, (byte) 0xff},
        {(byte) 0xcf, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
        {(byte) 0x91, (byte) 0x91, (byte) 0x91, (byte) 0x91},
        {(byte) 0xc1},
        {(byte) 0xa3, (byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a UTF-16 surrogate written as UTF-8
    };

    private static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] = (byte) rnd.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> b[at] = (byte) (b[at] + (rnd.nextBoolean() ? 1 : -1)); // lengths off by one
                case 3 -> b = Arrays.copyOf(b, at); // truncate
                case 4 -> b = splice(b, at, HOSTILE[rnd.nextInt(HOSTILE.length)]);
                default -> {
                    byte[] junk = new byte[1 + rnd.nextInt(4)];
                    rnd.nextBytes(junk);
                    b = splice(b, at, junk);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, byte[] insert) {
        byte[] out = new byte[b.length + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at, out, at + insert.length, b.length - at);
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Hand-made hostile inputs

    private static void refusedEverywhere(String what, byte[] input) {
        assertThatThrownBy(() -> new MsgPackReader(input).readValue()).as(what).isExactlyInstanceOf(MsgPackException.class);
        assertThatThrownBy(() -> new MsgPackReader(input).skipValue()).as(what).isExactlyInstanceOf(MsgPackException.class);
        assertThatThrownBy(() -> ServerMessage.decode(input)).as(what).isExactlyInstanceOf(MsgPackException.class);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DisplayName("headers declaring 2^32-1 entries or bytes are refused before any allocation")
    void hugeDeclaredSizes() {
        for (String h : List.of("dd ffffffff", "df ffffffff", "db ffffffff", "c6 ffffffff", "c9 ffffffff 01",
                "dd 7fffffff", "df 80000000", "dc ffff", "de ffff", "da ffff", "c5 ffff", "c8 ffff 01")) {
            byte[] input = WireTestSupport.hex(h + " 00 00 00 00");
            refusedEverywhere(h, input);
            byte[] inMessage = WireTestSupport.hex("82 a4 74797065 a4 70696e67 a1 78 " + h + " 00 00");
            refusedEverywhere("inside a message: " + h, inMessage);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DisplayName("100,000 nested arrays: skipValue walks them without recursion, readValue stops at its depth cap")
    void deepNesting() {
        int levels = 100_000;
        byte[] deep = new byte[levels + 1];
        Arrays.fill(deep, (byte) 0x91);
        deep[levels] = (byte) 0xc0;
        MsgPackReader s = new MsgPackReader(deep);
        s.skipValue();
        assertThat(s.position()).isEqualTo(deep.length);
        assertThatThrownBy(() -> new MsgPackReader(deep).readValue()).isExactlyInstanceOf(MsgPackException.class)
                .hasMessageContaining("nesting");
        assertThatThrownBy(() -> ServerMessage.decode(deep)).isExactlyInstanceOf(MsgPackException.class);
        // Truncated: the innermost value is missing.
        byte[] cut = Arrays.copyOf(deep, levels);
        assertThatThrownBy(() -> new MsgPackReader(cut).skipValue()).isExactlyInstanceOf(MsgPackException.class);
        // Nested maps as the value of an unknown key of a real message: skipped, message decoded.
        MsgPackWriter w = new MsgPackWriter().mapHeader(5).str("type").str("response").str("deep");
        for (int i = 0; i < levels; i++) w.mapHeader(1).str("k");
        w.nil().str("corr_id").integer(1).str("ok").bool(true).str("result").str("r");
        assertThat(ServerMessage.decode(w.toByteArray())).isEqualTo(new ServerMessage.Response(1, true, "r"));
    }

    /**
     * Every level of nesting declares as many entries as there are bytes left. Sizing each list by its
     * declared count would keep hundreds of multi-megabyte arrays alive at once.
     */
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    @DisplayName("nested array32 headers claiming all remaining bytes do not multiply memory")
    void nestedCountsDoNotAmplify() {
        int levels = 500;
        int size = 4 * 1024 * 1024;
        byte[] b = new byte[size];
        int p = 0;
        for (int i = 0; i < levels; i++) {
            int left = size - p - 5;
            b[p++] = (byte) 0xdd;
            b[p++] = (byte) (left >>> 24);
            b[p++] = (byte) (left >>> 16);
            b[p++] = (byte) (left >>> 8);
            b[p++] = (byte) left;
        }
        Arrays.fill(b, p, size, (byte) 0xc0);
        assertThatThrownBy(() -> new MsgPackReader(b).readValue()).isExactlyInstanceOf(MsgPackException.class);
        assertThatThrownBy(() -> new MsgPackReader(b).skipValue()).isExactlyInstanceOf(MsgPackException.class);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DisplayName("strict UTF-8: overlong, surrogate, out-of-range and cut sequences are refused; valid ones read")
    void strictUtf8() {
        for (String bad : List.of("c0 80", "c1 bf", "e0 80 80", "ed a0 80", "ed bf bf", "f4 90 80 80", "f5 80 80 80",
                "ff", "80", "e2 82", "f0 9f 98", "c3 28", "e2 28 a1", "f8 88 80 80 80")) {
            byte[] s = WireTestSupport.hex(bad);
            byte[] input = new MsgPackWriter().strHeader(s.length).raw(s, 0, s.length).toByteArray();
            assertThatThrownBy(() -> new MsgPackReader(input).readString()).as(bad)
                    .isExactlyInstanceOf(MsgPackException.class).hasMessageContaining("UTF-8");
            byte[] ascii = ("ok" + "x".repeat(40)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] mixed = new MsgPackWriter().strHeader(ascii.length + s.length).raw(ascii, 0, ascii.length)
                    .raw(s, 0, s.length).toByteArray();
            assertThatThrownBy(() -> new MsgPackReader(mixed).readString()).as("after ASCII: " + bad)
                    .isExactlyInstanceOf(MsgPackException.class);
        }
        for (String good : List.of("", "a", "é", "€", "😀", "\uFFFF", "\u0800", "\u07FF", "\uD7FF\uE000", "\uDBFF\uDFFF")) {
            assertThat(new MsgPackReader(WireTestSupport.ours(good)).readString()).isEqualTo(good);
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @DisplayName("a reader over a window never reads outside it")
    void windowBounds() {
        byte[] buf = WireTestSupport.hex("a3 61 62 63 ff ff");
        assertThatThrownBy(() -> new MsgPackReader(buf, 0, 3).readString()).isExactlyInstanceOf(MsgPackException.class);
        assertThat(new MsgPackReader(buf, 0, 4).readString()).isEqualTo("abc");
        assertThatThrownBy(() -> new MsgPackReader(buf, 2, Integer.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new MsgPackReader(buf, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ServerMessage.decode(buf, 4, 0)).isExactlyInstanceOf(MsgPackException.class);
        if (new MsgPackReader(buf, 6, 0).hasMore()) fail("an empty window has nothing to read");
    }
}
