package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.gateway.GatewayIdentity;
import org.pieproject.client.testkit.PieTestServer;

/** A PieClient against the test engine's gateway mode: the WebSocket path of a Pie 0.5 gateway. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayWebSocketTest {
    private static final String MANIFEST = """
            [package]
            name = "from-memory"
            version = "1.0.0"
            """;

    private PieTestServer server;
    private PieClient client;

    @BeforeEach
    void start() {
        server = PieTestServer.builder()
                .gateway(true)
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout(ctx.input());
                    return "echoed";
                })
                .inferlet("wait@0.1.0", ctx -> {
                    ctx.stdout("started");
                    return "got " + ctx.receiveSignal();
                })
                .start();
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        server.close();
    }

    private PieClient connect() {
        client = PieClient.builder().uri(server.uri()).identity("acme/alice").requestTimeout(Duration.ofSeconds(30)).build();
        return client;
    }

    @Test
    void anUpgradeWithoutIdentityIsRefusedWithAMessageThatNamesTheHeader() {
        assertThatThrownBy(() -> PieClient.connect(server.uri()))
                .isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("x-pie-identity header is missing");
    }

    @Test
    void anIdentityTheGatewayCannotReadIsRefusedByTheBuilderAndByTheGateway() {
        assertThatThrownBy(() -> PieClient.builder().identity("acme/ "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty user");
        assertThatThrownBy(() -> PieClient.builder().uri(server.uri()).header("x-pie-identity", "acme/").build())
                .isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("cannot read");
    }

    @Test
    void theIdentityIsReadAsTenantSlashUserOrABareUserOfTheDefaultTenant() {
        assertThat(GatewayIdentity.parse(" acme / alice ")).isEqualTo(new GatewayIdentity("acme", "alice"));
        assertThat(GatewayIdentity.parse("bob")).isEqualTo(new GatewayIdentity("default", "bob"));
        assertThat(GatewayIdentity.parse("a/b/c")).isEqualTo(new GatewayIdentity("a", "b/c"));
        assertThatThrownBy(() -> GatewayIdentity.parse("  ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> GatewayIdentity.parse("acme/")).hasMessageContaining("empty user");

        PieClient.builder().uri(server.uri()).identity("acme / alice").build().close();
        PieClient.builder().uri(server.uri()).identity("bob").build().close();
        assertThat(server.gateway().identities())
                .containsExactly(new GatewayIdentity("acme", "alice"), new GatewayIdentity("default", "bob"));
    }

    @Test
    void theClientKnowsItTalksToAGatewayByThePathOrByTheBuilder() {
        assertThat(connect().generation()).isEqualTo(EngineGeneration.GATEWAY_0_5);
        // Without a path the builder's setting adds /v1/ws; the gateway answers 404 anywhere else.
        URI bare = URI.create("ws://127.0.0.1:" + server.port());
        try (PieClient c = PieClient.builder().uri(bare).identity("alice").generation(EngineGeneration.GATEWAY_0_5).build()) {
            c.ping();
            assertThat(c.generation()).isEqualTo(EngineGeneration.GATEWAY_0_5);
        }
        assertThatThrownBy(() -> PieClient.builder().uri(bare).identity("alice").build())
                .isInstanceOf(PieConnectionException.class).hasMessageContaining("HTTP 404");
    }

    @Test
    void callsOutsideTheGatewayVocabularyAreRefusedBeforeSending() {
        connect().ping();
        List<Runnable> calls = List.of(
                () -> client.authByToken("secret"),
                () -> client.launchProcesses("echo@0.1.0", List.of("{}"), true, null),
                () -> client.runProcesses("echo@0.1.0", List.of("{}"), null),
                () -> client.launchDaemon("echo@0.1.0", 8000, "{}"),
                () -> client.submitWorkflow("{\"type\":\"literal\"}"),
                () -> client.cancelWorkflow("00000000-0000-4000-8000-000000000000"),
                () -> client.registerMcpServer("tools", "stdio", "true", null, null),
                () -> client.launchProcess("echo@0.1.0", "{}", true, 100));
        for (Runnable call : calls) {
            assertThatThrownBy(call::run).isInstanceOf(PieException.class).hasMessageContaining("gateway");
        }
        client.ping();
        assertThat(server.receivedMessages()).extracting(m -> m.get("type"))
                .containsOnly("ping");
    }

    @Test
    void authenticateSucceedsOnTheGatewaysAlreadyAuthenticated() {
        connect().authenticate("alice");
        assertThat(client.user()).isEqualTo("alice");
        assertThat(client.launchProcess("echo@0.1.0", "\"hi\"").result()).isEqualTo("echoed");
    }

    @Test
    void anErrorFrameFailsTheWaitingCallAtOnceNotAtItsDeadline() {
        client = PieClient.builder().uri(server.uri()).identity("alice").requestTimeout(Duration.ofMinutes(5)).build();
        client.ping(); // the first turn opens the gateway session
        server.gateway().refuseAdmission("cluster full");
        // A deadline would be a PieTimeoutException after 5 minutes (the test's own limit is 60 s); the
        // connection's end alone a PieConnectionException. The gateway's reason reaches the call itself.
        assertThatThrownBy(() -> client.ping())
                .isInstanceOf(PieRequestException.class)
                .satisfies(e -> assertThat(((PieRequestException) e).reason()).isEqualTo("admission rejected: cluster full"));
    }

    @Test
    void anAbortedStreamEndsItsHandleAfterWhatHadArrived() {
        PieProcess p = connect().launchProcess("wait@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        assertThat(server.gateway().abortStream(p.id())).isTrue();
        assertThatThrownBy(p::recv).isInstanceOf(PieConnectionException.class).hasMessageContaining("stream aborted");
        client.ping(); // the socket goes on
    }

    @Test
    void withSeveralStreamsTheAbortedOneIsFoundWithListProcesses() {
        connect();
        PieProcess older = client.launchProcess("wait@0.1.0", "{}");
        PieProcess newer = client.launchProcess("wait@0.1.0", "{}");
        assertThat(older.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        assertThat(newer.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        // The newer one: the oldest-first fallback would pick the wrong one, the listing the right one.
        assertThat(server.gateway().abortStream(newer.id())).isTrue();
        // recv with a deadline: a handle left blocked must fail this test, not hang it.
        assertThatThrownBy(() -> newer.recv(Duration.ofSeconds(10))).isInstanceOf(PieConnectionException.class).hasMessageContaining("stream aborted");
        older.signal("still here");
        assertThat(older.recv()).isEqualTo(new ProcessEvent.Return("got still here"));
    }

    @Test
    void twoProcessesStreamOnOneSocketAtOnce() {
        connect();
        PieProcess waiting = client.launchProcess("wait@0.1.0", "{}");
        assertThat(waiting.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        // A second turn runs to its end while the first is still live on the same socket.
        PieProcess quick = client.launchProcess("echo@0.1.0", "\"second\"");
        assertThat(quick.output().stdout()).isEqualTo("\"second\"");
        waiting.signal("first");
        assertThat(waiting.result()).isEqualTo("got first");
        assertThat(server.gateway().identities()).hasSize(1); // one socket throughout
    }

    @Test
    void cancelEndsEveryLiveCallTerminatesTheProcessesAndKeepsTheSocket() {
        connect();
        PieProcess a = client.launchProcess("wait@0.1.0", "{}");
        PieProcess b = client.launchProcess("wait@0.1.0", "{}");
        assertThat(a.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        assertThat(b.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        client.cancel();
        assertThatThrownBy(a::recv).isInstanceOf(PieException.class).hasMessageContaining("cancel");
        assertThatThrownBy(b::recv).isInstanceOf(PieException.class).hasMessageContaining("cancel");
        // The gateway answers the cancel with one "stream aborted" per turn; none of them may fail this ping.
        client.ping();
        await(() -> server.runningProcesses().isEmpty(), "the cancelled processes end on the engine");
        assertThat(client.launchProcess("echo@0.1.0", "\"after\"").result()).isEqualTo("echoed");
    }

    @Test
    void aRefusedLaunchLeavesATurnTheGatewayNeverEndsAndCancelCountsIt() {
        connect();
        assertThatThrownBy(() -> client.launchProcess("missing@1.0.0", "{}"))
                .isInstanceOf(PieRequestException.class).hasMessageContaining("404");
        client.cancel(); // aborts that never-ending turn: one "stream aborted" the client expects
        client.ping();
        assertThat(client.launchProcess("echo@0.1.0", "\"x\"").result()).isEqualTo("echoed");
    }

    @Test
    void anAutomaticReconnectStartsTheTurnsAfreshSoAnAbortIsNotTakenForAnOldOne() throws Exception {
        LinkedBlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
        client = PieClient.builder().uri(server.uri()).identity("acme/alice").requestTimeout(Duration.ofSeconds(30))
                .autoReconnect(new ReconnectPolicy(Duration.ofMillis(5), Duration.ofMillis(50), ReconnectPolicy.UNLIMITED))
                .onStateChange(states::add).build();
        // A refused launch leaves a turn the gateway never ends, on this socket only.
        assertThatThrownBy(() -> client.launchProcess("missing@1.0.0", "{}")).isInstanceOf(PieRequestException.class);
        server.faults().dropAllConnections();
        ConnectionState s;
        do {
            s = states.poll(20, TimeUnit.SECONDS);
            assertThat(s).as("a Reconnected state").isNotNull();
        } while (!(s instanceof ConnectionState.Reconnected));
        // The new socket has no live turn: the gateway answers this cancel with no abort, so none may be expected.
        client.cancel();
        PieProcess p = client.launchProcess("wait@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        assertThat(server.gateway().abortStream(p.id())).isTrue();
        assertThatThrownBy(() -> p.recv(Duration.ofSeconds(10))).isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("stream aborted");
    }

    @Test
    void cancelNeedsAGateway() {
        try (PieTestServer engine = PieTestServer.builder().start(); PieClient c = PieClient.connect(engine.uri())) {
            assertThat(c.generation()).isEqualTo(EngineGeneration.ENGINE_0_4);
            assertThatThrownBy(c::cancel).isInstanceOf(PieException.class).hasMessageContaining("gateway");
        }
    }

    @Test
    void runUploadsFromMemoryOnlyWhenTheGatewayLacksTheProgram() {
        connect();
        byte[] program = new byte[300_000];
        for (int i = 0; i < program.length; i++) program[i] = (byte) (i * 31);
        assertThat(client.run("from-memory@1.0.0", program, MANIFEST, "\"one\"").result()).isEqualTo("\"one\"");
        assertThat(server.uploadedProgram("from-memory@1.0.0")).hasValueSatisfying(b -> assertThat(b).isEqualTo(program));
        long uploads = server.receivedMessages().stream().filter(m -> m.get("type").equals("add_program")).count();
        assertThat(uploads).isEqualTo(2); // two 256 KiB chunks
        assertThat(client.run("from-memory@1.0.0", program, MANIFEST, "\"two\"").result()).isEqualTo("\"two\"");
        assertThat(server.receivedMessages().stream().filter(m -> m.get("type").equals("add_program")).count())
                .isEqualTo(uploads);
        Map<String, Object> check = server.receivedMessages().stream().filter(m -> m.get("type").equals("check_program"))
                .findFirst().orElseThrow();
        assertThat(check.get("wasm_hash")).isEqualTo(PieClient.hashBlob(program));
    }

    @Test
    void installProgramBytesWorksAgainstAnEngine04Too() {
        try (PieTestServer engine = PieTestServer.builder().start(); PieClient c = PieClient.connect(engine.uri())) {
            c.authenticate("alice");
            c.installProgramBytes(new byte[] {1, 2, 3}, MANIFEST);
            assertThat(engine.uploadedProgram("from-memory@1.0.0")).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
            assertThat(c.run("from-memory@1.0.0", "\"in\"").result()).isEqualTo("\"in\"");
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting until " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polling a server's state, with a deadline
        }
    }
}
