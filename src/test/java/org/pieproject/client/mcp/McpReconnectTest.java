package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.ConnectionState;
import org.pieproject.client.PieClient;
import org.pieproject.client.ReconnectPolicy;
import org.pieproject.client.testkit.McpResult;
import org.pieproject.client.testkit.PieTestServer;

/** After an automatic reconnect the engine knows this client's MCP servers again, and inferlets can call them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class McpReconnectTest {

    @Test
    void theMcpServersAreRegisteredAgainAfterAReconnect() throws Exception {
        CountDownLatch reconnected = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("mcp-user@0.1.0", ctx -> {
                    McpResult r = ctx.mcp("fake", "echo", "{\"name\":\"t\",\"arguments\":{}}");
                    return (r.ok() ? "ok " : "err ") + r.result();
                })
                .start();
             PieClient client = PieClient.builder().uri(server.uri())
                     .autoReconnect(new ReconnectPolicy(Duration.ofMillis(5), Duration.ofMillis(50), ReconnectPolicy.UNLIMITED))
                     .onStateChange(s -> {
                         if (s instanceof ConnectionState.Reconnected) reconnected.countDown();
                     })
                     .build()) {
            client.authenticate("alice");
            client.registerMcpServer("fake", "stdio", FakeServers.javaBinary(),
                    FakeServers.jvmArgs(FakeMcpServer.class, "normal"), null);
            server.faults().dropAllConnections();
            assertThat(reconnected.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.receivedMessages()).filteredOn(m -> "register_mcp_server".equals(m.get("type")))
                    .hasSize(2).allSatisfy(m -> assertThat(m.get("name")).isEqualTo("fake"));
            // The test engine forgets a lost session's servers, as the engine is designed to: this call works
            // only because the server was announced again.
            assertThat(client.launchProcess("mcp-user@0.1.0", "{}").result()).startsWith("ok ");
        }
    }
}
