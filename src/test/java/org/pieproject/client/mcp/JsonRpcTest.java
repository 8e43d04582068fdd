package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class JsonRpcTest {

    @Test
    void requestsAreCompactSingleLineJson() {
        String text = JsonRpc.write(JsonRpc.request(7, "tools/call",
                JsonParser.parseString("{\"name\":\"a\\nb\",\"arguments\":{\"x\":null,\"h\":\"<&>\"}}")));

        assertThat(text).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\","
                + "\"params\":{\"name\":\"a\\nb\",\"arguments\":{\"x\":null,\"h\":\"<&>\"}}}");
        assertThat(text).doesNotContain("\n");
    }

    @Test
    void onlyIntegralNumbersAreIds() {
        assertThat(JsonRpc.numericId(JsonParser.parseString("12"))).isEqualTo(12L);
        assertThat(JsonRpc.numericId(JsonParser.parseString("12.0"))).isEqualTo(12L);
        assertThat(JsonRpc.numericId(JsonParser.parseString("12.5"))).isNull();
        assertThat(JsonRpc.numericId(JsonParser.parseString("\"12\""))).isNull();
        assertThat(JsonRpc.numericId(JsonParser.parseString("1e999999999"))).isNull();
        assertThat(JsonRpc.numericId(JsonParser.parseString("null"))).isNull();
    }

    @Test
    void errorRepliesKeepTheServersFieldsOrUseDefaults() {
        assertThat(JsonRpc.toReply(JsonParser.parseString(
                "{\"id\":1,\"error\":{\"code\":-32602,\"message\":\"m\",\"data\":{\"a\":null}}}").getAsJsonObject()))
                .isEqualTo(new McpReply(false, "{\"code\":-32602,\"message\":\"m\",\"data\":{\"a\":null}}"));
        assertThat(JsonRpc.toReply(JsonParser.parseString("{\"id\":1,\"error\":[1]}").getAsJsonObject()))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"MCP error\"}"));
        assertThat(JsonRpc.toReply(JsonParser.parseString("{\"id\":1,\"result\":{\"a\":null}}").getAsJsonObject()))
                .isEqualTo(new McpReply(true, "{\"a\":null}"));
    }

    @Test
    void localFailuresAreJsonObjects() {
        assertThat(McpReply.localFailure("MCP server 'q\"' is gone"))
                .isEqualTo(new McpReply(false, "{\"code\":-32000,\"message\":\"MCP server 'q\\\"' is gone\"}"));
    }

    @Test
    void durationsAreShortAndExact() {
        assertThat(StdioMcpServer.describe(Duration.ofMillis(500))).isEqualTo("500 ms");
        assertThat(StdioMcpServer.describe(Duration.ofSeconds(30))).isEqualTo("30 s");
        assertThat(StdioMcpServer.describe(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    }
}
