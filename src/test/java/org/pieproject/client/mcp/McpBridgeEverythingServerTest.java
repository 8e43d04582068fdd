package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testsupport.Children;

/**
 * The bridge against a real MCP server nobody here wrote: {@code @modelcontextprotocol/server-everything},
 * installed from npm into {@code src/test/mcp-e2e} (see its package.json for the pinned version; install
 * with {@code npm ci --prefix src/test/mcp-e2e}). Without node or the package the test is skipped, except
 * on CI ({@code CI=true}), where that is a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class McpBridgeEverythingServerTest {

    private static final Path SERVER = Path.of("src", "test", "mcp-e2e", "node_modules", "@modelcontextprotocol",
            "server-everything", "dist", "index.js").toAbsolutePath();

    // Per test rather than @BeforeAll, so that surefire reports a skip with its reason instead of nothing.
    @BeforeEach
    void needsNodeAndTheInstalledServer() {
        String missing = null;
        if (!nodeRuns()) {
            missing = "'node' is not on the PATH";
        } else if (!Files.isRegularFile(SERVER)) {
            missing = SERVER + " is missing; run: npm ci --prefix src/test/mcp-e2e";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("MCP end-to-end test cannot run on CI: " + missing);
            }
            Assumptions.assumeTrue(false, "MCP end-to-end test skipped: " + missing);
        }
    }

    private static boolean nodeRuns() {
        try {
            // Killed if it hangs: this runs in @BeforeEach, under the lifecycle deadline of
            // junit-platform.properties, and a read of its output would outlive that deadline.
            return Children.run(new ProcessBuilder("node", "--version"), Duration.ofSeconds(20)).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void listsAndCallsTheRealEchoTool() {
        ProcessHandle server;
        try (McpBridge bridge = new McpBridge(Duration.ofSeconds(30), Duration.ofSeconds(30))) {
            bridge.register("everything", "stdio", "node", List.of(SERVER.toString(), "stdio"), null);
            server = ProcessHandle.current().children()
                    .filter(child -> child.info().arguments().map(a -> List.of(a).contains(SERVER.toString()))
                            .orElse(false))
                    .findFirst().orElseThrow();

            McpReply tools = bridge.call("everything", "tools/list", "{}");
            assertThat(tools.ok()).as("tools/list: %s", tools.resultJson()).isTrue();
            List<String> toolNames = JsonParser.parseString(tools.resultJson()).getAsJsonObject()
                    .getAsJsonArray("tools").asList().stream()
                    .map(tool -> tool.getAsJsonObject().get("name").getAsString())
                    .toList();
            assertThat(toolNames).contains("echo");

            McpReply echo = bridge.call("everything", "tools/call",
                    "{\"name\":\"echo\",\"arguments\":{\"message\":\"hi\"}}");
            assertThat(echo.ok()).as("tools/call echo: %s", echo.resultJson()).isTrue();
            JsonObject result = JsonParser.parseString(echo.resultJson()).getAsJsonObject();
            JsonElement content = result.getAsJsonArray("content").get(0);
            assertThat(content.getAsJsonObject().get("type").getAsString()).isEqualTo("text");
            assertThat(content.getAsJsonObject().get("text").getAsString()).isEqualTo("Echo: hi");

            assertThat(bridge.call("everything", "no/such/method", "{}"))
                    .isEqualTo(new McpReply(false, "{\"code\":-32601,\"message\":\"Method not found\"}"));
        }
        assertThat(server.isAlive()).as("node server after close()").isFalse();
    }
}
