package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testkit.PieTestServer;

/** Surviving a lost connection: reconnect with the same credentials, then reattach by id. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReconnectTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private PieTestServer server;

    private PieTestServer start(boolean detachOnDisconnect) {
        server = PieTestServer.builder()
                .detachOnDisconnect(detachOnDisconnect)
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("up");
                    release.await();
                    ctx.stdout("after the blip");
                    return "released";
                })
                .start();
        return server;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) server.close();
    }

    private static PieProcess lostProcess(PieClient client) {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("up"));
        return p;
    }

    @Test
    void reconnectAuthenticatesAgainAndReattachResumesTheStream() {
        start(true);
        PieClient client = PieClient.connect(server.uri());
        client.authenticate("alice");
        PieProcess p = lostProcess(client);
        server.faults().dropAllConnections();
        assertThatThrownBy(p::recv).isInstanceOf(PieConnectionException.class);

        try (PieClient fresh = client.reconnect()) {
            assertThat(fresh.user()).isEqualTo("alice");
            Reattachment r = fresh.reattach(List.of(p.id()));
            assertThat(r.unattachable()).isEmpty();
            assertThat(r.ended()).isEmpty();
            release.countDown();
            PieProcess again = r.attached().get(p.id());
            assertThat(again.output().stdout()).isEqualTo("after the blip");
        }
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void anEngineThatKeepsTheDeadSessionAttachedIsReportedAsUnattachable() {
        start(false); // the 0.4 engine's behaviour (protocol.md §6.4)
        PieClient client = PieClient.connect(server.uri());
        client.authenticate("alice");
        PieProcess p = lostProcess(client);
        server.faults().dropAllConnections();
        try (PieClient fresh = client.reconnect()) {
            Reattachment r = fresh.reattach(List.of(p.id(), "00000000-0000-4000-8000-000000000000"));
            assertThat(r.attached()).isEmpty();
            assertThat(r.unattachable()).containsExactly(p.id());
            assertThat(r.ended()).containsExactly("00000000-0000-4000-8000-000000000000");
            fresh.terminateProcess(p.id()); // still owned, so it can be stopped
        }
    }

    @Test
    void reconnectWithoutPriorAuthenticationJustConnects() {
        start(true);
        PieClient client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMillis(300)).build();
        try (PieClient fresh = client.reconnect()) {
            assertThat(fresh.user()).isNull();
            assertThat(fresh.isOpen()).isTrue();
        }
    }
}
