package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.MsgPackWriter;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.wire.ServerMessage.ProcessEvent;
import org.pieproject.client.wire.ServerMessage.Response;

/** Sessions, processes and the plain request/reply texts of {@link PieTestServer}. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PieTestServerTest {

    private static ProcessEvent event(String id, String event, String value) {
        return new ProcessEvent(id, event, value);
    }

    private static Response ok(long corrId, String result) {
        return new Response(corrId, true, result);
    }

    private static Response fail(long corrId, String result) {
        return new Response(corrId, false, result);
    }

    @Test
    void requestsBeforeIdentifyAreDroppedAndDisabledAuthUsesTheClaimedName() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connect(server.uri())) {
            c.send(new ClientMessage.Ping(1));
            c.send(new ClientMessage.ListProcesses(2));
            c.send(new ClientMessage.AuthProve(3, "AAAA"));
            // The dropped ping and list get nothing: the next message is the answer to the prove.
            assertThat(c.next()).isEqualTo(fail(3, "No pending authentication"));
            assertThat(c.call(new ClientMessage.AuthIdentify(4, "alice")))
                    .isEqualTo(ok(4, "Authenticated (Engine disabled authentication)"));
            assertThat(c.call(new ClientMessage.Ping(0))).isEqualTo(ok(0, "Pong"));
            assertThat(c.call(new ClientMessage.AuthIdentify(5, "bob"))).isEqualTo(ok(5, "Already authenticated"));
            assertThat(c.call(new ClientMessage.AuthProve(6, "AAAA"))).isEqualTo(fail(6, "Already authenticated"));
            assertThat(c.call(new ClientMessage.AuthByToken(7, "x"))).isEqualTo(ok(7, "Already authenticated"));
        }
    }

    @Test
    void anyPathIsAccepted() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(URI.create(server.uri() + "/v1/ws"), "alice")) {
            assertThat(server.uri().toString()).startsWith("ws://127.0.0.1:");
            assertThat(c.call(new ClientMessage.Ping(9))).isEqualTo(ok(9, "Pong"));
        }
    }

    @Test
    void undecodableFramesGetNoReplyAndLeaveTheConnectionOpen() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            List<byte[]> bad = new ArrayList<>();
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("pong").str("corr_id").integer(1).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("Ping").str("corr_id").integer(1).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(1).str("type").str("ping").toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("ping").str("corr_id").integer(-1).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("ping").str("corr_id").integer(0x1_0000_0000L).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("ping").str("corr_id").float64(1.0).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("ping").str("corr_id").nil().toByteArray());
            bad.add(new MsgPackWriter().mapHeader(2).str("type").str("ping").str("corr_id").str("1").toByteArray());
            bad.add(new MsgPackWriter().mapHeader(3).str("type").str("ping").str("corr_id").integer(1)
                    .str("corr_id").integer(2).toByteArray());
            bad.add(new MsgPackWriter().arrayHeader(2).str("ping").integer(1).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(4).str("type").str("launch_process").str("corr_id").integer(1)
                    .str("inferlet").str("a@1.0.0").str("input").str("").toByteArray()); // capture_outputs missing
            bad.add(new MsgPackWriter().mapHeader(5).str("type").str("launch_process").str("corr_id").integer(1)
                    .str("inferlet").str("a@1.0.0").str("input").str("").str("capture_outputs").integer(1).toByteArray());
            bad.add(new MsgPackWriter().mapHeader(8).str("type").str("add_program").str("corr_id").integer(1)
                    .str("program_hash").str("h").str("manifest").str("m").str("force_overwrite").bool(false)
                    .str("chunk_index").integer(0).str("total_chunks").integer(1)
                    .str("chunk_data").ext(1, new byte[] {1}).toByteArray());
            bad.add(new byte[] {(byte) 0xc1, 1, 2});
            bad.add(new byte[0]);
            for (byte[] frame : bad) c.sendRaw(frame);
            c.sendText("{\"type\":\"ping\",\"corr_id\":1}");
            // Unknown keys are ignored, order does not matter, int8 encodings of small values are fine.
            c.sendRaw(new MsgPackWriter().mapHeader(3).str("corr_id").raw(new byte[] {(byte) 0xd0, 42}, 0, 2)
                    .str("extra").arrayHeader(1).nil().str("type").str("ping").toByteArray());
            assertThat(c.next()).isEqualTo(ok(42, "Pong"));
            assertThat(c.call(new ClientMessage.Ping(0xFFFF_FFFFL))).isEqualTo(ok(0xFFFF_FFFFL, "Pong"));
            assertThat(server.receivedMessages()).anySatisfy(m -> assertThat(m.get("type")).isEqualTo("pong"));
        }
    }

    @Test
    void launchRepliesBeforeTheProcessEvents() {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("chatty@0.1.0", ctx -> {
                    for (String part : ctx.input().split(",")) ctx.stdout(part);
                    ctx.stderr("warn");
                    ctx.message("note");
                    return "{\"ok\":true}";
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            for (int round = 0; round < 20; round++) {
                long id = c.nextId();
                c.send(new ClientMessage.LaunchProcess(id, "chatty@0.1.0", "a,b,c", true, null));
                Response r = c.response(id);
                assertThat(r.ok()).isTrue();
                String pid = r.result();
                assertThat(pid).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
                assertThat(List.of(c.next(), c.next(), c.next(), c.next(), c.next(), c.next())).containsExactly(
                        event(pid, "stdout", "a"), event(pid, "stdout", "b"), event(pid, "stdout", "c"),
                        event(pid, "stderr", "warn"), event(pid, "message", "note"),
                        event(pid, "return", "{\"ok\":true}"));
            }
        }
    }

    @Test
    void failuresBecomeErrorEventsAndUnknownProgramsFailToLaunch() {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("broken@1.0.0", ctx -> {
                    throw new IllegalStateException("Call error: boom");
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            Response r = c.call(new ClientMessage.LaunchProcess(1, "broken@1.0.0", "{}", true, 100L));
            assertThat(c.next()).isEqualTo(event(r.result(), "error", "Call error: boom"));
            assertThat(c.call(new ClientMessage.LaunchProcess(2, "broken@1.0", "{}", true, null)))
                    .isEqualTo(fail(2, "Invalid program identifier 'broken@1.0': expected 'name@major.minor.patch'"));
            Response missing = c.call(new ClientMessage.LaunchProcess(3, "nothere@1.0.0", "{}", true, null));
            assertThat(missing.ok()).isFalse();
            assertThat(missing.result()).startsWith("Failed to download manifest: ");
        }
    }

    @Test
    void withoutCaptureTheReplyIsEmptyAndOnlyAnAttacherSeesMessagesAndTheEnd() throws Exception {
        CountDownLatch attached = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("quiet@1.0.0", ctx -> {
                    ctx.stdout("lost");
                    ctx.message("lost too");
                    attached.await();
                    ctx.stdout("never seen");
                    ctx.message("seen");
                    return "end";
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            assertThat(c.call(new ClientMessage.LaunchProcess(1, "quiet@1.0.0", "in", false, null))).isEqualTo(ok(1, ""));
            Response list = c.call(new ClientMessage.ListProcesses(2));
            JsonArray procs = JsonParser.parseString(list.result()).getAsJsonArray();
            assertThat(procs).hasSize(1);
            String pid = procs.get(0).getAsJsonObject().get("id").getAsString();
            assertThat(c.call(new ClientMessage.AttachProcess(3, pid))).isEqualTo(ok(3, "Process attached"));
            attached.countDown();
            assertThat(c.next()).isEqualTo(event(pid, "message", "seen"));
            assertThat(c.next()).isEqualTo(event(pid, "return", "end"));
        }
    }

    @Test
    void listProcessesShowsOnlyTheUsersLiveProcessesAsJson() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("sleepy@2.0.1", ctx -> {
                    release.await();
                    return "";
                })
                .start();
             RawEngineClient alice = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient bob = RawEngineClient.connectAs(server.uri(), "bob")) {
            assertThat(alice.call(new ClientMessage.ListProcesses(1))).isEqualTo(ok(1, "[]"));
            String pid = alice.call(new ClientMessage.LaunchProcess(2, "sleepy@2.0.1", "{\"q\":\"<a,b>\"}", true, null)).result();
            bob.call(new ClientMessage.LaunchProcess(2, "sleepy@2.0.1", "{}", false, null));
            Response r = alice.call(new ClientMessage.ListProcesses(3));
            assertThat(r.result()).startsWith("[{\"id\":\"" + pid + "\",\"username\":\"alice\",\"program\":\"sleepy@2.0.1\","
                    + "\"input\":\"{\\\"q\\\":\\\"<a,b>\\\"}\",\"elapsed_secs\":");
            JsonObject o = JsonParser.parseString(r.result()).getAsJsonArray().get(0).getAsJsonObject();
            assertThat(o.keySet()).containsExactly("id", "username", "program", "input", "elapsed_secs");
            assertThat(o.get("elapsed_secs").getAsLong()).isBetween(0L, 5L);
            release.countDown();
            assertThat(alice.next()).isEqualTo(event(pid, "return", ""));
            assertThat(alice.call(new ClientMessage.ListProcesses(4))).isEqualTo(ok(4, "[]"));
        }
    }

    @Test
    void attachRulesAndReplayOfTheBufferAfterAReconnect() throws Exception {
        CountDownLatch goOn = new CountDownLatch(1);
        CountDownLatch burstDone = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("burst@1.0.0", ctx -> {
                    ctx.stdout("first");
                    goOn.await();
                    int n = Integer.parseInt(ctx.input());
                    for (int i = 0; i < n; i++) ctx.stdout("line-" + i);
                    ctx.message("not buffered");
                    ctx.stderr("last");
                    burstDone.countDown();
                    return ctx.receiveSignal();
                })
                .start()) {
            String pid;
            try (RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice")) {
                pid = a.call(new ClientMessage.LaunchProcess(1, "burst@1.0.0", "5000", true, null)).result();
                assertThat(a.next()).isEqualTo(event(pid, "stdout", "first"));
                assertThat(a.call(new ClientMessage.AttachProcess(2, pid))).isEqualTo(fail(2, "Process not found"));
            }
            assertThat(server.awaitConnectedSessions(0, RawEngineClient.WAIT)).isTrue();
            goOn.countDown();
            assertThat(burstDone.await(5, TimeUnit.SECONDS)).isTrue();
            try (RawEngineClient b = RawEngineClient.connectAs(server.uri(), "alice");
                 RawEngineClient mallory = RawEngineClient.connectAs(server.uri(), "mallory")) {
                assertThat(mallory.call(new ClientMessage.AttachProcess(1, pid))).isEqualTo(fail(1, "Permission denied"));
                assertThat(b.call(new ClientMessage.AttachProcess(1, "not-a-uuid"))).isEqualTo(fail(1, "Invalid process_id"));
                assertThat(b.call(new ClientMessage.AttachProcess(2, "00000000-0000-4000-8000-000000000000")))
                        .isEqualTo(fail(2, "Process not found"));
                // Upper case and braces are accepted; events use the canonical form.
                assertThat(b.call(new ClientMessage.AttachProcess(3, "{" + pid.toUpperCase() + "}")))
                        .isEqualTo(ok(3, "Process attached"));
                // 5000 lines + stderr went into a 4096-event ring: the oldest 905 are gone.
                assertThat(b.next()).isEqualTo(event(pid, "stdout", "line-905"));
                for (int i = 906; i < 5000; i++) assertThat(b.next()).isEqualTo(event(pid, "stdout", "line-" + i));
                assertThat(b.next()).isEqualTo(event(pid, "stderr", "last"));
                b.send(new ClientMessage.SignalProcess(pid.replace("-", ""), "bye"));
                assertThat(b.next()).isEqualTo(event(pid, "return", "bye"));
                assertThat(b.call(new ClientMessage.AttachProcess(4, pid))).isEqualTo(fail(4, "Process not found"));
            }
        }
    }

    @Test
    void engine04QuirkKeepsProcessesAttachedToADeadSession() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .detachOnDisconnect(false)
                .inferlet("sleepy@1.0.0", ctx -> {
                    release.await();
                    return "";
                })
                .start()) {
            String pid;
            try (RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice")) {
                pid = a.call(new ClientMessage.LaunchProcess(1, "sleepy@1.0.0", "", true, null)).result();
            }
            assertThat(server.awaitConnectedSessions(0, RawEngineClient.WAIT)).isTrue();
            try (RawEngineClient b = RawEngineClient.connectAs(server.uri(), "alice")) {
                assertThat(b.call(new ClientMessage.AttachProcess(1, pid))).isEqualTo(fail(1, "Process not found"));
                assertThat(b.call(new ClientMessage.TerminateProcess(2, pid))).isEqualTo(ok(2, "Process terminated"));
                assertThat(server.runningProcesses()).isEmpty();
            }
        }
    }

    @Test
    void terminateAnswersFirstThenTheAttachedClientGetsSignal() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("forever@1.0.0", ctx -> {
                    try {
                        ctx.receiveSignal();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return "not reached";
                })
                .start();
             RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient other = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient bob = RawEngineClient.connectAs(server.uri(), "bob")) {
            String pid = a.call(new ClientMessage.LaunchProcess(1, "forever@1.0.0", "", true, null)).result();
            assertThat(a.call(new ClientMessage.TerminateProcess(2, "nope"))).isEqualTo(fail(2, "Invalid process ID"));
            assertThat(bob.call(new ClientMessage.TerminateProcess(1, pid))).isEqualTo(fail(1, "Permission denied"));
            a.send(new ClientMessage.TerminateProcess(3, pid));
            assertThat(a.next()).isEqualTo(ok(3, "Process terminated"));
            assertThat(a.next()).isEqualTo(event(pid, "error", "Signal"));
            assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(a.call(new ClientMessage.TerminateProcess(4, pid))).isEqualTo(fail(4, "Process not found"));

            // Termination needs ownership only; the Signal goes to whoever is attached.
            String pid2 = a.call(new ClientMessage.LaunchProcess(5, "forever@1.0.0", "", true, null)).result();
            assertThat(other.call(new ClientMessage.TerminateProcess(1, pid2))).isEqualTo(ok(1, "Process terminated"));
            assertThat(a.next()).isEqualTo(event(pid2, "error", "Signal"));
            assertThat(a.call(new ClientMessage.Ping(6))).isEqualTo(ok(6, "Pong"));
            assertThat(other.call(new ClientMessage.Ping(2))).isEqualTo(ok(2, "Pong"));
        }
    }

    @Test
    void signalsWaitInOrderAndOnlyReachableProcessesGetThem() {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("collect@1.0.0", ctx -> {
                    StringBuilder sb = new StringBuilder();
                    for (String s = ctx.receiveSignal(); !s.equals("end"); s = ctx.receiveSignal()) sb.append(s);
                    return sb.toString();
                })
                .start();
             RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient a2 = RawEngineClient.connectAs(server.uri(), "alice")) {
            String pid = a.call(new ClientMessage.LaunchProcess(1, "collect@1.0.0", "", true, null)).result();
            a2.send(new ClientMessage.SignalProcess(pid, "ignored: a2 never attached"));
            a2.send(new ClientMessage.SignalProcess("garbage", "x"));
            assertThat(a2.call(new ClientMessage.Ping(1))).isEqualTo(ok(1, "Pong"));
            a.send(new ClientMessage.SignalProcess(pid, "1"));
            a.send(new ClientMessage.SignalProcess(pid, "2"));
            a.send(new ClientMessage.SignalProcess(pid, "3"));
            a.send(new ClientMessage.SignalProcess(pid, "end"));
            assertThat(a.next()).isEqualTo(event(pid, "return", "123"));
        }
    }

    @Test
    void otherRequestsAnswerWithTheEngineTexts() throws Exception {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("echo@1.0.0", InferletContext::input)
                .inferlet("fails@1.0.0", ctx -> {
                    throw new Exception("bad input " + ctx.input());
                })
                .modelStatus(Map.of("m.kv_pages_used", 3))
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            assertThat(c.call(new ClientMessage.Query(1, "model_status", ""))).isEqualTo(ok(1, "{\"m.kv_pages_used\":3}"));
            c.send(new ClientMessage.Query(2, "weather", ""));
            assertThat(c.call(new ClientMessage.Ping(3))).isEqualTo(ok(3, "Pong"));

            Response ids = c.call(new ClientMessage.LaunchProcesses(4, "echo@1.0.0", List.of("x", "y"), false, null));
            assertThat(ids.ok()).isTrue();
            assertThat(JsonParser.parseString(ids.result()).getAsJsonArray()).hasSize(2);
            Response captured = c.call(new ClientMessage.LaunchProcesses(5, "echo@1.0.0", List.of("p"), true, null));
            String pid = JsonParser.parseString(captured.result()).getAsJsonArray().get(0).getAsString();
            assertThat(c.next()).isEqualTo(event(pid, "return", "p"));
            List<Long> one = new ArrayList<>();
            one.add(null);
            assertThat(c.call(new ClientMessage.LaunchProcesses(6, "echo@1.0.0", List.of("a", "b"), true, one)))
                    .isEqualTo(fail(6, "token_budgets length 1 does not match inputs length 2"));
            assertThat(c.call(new ClientMessage.RunProcesses(7, "echo@1.0.0", List.of("\"r1\"", "r2"), null)))
                    .isEqualTo(ok(7, "[\"\\\"r1\\\"\",\"r2\"]"));
            assertThat(c.call(new ClientMessage.RunProcesses(8, "fails@1.0.0", List.of("q"), List.of(5L))))
                    .isEqualTo(fail(8, "bad input q"));
            assertThat(c.call(new ClientMessage.RunProcesses(9, "echo@1.0.0", List.of(), List.of(1L))))
                    .isEqualTo(fail(9, "token_budgets length 1 does not match inputs length 0"));
            assertThat(c.call(new ClientMessage.LaunchDaemon(10, 70000, "echo@1.0.0", "")))
                    .isEqualTo(ok(10, "server launched"));
            assertThat(c.call(new ClientMessage.LaunchDaemon(11, 8080, "echo", "")))
                    .isEqualTo(fail(11, "Invalid program identifier 'echo': expected 'name@major.minor.patch'"));
            assertThat(c.call(new ClientMessage.RegisterMcpServer(12, "fs", "stdio", "npx", List.of("x"), null)))
                    .isEqualTo(ok(12, "MCP server registered"));
        }
    }

    @Test
    void workflowTexts() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient a = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient a2 = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient bob = RawEngineClient.connectAs(server.uri(), "bob")) {
            Response bad = a.call(new ClientMessage.SubmitWorkflow(1, "{not json"));
            assertThat(bad.ok()).isFalse();
            assertThat(bad.result()).startsWith("Invalid workflow JSON: ");
            assertThat(a.call(new ClientMessage.SubmitWorkflow(2, "{\"type\":\"pipe\",\"stages\":[]}")))
                    .isEqualTo(fail(2, "Workflow has no executable steps"));
            Response ok = a.call(new ClientMessage.SubmitWorkflow(3,
                    "{\"type\":\"process\",\"program_name\":\"echo@1.0.0\"}"));
            assertThat(ok.ok()).isTrue();
            String wf = ok.result();
            assertThat(a.call(new ClientMessage.AttachWorkflow(4, wf))).isEqualTo(fail(4, "already attached"));
            assertThat(a2.call(new ClientMessage.AttachWorkflow(1, wf))).isEqualTo(fail(1, "already attached"));
            assertThat(bob.call(new ClientMessage.AttachWorkflow(1, wf))).isEqualTo(fail(1, "Permission denied"));
            assertThat(a.call(new ClientMessage.AttachWorkflow(5, "x"))).isEqualTo(fail(5, "Invalid workflow ID"));
            assertThat(a.call(new ClientMessage.AttachWorkflow(6, "00000000-0000-4000-8000-000000000000")))
                    .isEqualTo(fail(6, "Workflow not found"));
            assertThat(a.call(new ClientMessage.DetachWorkflow(7, wf))).isEqualTo(ok(7, "Workflow detached"));
            assertThat(a.call(new ClientMessage.DetachWorkflow(8, "x"))).isEqualTo(fail(8, "Invalid workflow ID"));
            assertThat(a2.call(new ClientMessage.AttachWorkflow(2, wf))).isEqualTo(ok(2, "Workflow attached"));
            assertThat(bob.call(new ClientMessage.CancelWorkflow(2, wf))).isEqualTo(ok(2, "Workflow cancelled"));
            assertThat(bob.call(new ClientMessage.CancelWorkflow(3, wf))).isEqualTo(fail(3, "Service not found"));
            assertThat(bob.call(new ClientMessage.CancelWorkflow(4, "?"))).isEqualTo(fail(4, "Invalid workflow ID"));
        }
    }

    @Test
    void identityHeaderAuthenticatesOnlyWhenTrusted() {
        try (PieTestServer trusting = PieTestServer.builder().trustIdentityHeader(true).start();
             PieTestServer plain = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connect(URI.create(trusting.uri() + "/v1/ws"),
                     Map.of("x-pie-identity", "acme/alice"));
             RawEngineClient d = RawEngineClient.connect(plain.uri(), Map.of("x-pie-identity", "alice"))) {
            assertThat(c.call(new ClientMessage.Ping(1))).isEqualTo(ok(1, "Pong"));
            assertThat(c.call(new ClientMessage.AuthIdentify(2, "x"))).isEqualTo(ok(2, "Already authenticated"));
            d.send(new ClientMessage.Ping(1));
            assertThat(d.call(new ClientMessage.AuthIdentify(2, "alice")))
                    .isEqualTo(ok(2, "Authenticated (Engine disabled authentication)"));
        }
    }

    @Test
    void closeStopsAllThreads() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        PieTestServer server = PieTestServer.builder()
                .inferlet("stuck@1.0.0", ctx -> {
                    never.await();
                    return "";
                })
                .start();
        RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice");
        c.call(new ClientMessage.LaunchProcess(1, "stuck@1.0.0", "", true, null));
        String port = String.valueOf(server.port());
        server.close();
        assertThat(c.closedFuture().get(5, TimeUnit.SECONDS)).isNotNull();
        c.close();
        List<String> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && (n.startsWith("WebSocketWorker") || n.startsWith("WebSocketSelector")
                    || n.startsWith("pie-test-") || n.contains(port))) {
                left.add(n);
            }
        }
        assertThat(left).isEmpty();
    }

    @Test
    void startFailsClearlyWhenThePortIsTaken() {
        try (PieTestServer first = PieTestServer.builder().start()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PieTestServer.builder().port(first.port()).start())
                    .isInstanceOf(org.pieproject.client.PieException.class)
                    .hasMessageContaining("could not start");
        }
    }

    static ServerMessage drain(RawEngineClient c, Duration d) {
        return c.next(d);
    }
}
