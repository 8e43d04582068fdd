package org.pieproject.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-connection decoder's caches must never change what a message says. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerMessageDecoderTest {

    @Test
    void aRepeatedProcessIdIsReusedAndDistinctIdsStayDistinct() {
        ServerMessageDecoder d = new ServerMessageDecoder();
        // Far more ids than cache slots, twice over: every slot is reused by other ids many times.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 5000; i++) {
                String id = String.format("00000000-0000-4000-8000-%012d", i);
                byte[] frame = new ServerMessage.ProcessEvent(id, "stdout", "x" + i).encode();
                ServerMessage.ProcessEvent e = (ServerMessage.ProcessEvent) d.decode(frame, 0, frame.length);
                ServerMessage.ProcessEvent again = (ServerMessage.ProcessEvent) d.decode(frame, 0, frame.length);
                assertThat(e.processId()).isEqualTo(id);
                assertThat(e.value()).isEqualTo("x" + i);
                assertThat(again.processId()).as("the second decode reuses the first's string").isSameAs(e.processId());
            }
        }
    }

    @Test
    void knownEventKindsAreSharedConstantsAndUnknownOnesPassThrough() {
        ServerMessageDecoder d = new ServerMessageDecoder();
        byte[] a = new ServerMessage.ProcessEvent("p", "stdout", "").encode();
        byte[] b = new ServerMessage.ProcessEvent("p", "progress", "50%").encode();
        assertThat(((ServerMessage.ProcessEvent) d.decode(a, 0, a.length)).event()).isSameAs("stdout");
        assertThat(((ServerMessage.ProcessEvent) d.decode(b, 0, b.length)).event()).isEqualTo("progress");
    }

    @Test
    void anInvalidIdIsRefusedEvenAfterAValidOneWithTheSameLength() {
        ServerMessageDecoder d = new ServerMessageDecoder();
        byte[] ok = new ServerMessage.ProcessEvent("ab", "stdout", "").encode();
        d.decode(ok, 0, ok.length);
        byte[] bad = ok.clone();
        // The id's two payload bytes follow "process_id" and its fixstr header 0xa2.
        int at = indexOf(bad, new byte[] {(byte) 0xa2, 'a', 'b'}) + 1;
        bad[at] = (byte) 0xff;
        assertThatThrownBy(() -> d.decode(bad, 0, bad.length)).isInstanceOf(MsgPackException.class);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void theOnePassPathForCanonicalEventsAgreesWithTheGeneralPathOnEveryInput() {
        // Canonical process events (the one-pass path's input), near misses, and every truncation and
        // many byte flips of both: the decoder with the one-pass path must give exactly what the general
        // path alone gives, the same event or the same error.
        java.util.Random rnd = new java.util.Random(42);
        ServerMessageDecoder fast = new ServerMessageDecoder(true);
        ServerMessageDecoder general = new ServerMessageDecoder(false);
        String[] kinds = {"stdout", "stderr", "message", "return", "error", "progress", ""};
        String[] values = {"", "0123456789abcdef", "héllo 😀", "x".repeat(40), "y".repeat(70_000)};
        java.util.List<byte[]> inputs = new java.util.ArrayList<>();
        for (String kind : kinds) {
            for (String value : values) {
                String id = java.util.UUID.randomUUID().toString();
                inputs.add(new ServerMessage.ProcessEvent(id, kind, value).encode());
                // Near misses: another order, an extra key, nil or bin where a str belongs, a fifth entry, str8 headers.
                inputs.add(new MsgPackWriter().mapHeader(4).str("process_id").str(id).str("type").str("process_event")
                        .str("event").str(kind).str("value").str(value).toByteArray());
                inputs.add(new MsgPackWriter().mapHeader(4).str("type").str("process_event").str("process_id").nil()
                        .str("event").str(kind).str("value").str(value).toByteArray());
                inputs.add(new MsgPackWriter().mapHeader(4).str("type").str("process_event").str("process_id").str(id)
                        .str("event").str(kind).str("value").bin(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toByteArray());
                inputs.add(new MsgPackWriter().mapHeader(5).str("type").str("process_event").str("process_id").str(id)
                        .str("event").str(kind).str("value").str(value).str("extra").integer(1).toByteArray());
                inputs.add(new MsgPackWriter().mapHeader(4).str("type").str("process_event").str("process_id").str(id)
                        .str("process_id").str(id).str("value").str(value).toByteArray());
                inputs.add(new MsgPackWriter().mapHeader(4).str("type").str("process_evenT").str("process_id").str(id)
                        .str("event").str(kind).str("value").str(value).toByteArray());
                byte[] str8 = new MsgPackWriter().mapHeader(4).raw(new byte[] {(byte) 0xd9, 4}, 0, 2).raw("type".getBytes(), 0, 4)
                        .str("process_event").str("process_id").str(id).str("event").str(kind).str("value").str(value).toByteArray();
                inputs.add(str8);
            }
        }
        int[] outcomes = new int[2]; // [events, errors], as the decoders said, not as the loop counted
        for (byte[] input : inputs) {
            compareOn(fast, general, input, input.length, outcomes);
            for (int cut = 0; cut < Math.min(input.length, 200); cut++) compareOn(fast, general, input, cut, outcomes);
            for (int flip = 0; flip < 50; flip++) {
                byte[] b = input.clone();
                b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                compareOn(fast, general, b, b.length, outcomes);
            }
        }
        // Agreement proves something only if both kinds of outcome are common: every canonical input (35)
        // and many near misses and flips decode to an event, and most cuts are refused.
        assertThat(outcomes[0]).as("inputs both paths decoded to an event").isGreaterThan(100);
        assertThat(outcomes[1]).as("inputs both paths refused").isGreaterThan(10_000);
    }

    private static void compareOn(ServerMessageDecoder fast, ServerMessageDecoder general, byte[] b, int len, int[] outcomes) {
        String expected = outcome(general, b, len);
        assertThat(outcome(fast, b, len)).as("input %s", WireTestSupport.hex(java.util.Arrays.copyOf(b, Math.min(len, 64))))
                .isEqualTo(expected);
        if (expected.startsWith("event ")) outcomes[0]++;
        else if (expected.startsWith("error ")) outcomes[1]++;
    }

    /** What a decoder makes of {@code b[0, len)}: the event, the message, or the error text. */
    private static String outcome(ServerMessageDecoder d, byte[] b, int len) {
        String[] event = new String[1];
        try {
            ServerMessage m = d.decode(b, 0, len, (p, e, v) -> event[0] = "event " + p + " " + e + " " + v);
            return m == null ? event[0] : m.toString();
        } catch (MsgPackException e) {
            return "error " + e.getMessage();
        }
    }
}
