package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/** The misbehaviour switches of {@link Faults} and the observation helpers. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PieTestServerFaultsTest {

    @Test
    void fragmentsGarbageAndText() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            server.faults().fragmentMessages(3);
            c.send(new ClientMessage.Ping(1));
            RawEngineClient.Incoming in = c.nextIncoming(RawEngineClient.WAIT);
            assertThat(in.frames()).isEqualTo(3);
            assertThat(in.message()).isEqualTo(new Response(1, true, "Pong"));
            server.faults().fragmentMessages(1);

            server.faults().sendRawToAll(new byte[] {(byte) 0xc1, 0x00});
            RawEngineClient.Incoming garbage = c.nextIncoming(RawEngineClient.WAIT);
            assertThat(garbage.error()).isNotNull();
            assertThat(garbage.raw()).containsExactly(0xc1, 0x00);
            assertThat(garbage.frames()).isEqualTo(1);

            server.faults().sendTextToAll("hello");
            assertThat(c.nextText(RawEngineClient.WAIT)).isEqualTo("hello");
            assertThat(c.call(new ClientMessage.Ping(2))).isEqualTo(new Response(2, true, "Pong"));
        }
    }

    @Test
    void silenceDropsRepliesUntilLifted() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            server.faults().silent(true);
            c.send(new ClientMessage.Ping(1));
            // The server handles requests in order, so once it has read this one, the ping has been handled.
            c.send(new ClientMessage.Query(2, "never-answered", ""));
            assertThat(server.awaitReceived(m -> Long.valueOf(2).equals(m.get("corr_id")), RawEngineClient.WAIT)).isPresent();
            server.faults().silent(false);
            assertThat(c.call(new ClientMessage.Ping(3))).isEqualTo(new Response(3, true, "Pong"));
            assertThat(server.receivedMessages()).extracting(m -> m.get("type"))
                    .containsSubsequence("auth_identify", "ping", "query", "ping");
        }
    }

    @Test
    void connectionsCanBeDroppedOrClosed() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start()) {
            RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice");
            RawEngineClient b = RawEngineClient.connectAs(server.uri(), "bob");
            assertThat(server.awaitConnectedSessions(2, RawEngineClient.WAIT)).isTrue();
            assertThat(server.connectedSessions()).isEqualTo(2);
            server.faults().dropAllConnections();
            assertThat(server.awaitConnectedSessions(0, RawEngineClient.WAIT)).isTrue();
            assertThat(noticesTheLoss(a)).isNotEqualTo(1001);
            assertThat(noticesTheLoss(b)).isNotEqualTo(1001);
            a.close();
            b.close();

            RawEngineClient d = RawEngineClient.connectAs(server.uri(), "dave");
            server.faults().closeAllConnections();
            assertThat(d.closedFuture().get(5, TimeUnit.SECONDS)).isEqualTo(1001);
            d.close();
            assertThat(server.awaitConnectedSessions(0, RawEngineClient.WAIT)).isTrue();
        }
    }

    /**
     * How the client learns that the connection was dropped: its close code, or -1. The JDK WebSocket client
     * sometimes does not report a peer's TCP close until it writes, so write (pings) until it does.
     */
    private static int noticesTheLoss(RawEngineClient c) throws Exception {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                return c.closedFuture().get(250, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                try {
                    c.send(new ClientMessage.Ping(attempt));
                } catch (RuntimeException sendFailed) {
                    return -1;
                }
            }
        }
        throw new AssertionError("the client never noticed that its connection was dropped");
    }

    @Test
    void receivedMessagesAreDecodedMaps() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            c.call(new ClientMessage.LaunchProcess(5, "x@1.0.0", "in", true, 7L));
            Map<String, Object> m = server.awaitReceived(x -> "launch_process".equals(x.get("type")), Duration.ofSeconds(1))
                    .orElseThrow();
            assertThat(m).containsEntry("corr_id", 5L).containsEntry("inferlet", "x@1.0.0")
                    .containsEntry("capture_outputs", true).containsEntry("token_budget", 7L);
            server.clearReceivedMessages();
            assertThat(server.receivedMessages()).isEmpty();
        }
    }
}
