package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.wire.ServerMessage;

/** The rest of the protocol (batches, daemons, workflows, status) and the everyday helpers. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PieClientProtocolTest {

    record Prompt(String prompt, int maxTokens) {}

    private PieTestServer server;
    private PieClient client;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("llama.kv_pages_used", 12);
        status.put("llama.kv_pages_total", 100);
        status.put("llama.total_batches", 7);
        status.put("llama.total_tokens_processed", 4242);
        status.put("llama.last_batch_latency_us", 1500);
        status.put("llama.avg_batch_latency_us", 1250.5);
        status.put("llama.batch_size_hist", List.of(1, 2, 3));
        server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout(ctx.input());
                    return ctx.input();
                })
                .inferlet("chatty@0.1.0", ctx -> {
                    ctx.stdout("a");
                    ctx.stderr("warn");
                    ctx.message("note");
                    ctx.sendFile("xyz".getBytes(StandardCharsets.UTF_8));
                    ctx.stdout("b");
                    return "fine";
                })
                .inferlet("fail@0.1.0", ctx -> {
                    throw new IllegalStateException("bad input " + ctx.input());
                })
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("up");
                    release.await();
                    return "released";
                })
                .modelStatus(status)
                .start();
        client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(10)).build();
        client.authenticate("alice");
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        server.close();
    }

    @Test
    void launchProcessesReturnsHandlesInInputOrderThatStreamTheirOwnEvents() {
        List<PieProcess> ps = client.launchProcesses("echo@0.1.0", List.of("1", "2", "3"), true, null);
        assertThat(ps).hasSize(3);
        for (int i = 0; i < 3; i++) assertThat(ps.get(i).result()).isEqualTo(Integer.toString(i + 1));
    }

    @Test
    void launchProcessesWithoutCaptureStillReturnsIds() {
        List<PieProcess> ps = client.launchProcesses("echo@0.1.0", List.of("a", "b"), false, Arrays.asList(10, null));
        assertThat(ps).hasSize(2).extracting(PieProcess::id).allMatch(id -> id.length() == 36).doesNotHaveDuplicates();
        assertThatThrownBy(() -> ps.get(0).recv()).isInstanceOf(PieException.class);
    }

    @Test
    void batchesRefuseBudgetsOfTheWrongLengthWithTheEnginesText() {
        assertThatThrownBy(() -> client.launchProcesses("echo@0.1.0", List.of("a", "b"), true, List.of(5)))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason())
                        .isEqualTo("token_budgets length 1 does not match inputs length 2"));
        assertThatThrownBy(() -> client.runProcesses("echo@0.1.0", List.of("a"), List.of(1, 2)))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason())
                        .isEqualTo("token_budgets length 2 does not match inputs length 1"));
    }

    @Test
    void runProcessesReturnsTheValuesInInputOrderOrTheFirstError() {
        assertThat(client.runProcesses("echo@0.1.0", List.of("x", "y", "z"), null)).containsExactly("x", "y", "z");
        assertThatThrownBy(() -> client.runProcesses("fail@0.1.0", List.of("p", "q"), null))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("bad input p"));
    }

    @Test
    void launchDaemonIsAcknowledged() {
        client.launchDaemon("echo@0.1.0", 9000, "{}");
        assertThatThrownBy(() -> client.launchDaemon("echo@0.1.0", 70000, "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThat(client.listProcesses()).as("daemons are not processes").isEmpty();
    }

    @Test
    void listProcessInfoGivesTheEnginesRecords() {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{\"q\":1}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("up"));
        List<ProcessInfo> infos = client.listProcessInfo();
        assertThat(infos).hasSize(1);
        ProcessInfo info = infos.get(0);
        assertThat(info.id()).isEqualTo(p.id());
        assertThat(info.username()).isEqualTo("alice");
        assertThat(info.program()).isEqualTo("blocked@0.1.0");
        assertThat(info.input()).isEqualTo("{\"q\":1}");
        assertThat(info.elapsed()).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void modelStatusIsGroupedByModelWithTypedFigures() {
        ModelStatus status = client.modelStatus();
        assertThat(status.models()).containsOnlyKeys("llama");
        ModelStatus.Model m = status.models().get("llama");
        assertThat(m.kvPagesUsed()).hasValue(12);
        assertThat(m.kvPagesTotal()).hasValue(100);
        assertThat(m.totalBatches()).hasValue(7);
        assertThat(m.totalTokensProcessed()).hasValue(4242);
        assertThat(m.lastBatchLatencyMicros()).hasValue(1500.0);
        assertThat(m.avgBatchLatencyMicros()).hasValue(1250.5);
        assertThat(m.stats().get("batch_size_hist").isJsonArray()).isTrue();
        assertThat(m.number("batch_size_hist")).isEmpty();
    }

    @Test
    void workflowsAreSubmittedCancelledAttachedAndDetachedWithTheEnginesTexts() {
        try (PieWorkflow w = client.submitWorkflow("{\"type\":\"process\",\"program_name\":\"echo@0.1.0\"}")) {
            assertThat(w.id()).hasSize(36);
            assertThatThrownBy(() -> client.attachWorkflow(w.id()))
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("already attached"));
            w.detach();
            w.cancel();
            assertThatThrownBy(w::cancel)
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Service not found"));
        }
        assertThatThrownBy(() -> client.submitWorkflow("{not json"))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).startsWith("Invalid workflow JSON: "));
        assertThatThrownBy(() -> client.submitWorkflow("{\"type\":\"pipe\",\"stages\":[]}"))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Workflow has no executable steps"));
        assertThatThrownBy(() -> client.cancelWorkflow("nope"))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Invalid workflow ID"));
    }

    @Test
    void eventsOfUnknownProcessesReachAnOpenWorkflowHandle() {
        String child = "0b0e0c0d-0000-4000-8000-000000000001";
        try (PieWorkflow w = client.submitWorkflow("{\"type\":\"process\",\"program_name\":\"echo@0.1.0\"}")) {
            // The engine names workflow children by ids the client has never seen.
            server.faults().sendRawToAll(new ServerMessage.ProcessEvent(child, "stdout", "from a child").encode());
            server.faults().sendRawToAll(new ServerMessage.ProcessEvent(child, "error", "cancelled").encode());
            assertThat(w.recv(Duration.ofSeconds(5))).contains(new WorkflowEvent(child, new ProcessEvent.Stdout("from a child")));
            assertThat(w.recv(Duration.ofSeconds(5))).contains(new WorkflowEvent(child, new ProcessEvent.Error("cancelled")));
            assertThat(w.tryRecv()).isEmpty();
        }
    }

    @Test
    void inputCanBeARecordOrAMapSerialisedWithGson() {
        assertThat(client.launchProcess("echo@0.1.0", new Prompt("hi", 5)).result())
                .isEqualTo("{\"prompt\":\"hi\",\"maxTokens\":5}");
        assertThat(client.launchProcess("echo@0.1.0", Map.of("k", List.of(1, 2))).result())
                .isEqualTo("{\"k\":[1,2]}");
        assertThat(client.launchProcess("echo@0.1.0", "\"a plain string is JSON text\"").result())
                .isEqualTo("\"a plain string is JSON text\"");
    }

    @Test
    void outputCollectsEverythingAndResultThrowsTheErrorText() {
        ProcessOutput out = client.launchProcess("chatty@0.1.0", "{}").output();
        assertThat(out.value()).isEqualTo("fine");
        assertThat(out.stdout()).isEqualTo("ab");
        assertThat(out.stderr()).isEqualTo("warn");
        assertThat(out.messages()).containsExactly("note");
        assertThat(out.files()).extracting(f -> new String(f.data(), StandardCharsets.UTF_8)).containsExactly("xyz");
        assertThatThrownBy(() -> client.launchProcess("fail@0.1.0", "7").result())
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("bad input 7"));
    }

    @Test
    void aProcessCanBeIteratedAndStreamedUpToItsTerminalEvent() {
        List<ProcessEvent> seen = new ArrayList<>();
        for (ProcessEvent e : client.launchProcess("chatty@0.1.0", "{}")) seen.add(e);
        assertThat(seen).hasSize(6).last().isEqualTo(new ProcessEvent.Return("fine"));
        String stdout = client.launchProcess("chatty@0.1.0", "{}").events()
                .filter(e -> e instanceof ProcessEvent.Stdout)
                .map(e -> ((ProcessEvent.Stdout) e).text())
                .reduce("", String::concat);
        assertThat(stdout).isEqualTo("ab");
    }

    @Test
    void terminateStopsTheProcessAndCloseOnlyEndsTheHandle() {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("up"));
        p.terminate();
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Error("Signal"));

        PieProcess q = client.launchProcess("blocked@0.1.0", "{}");
        q.close();
        assertThat(client.listProcesses()).as("closing a handle leaves the process running").contains(q.id());
        assertThatThrownBy(() -> {
            while (true) q.recv();
        }).isInstanceOf(PieException.class).hasMessageContaining("closed");
        q.terminate();
    }

    @Test
    void resolveVersionAsksTheRegistryForTheNewestVersion() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> paths = new CopyOnWriteArrayList<>();
        http.createContext("/", ex -> {
            paths.add(ex.getRequestURI().getPath());
            boolean known = ex.getRequestURI().getPath().endsWith("/text-completion");
            byte[] body = (known ? "{\"versions\":[{\"num\":\"0.2.1\"},{\"num\":\"0.1.0\"}]}" : "{\"versions\":[]}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        try {
            String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
            assertThat(PieClient.resolveVersion("text-completion", base)).isEqualTo("text-completion@0.2.1");
            assertThat(paths).containsExactly("/api/v1/inferlets/text-completion");
            assertThat(PieClient.resolveVersion("x@1.0.0", base)).isEqualTo("x@1.0.0");
            assertThatThrownBy(() -> PieClient.resolveVersion("unknown", base))
                    .isInstanceOf(PieException.class).hasMessageContaining("no version found for 'unknown'");
        } finally {
            http.stop(0);
        }
    }
}
