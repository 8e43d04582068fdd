package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.Blake3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.FileChunk;
import org.pieproject.client.wire.ServerMessage.McpRequest;
import org.pieproject.client.wire.ServerMessage.ProcessEvent;
import org.pieproject.client.wire.ServerMessage.Response;

/** Files both ways and the MCP relay (protocol.md §6.8, §6.9, §7.7). */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PieTestServerExchangeTest {
    private static final int CHUNK = 262_144;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static String blake3(byte[] b) {
        return Hex.encodeHexString(Blake3.hash(b));
    }

    private static void transfer(RawEngineClient c, String pid, byte[] data, String hash) {
        long total = Math.max(1, (data.length + CHUNK - 1) / CHUNK);
        for (long i = 0; i < total; i++) {
            int from = (int) (i * CHUNK);
            c.send(new ClientMessage.TransferFile(pid, hash, i, total, data, from, Math.min(data.length, from + CHUNK) - from));
        }
    }

    @Test
    void sentFilesAreContiguousChunksWithTheirHash() {
        byte[] data = random(600_000);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("files@1.0.0", ctx -> {
                    ctx.sendFile(new byte[0]);
                    ctx.sendFile(data);
                    ctx.sendFile(new byte[] {1, 2}, "dir/a.txt");
                    return "done";
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            String pid = c.call(new ClientMessage.LaunchProcess(1, "files@1.0.0", "", true, null)).result();
            String hash = blake3(data);
            List<FileChunk> chunks = new ArrayList<>();
            for (int i = 0; i < 3; i++) chunks.add((FileChunk) c.next());
            for (int i = 0; i < 3; i++) {
                FileChunk f = chunks.get(i);
                assertThat(f.processId()).isEqualTo(pid);
                assertThat(f.fileHash()).isEqualTo(hash);
                assertThat(f.chunkIndex()).isEqualTo(i);
                assertThat(f.totalChunks()).isEqualTo(3);
                assertThat(f.name()).isNull();
                assertThat(f.length()).isEqualTo(i < 2 ? CHUNK : 600_000 - 2 * CHUNK);
            }
            FileChunk named = (FileChunk) c.next();
            assertThat(named.name()).isEqualTo("dir/a.txt");
            assertThat(named.bytes()).containsExactly(1, 2);
            assertThat(named.totalChunks()).isEqualTo(1);
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "return", "done"));
        }
    }

    @Test
    void transferredFilesReachOnlyAWaitingInferletAndMustMatchTheirHash() {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("receiver@1.0.0", ctx -> {
                    List<String> got = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        ctx.message("ready");
                        Optional<byte[]> f = ctx.receiveFile(Duration.ofMillis(i == 0 ? 5000 : 300));
                        got.add(f.map(b -> b.length + ":" + blake3(b)).orElse("none"));
                    }
                    return String.join(",", got);
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice");
             RawEngineClient stranger = RawEngineClient.connectAs(server.uri(), "alice")) {
            String pid = c.call(new ClientMessage.LaunchProcess(1, "receiver@1.0.0", "", true, null)).result();
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "message", "ready"));
            byte[] data = random(300_000);
            // Not in the stranger's list: ignored. Its file differs from the owner's in bytes and hash, so
            // taking it would show in the result; the ping's answer proves the engine has read it first.
            byte[] strangers = random(1_000);
            transfer(stranger, pid, strangers, blake3(strangers));
            assertThat(stranger.call(new ClientMessage.Ping(50)).ok()).isTrue();
            transfer(c, pid, data, blake3(data));
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "message", "ready"));
            // A wrong hash: the file is thrown away and the second wait times out.
            transfer(c, pid, data, blake3(new byte[] {1}));
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "return", "300000:" + blake3(data) + ",none"));
        }
    }

    @Test
    void mcpCallsUseTheEnginesOwnIdsAndWaitForTheAnswer() throws Exception {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("tools@1.0.0", ctx -> {
                    McpResult list = ctx.mcp("fs", "tools/list", "{}");
                    McpResult call = ctx.mcp("fs", "tools/call", "{\"name\":\"read\",\"arguments\":{}}");
                    return ctx.mcpServers() + "|" + list + "|" + call;
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            assertThat(c.call(new ClientMessage.RegisterMcpServer(100, "fs", "stdio", "fs-server", null, null)))
                    .isEqualTo(new Response(100, true, "MCP server registered"));
            String pid = c.call(new ClientMessage.LaunchProcess(101, "tools@1.0.0", "", true, null)).result();
            assertThat(c.next()).isEqualTo(new McpRequest(1, pid, "fs", "tools/list", "{}"));
            c.send(new ClientMessage.McpResponse(77, true, "{}")); // unknown id: ignored
            c.send(new ClientMessage.McpResponse(1, true, "{\"tools\":[]}"));
            assertThat(c.next()).isEqualTo(new McpRequest(2, pid, "fs", "tools/call", "{\"name\":\"read\",\"arguments\":{}}"));
            c.send(new ClientMessage.McpResponse(2, false, "{\"code\":-32601,\"message\":\"no\"}"));
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "return",
                    "[fs]|McpResult[ok=true, result={\"tools\":[]}]|McpResult[ok=false, result={\"code\":-32601,\"message\":\"no\"}]"));
        }
    }

    @Test
    void terminateInterruptsAPendingMcpCallAndDetachedProcessesGetAnError() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("hang@1.0.0", ctx -> {
                    try {
                        return ctx.mcp("fs", "tools/list", "{}").toString();
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                })
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            String pid = c.call(new ClientMessage.LaunchProcess(1, "hang@1.0.0", "", true, null)).result();
            assertThat(c.next()).isInstanceOf(McpRequest.class);
            assertThat(c.call(new ClientMessage.TerminateProcess(2, pid))).isEqualTo(new Response(2, true, "Process terminated"));
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "error", "Signal"));
            assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();

            // No client attached (run_processes starts processes without one): the call fails at once.
            Response run = c.call(new ClientMessage.RunProcesses(3, "hang@1.0.0", List.of(""), null));
            assertThat(run.ok()).isTrue();
            assertThat(run.result()).contains("ok=false").contains("-32000");
        }
    }
}
