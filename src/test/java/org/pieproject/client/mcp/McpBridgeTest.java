package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pieproject.client.mcp.FakeServers.liveFakes;
import static org.pieproject.client.mcp.FakeServers.register;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieException;
import org.pieproject.client.testsupport.Await;
import org.pieproject.client.testsupport.Children;

/** The stdio bridge against {@link FakeMcpServer} child JVMs scripted to behave well and badly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class McpBridgeTest {

    private static final Duration HANDSHAKE = Duration.ofSeconds(15);
    private static final Duration CALL = Duration.ofSeconds(15);

    private McpBridge bridge = new McpBridge(HANDSHAKE, CALL);

    @AfterEach
    void closeBridgeAndCheckNoChildIsLeft() {
        bridge.close();
        assertThat(liveFakes()).as("fake MCP servers still running after close()").isEmpty();
    }

    private static McpReply ok(String resultJson) {
        return new McpReply(true, resultJson);
    }

    private static McpReply failure(String message) {
        return McpReply.localFailure(message);
    }

    // ---- handshake and relay ----

    @Test
    void handshakeSendsInitializeWithId1ThenTheInitializedNotification() {
        register(bridge, "fake", "normal");

        McpReply reply = bridge.call("fake", "init-info", "{}");

        assertThat(reply.ok()).isTrue();
        JsonObject info = JsonParser.parseString(reply.resultJson()).getAsJsonObject();
        assertThat(info.get("initParams").toString()).isEqualTo("{\"protocolVersion\":\"2024-11-05\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"pie-client-java\",\"version\":\"dev\"}}");
        assertThat(info.get("initId").toString()).isEqualTo("1");
        assertThat(info.get("initializedSeen").getAsBoolean()).isTrue();
        assertThat(info.get("thisId").toString()).isEqualTo("2");
        assertThat(bridge.serverNames()).containsExactly("fake");
    }

    @Test
    void eachServerCountsItsOwnIds() {
        register(bridge, "a", "normal");
        register(bridge, "b", "normal");
        bridge.call("a", "echo", "{}");
        bridge.call("a", "echo", "{}");

        String idsOfB = bridge.call("b", "init-info", "{}").resultJson();

        JsonObject info = JsonParser.parseString(idsOfB).getAsJsonObject();
        assertThat(info.get("initId").getAsInt()).isEqualTo(1);
        assertThat(info.get("thisId").getAsInt()).isEqualTo(2);
        assertThat(JsonParser.parseString(bridge.call("a", "init-info", "{}").resultJson())
                .getAsJsonObject().get("thisId").getAsInt()).isEqualTo(4);
    }

    @Test
    void resultsArePassedOnExactly() {
        register(bridge, "fake", "normal");
        String params = "{\"a\":[1,2.50,null,true,-0.0,12345678901234567890],\"s\":\"<é&> \\\"q\\\"\\n\\t\","
                + "\"n\":{},\"z\":null}";

        assertThat(bridge.call("fake", "echo", params)).isEqualTo(ok(params));
        assertThat(bridge.call("fake", "echo", "[1,\"two\"]")).isEqualTo(ok("[1,\"two\"]"));
        assertThat(bridge.call("fake", "echo", "\"text\"")).isEqualTo(ok("\"text\""));
    }

    @Test
    void paramsThatAreNotValidJsonBecomeAnEmptyObject() {
        register(bridge, "fake", "normal");

        for (String bad : new String[] {"not json", "", "  ", null, "{\"a\":1} trailing", "{'a':1}", "{\"a\":"}) {
            assertThat(bridge.call("fake", "echo", bad)).as("params %s", bad).isEqualTo(ok("{}"));
        }
    }

    @Test
    void serverErrorsKeepTheirCodeMessageAndData() {
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "fail",
                "{\"error\":{\"code\":-32602,\"message\":\"bad arguments\",\"data\":{\"field\":\"x\"}}}"))
                .isEqualTo(new McpReply(false,
                        "{\"code\":-32602,\"message\":\"bad arguments\",\"data\":{\"field\":\"x\"}}"));
        assertThat(bridge.call("fake", "fail", "{\"error\":{\"code\":7,\"message\":\"seven\",\"data\":[1]}}"))
                .isEqualTo(new McpReply(false, "{\"code\":7,\"message\":\"seven\",\"data\":[1]}"));
        assertThat(bridge.call("fake", "no-such-method", "{}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32601,\"message\":\"Method not found\"}"));
    }

    @Test
    void incompleteServerErrorsGetTheDefaults() {
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "fail", "{\"error\":{}}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"MCP error\"}"));
        assertThat(bridge.call("fake", "fail", "{\"error\":{\"code\":\"7\",\"message\":5,\"data\":null}}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"MCP error\"}"));
        assertThat(bridge.call("fake", "fail", "{\"error\":{\"code\":1.5,\"message\":\"m\"}}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"m\"}"));
        assertThat(bridge.call("fake", "fail", "{\"error\":{\"code\":4294967296,\"message\":\"m\"}}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"m\"}"));
        assertThat(bridge.call("fake", "fail", "{\"error\":\"plain text\"}"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"plain text\"}"));
    }

    @Test
    void aReplyWithoutResultIsNullAndANullErrorIsNoError() {
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "no-result", "{}")).isEqualTo(ok("null"));
        assertThat(bridge.call("fake", "fail", "{\"error\":null}")).isEqualTo(ok("null"));
    }

    @Test
    void callsToAnUnknownServerFailLocally() {
        assertThat(bridge.call("nobody", "tools/list", "{}"))
                .isEqualTo(new McpReply(false,
                        "{\"code\":-32000,\"message\":\"MCP server 'nobody' is not registered locally\"}"));
        assertThat(bridge.call(null, "tools/list", "{}").ok()).isFalse();
    }

    @Test
    void serverPingsAreAnsweredAndOtherServerRequestsRefused() {
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "ask-ping", "{}"))
                .isEqualTo(ok("{\"clientAnswer\":{\"jsonrpc\":\"2.0\",\"id\":\"srv-1\",\"result\":{}}}"));
    }

    // ---- concurrency and noise ----

    @Test
    void fiftyConcurrentCallsAnsweredInReverseOrderEachGetTheirOwnResult() throws Exception {
        // The fake holds every echo until all 50 have arrived, so this only passes if calls really overlap.
        register(bridge, "fake", "normal", "50");
        List<CompletableFuture<McpReply>> replies = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String params = "{\"i\":" + i + "}";
            CompletableFuture<McpReply> reply = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> reply.complete(bridge.call("fake", "echo", params)));
            replies.add(reply);
        }

        for (int i = 0; i < 50; i++) {
            assertThat(replies.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(ok("{\"i\":" + i + "}"));
        }
        assertThat(bridge.pendingCalls("fake")).isZero();
    }

    @Test
    void garbageNotificationsAndStrayRepliesBetweenAnswersAreSkipped() {
        // Before each answer the fake writes non-JSON, an empty line, a notification, an array, a reply to
        // an unknown id, a reply whose id is the string "2", and "{id:2 ...} junk": none may complete call 2.
        register(bridge, "fake", "garbage");

        for (int i = 0; i < 3; i++) {
            assertThat(bridge.call("fake", "echo", "{\"n\":" + i + "}")).isEqualTo(ok("{\"n\":" + i + "}"));
        }
    }

    @Test
    void megabytesOfStderrDoNotStallTheServer() {
        // 4 MiB during the handshake and 4 MiB during a call: far beyond a pipe buffer, so an undrained
        // stderr would block the child and time out.
        register(bridge, "fake", "flood-stderr");

        assertThat(bridge.call("fake", "stderr", "{\"bytes\":4194304}")).isEqualTo(ok("{\"bytes\":4194304}"));
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(ok("{}"));
    }

    @Test
    void multiMegabyteMessagesGoBothWays() {
        register(bridge, "fake", "normal");
        String params = "{\"blob\":\"" + "ab\\u00e9".repeat(1024 * 1024) + "\"}";
        String expected = "{\"blob\":\"" + "abé".repeat(1024 * 1024) + "\"}";

        assertThat(bridge.call("fake", "echo", params)).isEqualTo(ok(expected));
    }

    @Test
    void anOverlongStdoutLineStopsThatServer() {
        bridge = new McpBridge(HANDSHAKE, CALL, 1024 * 1024);
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "long-line", "{\"bytes\":2097152}")).isEqualTo(failure(
                "MCP server 'fake' sent a stdout line longer than 1048576 bytes and was stopped"));
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(failure("MCP server 'fake' is no longer running"));
    }

    // ---- handshake failures ----

    @Test
    void aRefusedHandshakeFailsRegistrationWithTheStderrTail() {
        assertThatThrownBy(() -> register(bridge, "fake", "refuse-handshake"))
                .isInstanceOf(PieException.class)
                .hasMessageStartingWith("MCP server 'fake' failed the initialize handshake: "
                        + "it answered with error -32602: Unsupported protocol version; its stderr ended with:\n")
                .hasMessageContaining("unsupported protocol version, sorry");

        assertThat(bridge.serverNames()).isEmpty();
        assertThat(liveFakes()).isEmpty();
        assertThat(bridge.call("fake", "echo", "{}"))
                .isEqualTo(failure("MCP server 'fake' is not registered locally"));
        register(bridge, "fake", "normal"); // the name is free again
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(ok("{}"));
    }

    @Test
    void aServerThatExitsAtStartFailsRegistrationWithExitStatusAndStderr() {
        assertThatThrownBy(() -> register(bridge, "fake", "exit-at-start"))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'fake' failed the initialize handshake: it died before response "
                        + "(exit status 3); its stderr ended with:\nfatal: config file missing");
    }

    @Test
    void aServerThatExitsDuringTheHandshakeFailsRegistration() {
        assertThatThrownBy(() -> register(bridge, "fake", "exit-in-handshake"))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'fake' failed the initialize handshake: it died before response "
                        + "(exit status 4); its stderr ended with:\ncrashing during initialize");
    }

    @Test
    void aSilentHandshakeTimesOutAndTheChildIsStopped() {
        bridge = new McpBridge(Duration.ofSeconds(1), CALL);
        long started = System.nanoTime();

        assertThatThrownBy(() -> register(bridge, "fake", "silent-handshake"))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'fake' failed the initialize handshake: it did not answer initialize "
                        + "within 1 s; it wrote nothing to stderr");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(liveFakes()).isEmpty();
    }

    @Test
    void theStderrTailInAnErrorIsBounded() {
        assertThatThrownBy(() -> register(bridge, "fake", "flood-then-refuse"))
                .isInstanceOf(PieException.class)
                .hasMessageContaining("; its stderr ended with:\n…")
                .hasMessageEndingWith("LAST WORDS")
                .satisfies(e -> assertThat(e.getMessage().length()).isBetween(8000, 8400));
    }

    @Test
    void aCommandThatCannotStartFailsWithoutShowingItsArguments() {
        assertThatThrownBy(() -> bridge.register("x", "stdio", "/nonexistent/mcp-server", List.of("--token", "s3cret"),
                null))
                .isInstanceOf(PieException.class)
                .hasMessageStartingWith("MCP server 'x': could not start '/nonexistent/mcp-server': ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
        assertThat(bridge.serverNames()).isEmpty();
    }

    @Test
    void badRegistrationsAreRefusedClearly() {
        register(bridge, "fake", "normal");

        assertThatThrownBy(() -> register(bridge, "fake", "normal"))
                .isInstanceOf(PieException.class).hasMessage("MCP server 'fake' is already registered");
        assertThatThrownBy(() -> bridge.register("web", "sse", null, null, "http://localhost:1/mcp"))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'web': transport 'sse' is not supported; supported: stdio");
        assertThatThrownBy(() -> bridge.register("web", null, "x", null, null))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'web': transport 'null' is not supported; supported: stdio");
        assertThatThrownBy(() -> bridge.register("nocmd", "stdio", " ", List.of(), null))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'nocmd': the stdio transport needs a command");
        assertThatThrownBy(() -> bridge.register("nullarg", "stdio", "x", java.util.Arrays.asList("a", null), null))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'nullarg': its arguments must not contain null");
        assertThatThrownBy(() -> bridge.register(" ", "stdio", "x", List.of(), null))
                .isInstanceOf(PieException.class)
                .hasMessage("an MCP server needs a non-blank name");
        assertThat(bridge.serverNames()).containsExactly("fake");
        assertThat(liveFakes()).hasSize(1);
    }

    // ---- a server that dies or hangs ----

    @Test
    void aServerThatDiesMidCallFailsThatCallAndLaterOnes() {
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "die", "{}")).isEqualTo(failure("MCP server 'fake' died before response"));
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(failure("MCP server 'fake' is no longer running"));
    }

    @Test
    void aServerThatExitsAfterTheHandshakeFailsCalls() {
        register(bridge, "fake", "exit-after-handshake");

        // Whether the first call is sent before or after the exit is noticed is a race; either way it fails.
        McpReply first = bridge.call("fake", "echo", "{}");
        assertThat(first).isIn(failure("MCP server 'fake' died before response"),
                failure("MCP server 'fake' is no longer running"));
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(failure("MCP server 'fake' is no longer running"));
    }

    @Test
    void anUnansweredCallTimesOutWithoutLeavingAPendingEntry() {
        bridge = new McpBridge(HANDSHAKE, Duration.ofMillis(500));
        register(bridge, "fake", "normal");

        assertThat(bridge.call("fake", "ignore", "{}"))
                .isEqualTo(failure("MCP server 'fake' did not answer ignore within 500 ms"));
        assertThat(bridge.pendingCalls("fake")).isZero();
        assertThat(bridge.call("fake", "echo", "{\"after\":true}")).isEqualTo(ok("{\"after\":true}"));
    }

    // ---- ending children ----

    @Test
    void closeEndsEveryChildEvenAStubbornOneAndFailsPendingCalls() throws Exception {
        register(bridge, "a", "normal");
        register(bridge, "b", "normal");
        register(bridge, "stubborn", "stubborn");
        List<ProcessHandle> children = liveFakes();
        assertThat(children).hasSize(3);
        CompletableFuture<McpReply> pendingCall = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> pendingCall.complete(bridge.call("a", "ignore", "{}")));
        Await.until("the call to 'a' is pending", () -> bridge.pendingCalls("a") > 0);
        long started = System.nanoTime();

        bridge.close();

        // "stubborn" ignores both the end of stdin and SIGTERM: 1 s + 1 s, then SIGKILL; all in parallel.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(pendingCall.get(5, TimeUnit.SECONDS)).isEqualTo(failure("MCP server 'a' died before response"));
        assertThat(bridge.serverNames()).isEmpty();
        assertThat(bridge.call("b", "echo", "{}")).isEqualTo(failure("MCP server 'b' is not registered locally"));
        assertThatThrownBy(() -> register(bridge, "c", "normal"))
                .isInstanceOf(PieException.class)
                .hasMessage("MCP server 'c' not started: the MCP bridge is closed");
        bridge.close(); // idempotent
    }

    @Test
    void unregisterEndsTheChildAndFreesTheName() {
        register(bridge, "fake", "normal");
        ProcessHandle child = liveFakes().getFirst();

        bridge.unregister("fake");

        assertThat(child.isAlive()).isFalse();
        assertThat(bridge.serverNames()).isEmpty();
        bridge.unregister("fake"); // nothing left to do
        register(bridge, "fake", "normal");
        assertThat(bridge.call("fake", "echo", "{}")).isEqualTo(ok("{}"));
    }

    @Test
    void theShutdownHookEndsChildrenLeftRunningAtJvmExit() throws Exception {
        Process probe = new ProcessBuilder(FakeServers.javaBinary())
                .command(withJava(FakeServers.jvmArgs(BridgeExitProbe.class)))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long childPid;
        try (BufferedReader out = Children.stdout(probe)) {
            // A probe that never prints is killed (with its child), which also ends the read.
            String line = Children.readLine(probe, out, Duration.ofSeconds(20));
            assertThat(line).as("pid printed by the probe").isNotNull();
            childPid = Long.parseLong(line.strip());
        } finally {
            if (!probe.waitFor(20, TimeUnit.SECONDS)) {
                Children.destroy(probe);
            }
        }
        assertThat(probe.exitValue()).isZero();

        ProcessHandle child = ProcessHandle.of(childPid).orElse(null);
        try {
            // The hook waited up to 1 s after SIGTERM and then killed it, before the probe JVM ended.
            if (child != null) {
                child.onExit().get(5, TimeUnit.SECONDS);
            }
        } finally {
            if (child != null && child.isAlive()) {
                child.destroyForcibly(); // do not leave it behind even if the assertion fails
            }
        }
        assertThat(child == null || !child.isAlive()).isTrue();
    }

    private static List<String> withJava(List<String> jvmArgs) {
        List<String> command = new ArrayList<>();
        command.add(FakeServers.javaBinary());
        command.addAll(jvmArgs);
        return command;
    }
}
