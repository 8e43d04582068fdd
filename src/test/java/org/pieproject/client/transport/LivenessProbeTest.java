package org.pieproject.client.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testkit.PieTestServer;

/** One thread probes every open connection; a closed one leaves the set, however it closed. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LivenessProbeTest {
    private static final FrameHandler NOTHING = new FrameHandler() {
        @Override
        public void onMessage(byte[] buf, int length) {
        }

        @Override
        public void onClosed(TransportClosedException cause) {
        }
    };

    private static WebSocketTransport connect(PieTestServer server) {
        return WebSocketTransport.connect(server.uri(), Map.of(), Duration.ofSeconds(5), 1 << 20,
                Duration.ofSeconds(5), NOTHING);
    }

    @Test
    void anOpenConnectionIsProbedUntilItCloses() {
        try (PieTestServer server = PieTestServer.builder().start()) {
            WebSocketTransport t = connect(server);
            assertThat(LivenessProbe.watching(t)).isTrue();
            t.close();
            assertThat(LivenessProbe.watching(t)).isFalse();
        }
    }

    @Test
    void aConnectionThatClosedBeforeItWasWatchedLeavesAtItsNextProbe() {
        try (PieTestServer server = PieTestServer.builder().start()) {
            WebSocketTransport t = connect(server);
            t.close();
            LivenessProbe.watch(t); // as when the engine closes it between the opening and the watch
            t.probe(); // what the probing thread does at its next tick
            assertThat(LivenessProbe.watching(t)).isFalse();
        }
    }
}
