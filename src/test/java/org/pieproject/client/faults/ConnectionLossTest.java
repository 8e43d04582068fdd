package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.PieTimeoutException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.testsupport.Await;

/**
 * Every way a connection can end or fail to start: waiting calls and blocked readers fail within a second
 * with a {@link PieConnectionException} that says why, after the events that had already arrived; a
 * refused or stuck handshake fails the connect; an engine that stops reading or answering runs into the
 * deadlines.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLossTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private RawFaultServer server = RawFaultServer.start();
    private PieClient client;

    @AfterEach
    void close() {
        if (client != null) client.close();
        server.close();
    }

    enum Loss {
        CLOSE_FRAME("the engine closed the connection (code 1001, going away)"),
        // "...without a WebSocket Close frame" when the JDK reads the FIN; when it misses it (it sometimes
        // does), the liveness probe's failed write says "connection lost: <I/O error>".
        FIN_WITHOUT_CLOSE("connection lost"),
        RESET("connection lost"),
        CLIENT_CLOSE("connection closed by the client");

        final String cause;

        Loss(String cause) {
            this.cause = cause;
        }
    }

    @ParameterizedTest
    @EnumSource(Loss.class)
    void lossFailsEveryWaiterWithinOneSecondAfterDeliveringWhatArrived(Loss loss) throws Exception {
        client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(20)).build();
        RawFaultServer.Conn conn = server.nextConnection(WAIT);
        client.authenticate("alice");
        PieProcess streaming = client.launchProcess("a@0.1.0", "{}");
        PieProcess idle = client.launchProcess("b@0.1.0", "{}");
        for (int i = 0; i < 3; i++) conn.sendMessage(new ServerMessage.ProcessEvent(streaming.id(), "stdout", "e" + i));
        client.ping(); // answered after the three events, so they have been routed

        server.answerOnly(); // from here on nothing is answered
        // Both callers are parked in their calls (and the engine has the ping) before the loss.
        CompletableFuture<Void> pendingCall = Await.blockedIn(() -> {
            client.ping();
            return null;
        });
        CompletableFuture<ProcessEvent> blockedRecv = Await.blockedIn(idle::recv);
        assertThat(conn.nextRequest("ping", WAIT)).isNotNull();
        assertThat(conn.nextRequest("ping", WAIT)).as("the unanswered ping").isNotNull();

        long t0 = System.nanoTime();
        switch (loss) {
            case CLOSE_FRAME -> conn.sendClose(1001, "going away");
            case FIN_WITHOUT_CLOSE -> conn.finWithoutClose();
            case RESET -> conn.reset();
            case CLIENT_CLOSE -> Thread.startVirtualThread(client::close);
        }
        assertThatThrownBy(() -> pendingCall.get(ONE_SECOND.toMillis(), TimeUnit.MILLISECONDS)).cause()
                .isInstanceOf(PieConnectionException.class).hasMessageContaining(loss.cause);
        assertThatThrownBy(() -> blockedRecv.get(ONE_SECOND.toMillis(), TimeUnit.MILLISECONDS)).cause()
                .isInstanceOf(PieConnectionException.class).hasMessageContaining(loss.cause);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ONE_SECOND);

        for (int i = 0; i < 3; i++) assertThat(streaming.recv()).isEqualTo(new ProcessEvent.Stdout("e" + i));
        assertThatThrownBy(streaming::recv).isInstanceOf(PieConnectionException.class).hasMessageContaining(loss.cause);
        assertThat(client.isOpen()).isFalse();
        // A call after the loss fails at once rather than waiting for its deadline.
        long t1 = System.nanoTime();
        assertThatThrownBy(client::ping).isInstanceOf(PieConnectionException.class).hasMessageContaining(loss.cause);
        assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(ONE_SECOND);
    }

    @ParameterizedTest
    @EnumSource(value = RawFaultServer.Handshake.class, names = {"UNAUTHORIZED_401", "NOT_FOUND_404", "WRONG_ACCEPT_KEY"})
    void aRefusedHandshakeFailsTheConnect(RawFaultServer.Handshake refusal) {
        server.handshake(refusal);
        long t0 = System.nanoTime();
        var thrown = assertThatThrownBy(() -> PieClient.builder().uri(server.uri()).connectTimeout(WAIT).build())
                .isInstanceOf(PieConnectionException.class).hasMessageContaining(server.uri().toString());
        switch (refusal) {
            case UNAUTHORIZED_401 -> thrown.hasMessageContaining("HTTP 401");
            case NOT_FOUND_404 -> thrown.hasMessageContaining("HTTP 404");
            default -> thrown.hasMessageContaining("handshake is invalid");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(ONE_SECOND);
    }

    @Test
    void aHandshakeThatNeverCompletesFailsAfterTheConnectTimeout() {
        server.handshake(RawFaultServer.Handshake.NEVER_COMPLETE);
        Duration timeout = Duration.ofMillis(300);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> PieClient.builder().uri(server.uri()).connectTimeout(timeout).build())
                .isInstanceOf(PieConnectionException.class).hasMessageContaining("could not connect");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(timeout.plus(Duration.ofMillis(1500)));
    }

    @Test
    void anEngineThatStopsReadingMakesSendsHitTheirDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(500);
        client = PieClient.builder().uri(server.uri()).sendTimeout(deadline).build();
        RawFaultServer.Conn conn = server.nextConnection(WAIT);
        client.authenticate("alice");
        PieProcess p = client.launchProcess("a@0.1.0", "{}");
        conn.stopReading();
        byte[] big = new byte[64 << 20]; // far more than the socket buffers hold
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> p.transferFile(big))
                .isInstanceOf(PieTimeoutException.class).hasMessageContaining("send did not complete");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(deadline.plus(Duration.ofSeconds(2)));
        // A half-sent message leaves the connection unusable: it is failed, and says why.
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(client::ping).isInstanceOf(PieConnectionException.class).hasMessageContaining("stopped reading");
        assertThatThrownBy(p::recv).isInstanceOf(PieConnectionException.class).hasMessageContaining("stopped reading");
    }

    @Test
    void anEngineThatStopsAnsweringRunsIntoTheRequestTimeoutAndTheConnectionSurvives() {
        Duration deadline = Duration.ofMillis(300);
        client = PieClient.builder().uri(server.uri()).requestTimeout(deadline).build();
        server.nextConnection(WAIT);
        client.authenticate("alice");
        server.answerOnly();
        long t0 = System.nanoTime();
        assertThatThrownBy(client::ping).isInstanceOf(PieTimeoutException.class).hasMessageContaining("no answer");
        long took = System.nanoTime() - t0;
        assertThat(Duration.ofNanos(took)).isBetween(deadline, deadline.plus(ONE_SECOND));
        server.answerOnly("ping");
        client.ping();
        assertThat(client.isOpen()).isTrue();
    }
}
