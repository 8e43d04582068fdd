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
}
