package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testkit.McpResult;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Children;

/**
 * The whole relay: an inferlet in the test engine calls an MCP server that lives next to the client,
 * through {@code mcp_request}/{@code mcp_response} and {@link PieClient#registerMcpServer}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class McpThroughClientTest {

    private static final Path EVERYTHING = Path.of("src", "test", "mcp-e2e", "node_modules", "@modelcontextprotocol",
            "server-everything", "dist", "index.js").toAbsolutePath();

    private PieTestServer server;
    private PieClient client;

    @BeforeEach
    void start() {
        server = PieTestServer.builder()
                .inferlet("mcp-user@0.1.0", ctx -> {
                    // input: "<server>|<method>|<params>"
                    String[] parts = ctx.input().split("\\|", 3);
                    McpResult r = ctx.mcp(parts[0], parts[1], parts[2]);
                    return (r.ok() ? "ok " : "err ") + r.result();
                })
                .start();
        client = PieClient.connect(server.uri());
        client.authenticate("alice");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private String call(String serverName, String method, String params) {
        PieProcess p = client.launchProcess("mcp-user@0.1.0", serverName + "|" + method + "|" + params);
        ProcessEvent last = null;
        for (ProcessEvent e : p) last = e;
        return ((ProcessEvent.Return) last).value();
    }

    @Test
    void anInferletCallsALocalServerThroughTheClient() {
        client.registerMcpServer("fake", "stdio", FakeServers.javaBinary(),
                FakeServers.jvmArgs(FakeMcpServer.class, "normal"), null);
        // The fake's "echo" method answers with the params it was sent.
        String answer = call("fake", "echo", "{\"name\":\"t\",\"arguments\":{\"x\":1}}");
        assertThat(answer).isEqualTo("ok {\"name\":\"t\",\"arguments\":{\"x\":1}}");
        String failed = call("fake", "fail", "{\"error\":{\"code\":-32602,\"message\":\"bad params\"}}");
        assertThat(JsonParser.parseString(failed.substring(4)).getAsJsonObject().get("code").getAsInt()).isEqualTo(-32602);
        assertThat(server.receivedMessages()).anySatisfy(m -> assertThat(m.get("type")).isEqualTo("register_mcp_server"));
    }

    @Test
    void anUnknownServerIsAnErrorObjectWithTheLocalFailureCode() {
        String answer = call("nobody", "tools/list", "{}");
        assertThat(answer).startsWith("err ");
        JsonObject error = JsonParser.parseString(answer.substring(4)).getAsJsonObject();
        assertThat(error.get("code").getAsInt()).isEqualTo(-32000);
        assertThat(error.get("message").getAsString()).contains("nobody").contains("not registered locally");
    }

    @Test
    void aServerThatCannotStartIsNotAnnouncedAndTheNameStaysFree() {
        assertThatThrownBy(() -> client.registerMcpServer("broken", "stdio", "/nonexistent/command", List.of(), null))
                .isInstanceOf(PieException.class);
        assertThat(server.receivedMessages()).noneSatisfy(m -> assertThat(m.get("type")).isEqualTo("register_mcp_server"));
        assertThatThrownBy(() -> client.registerMcpServer("web", "http", null, null, "http://127.0.0.1:1/mcp"))
                .isInstanceOf(PieException.class).hasMessageContaining("stdio");
    }

    @Test
    void closingTheClientEndsTheServersItStarted() {
        client.registerMcpServer("fake", "stdio", FakeServers.javaBinary(),
                FakeServers.jvmArgs(FakeMcpServer.class, "normal"), null);
        assertThat(FakeServers.liveFakes()).hasSize(1);
        client.close();
        assertThat(FakeServers.liveFakes()).isEmpty();
    }

    @Test
    void theRealEverythingServerAnswersToolsListAndToolsCall() {
        requireNodeAndEverything();
        client.registerMcpServer("everything", "stdio", "node", List.of(EVERYTHING.toString(), "stdio"), null);
        String tools = call("everything", "tools/list", "{}");
        assertThat(tools).startsWith("ok ");
        assertThat(JsonParser.parseString(tools.substring(3)).getAsJsonObject().getAsJsonArray("tools").asList())
                .anySatisfy(t -> assertThat(t.getAsJsonObject().get("name").getAsString()).isEqualTo("echo"));
        String echo = call("everything", "tools/call", "{\"name\":\"echo\",\"arguments\":{\"message\":\"hi from pie\"}}");
        assertThat(echo).startsWith("ok ").contains("Echo: hi from pie");
    }

    private static void requireNodeAndEverything() {
        String missing = null;
        if (!Files.isRegularFile(EVERYTHING)) missing = EVERYTHING + " is missing; run: npm ci --prefix src/test/mcp-e2e";
        else if (!nodeRuns()) missing = "'node' is not on the PATH";
        if (missing == null) return;
        if ("true".equals(System.getenv("CI"))) fail("MCP end-to-end test cannot run on CI: " + missing);
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "MCP end-to-end test skipped: " + missing);
    }

    private static boolean nodeRuns() {
        try {
            // Killed if it hangs: a read of its output would outlive any deadline.
            return Children.run(new ProcessBuilder("node", "--version"), Duration.ofSeconds(20)).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
