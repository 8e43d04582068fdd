package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.ProcessEvent;
import org.pieproject.client.wire.ServerMessage.Response;

/** check_program and the chunked add_program upload of protocol.md §5. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PieTestServerProgramTest {
    private static final int CHUNK = 262_144;

    private static String manifest(String name, String version) {
        return """
                # a comment
                [package]
                name = "%s"   # trailing comment
                version = '%s'
                description = "has = and [brackets]"
                authors = [
                    "a <a@example.org>",
                    "b",
                ]

                [runtime]
                core = "^0.2"

                [dependencies]
                name = "not this one"
                """.formatted(name, version);
    }

    /** Sends every chunk of an upload without waiting, as the official clients do. */
    private static void upload(RawEngineClient c, long corrId, byte[] wasm, String manifest, boolean force) {
        long total = Math.max(1, (wasm.length + CHUNK - 1) / CHUNK);
        for (long i = 0; i < total; i++) {
            int from = (int) (i * CHUNK);
            int to = Math.min(wasm.length, from + CHUNK);
            c.send(new ClientMessage.AddProgram(corrId, "hash-" + Arrays.hashCode(wasm), manifest, force, i, total,
                    wasm, from, to - from));
        }
    }

    private static ClientMessage.AddProgram chunk(long corrId, String hash, long index, long total, int size) {
        return new ClientMessage.AddProgram(corrId, hash, manifest("x", "1.0.0"), false, index, total,
                new byte[size], 0, size);
    }

    @Test
    void uploadInstallsUnderTheManifestIdentity() {
        try (PieTestServer server = PieTestServer.builder()
                .uploadedInferlet("shout", ctx -> ctx.input().toUpperCase())
                .start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            assertThat(c.call(new ClientMessage.CheckProgram(1, "bad name", "1.0.0", null, null)))
                    .isEqualTo(new Response(1, false,
                            "Invalid program identifier 'bad name@1.0.0': expected 'name@major.minor.patch'"));
            assertThat(c.call(new ClientMessage.CheckProgram(2, "shout", "1.2.3", "aa", "bb")))
                    .isEqualTo(new Response(2, true, "false"));
            byte[] wasm = new byte[CHUNK * 2 + 5];
            Arrays.fill(wasm, (byte) 7);
            upload(c, 3, wasm, manifest("shout", "1.2.3"), false);
            assertThat(c.next()).isEqualTo(new Response(3, true, "Program installed successfully"));
            assertThat(c.call(new ClientMessage.CheckProgram(4, "shout", "1.2.3", null, null)))
                    .isEqualTo(new Response(4, true, "true"));
            assertThat(server.uploadedProgram("shout@1.2.3")).hasValueSatisfying(b -> assertThat(b).isEqualTo(wasm));

            String pid = c.call(new ClientMessage.LaunchProcess(5, "shout@1.2.3", "hi", true, null)).result();
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "return", "HI"));

            // Without force the old bytes stay (and the answer is still success); with force they are replaced.
            byte[] other = {1, 2, 3};
            upload(c, 6, other, manifest("shout", "1.2.3"), false);
            assertThat(c.next()).isEqualTo(new Response(6, true, "Program installed successfully"));
            assertThat(server.uploadedProgram("shout@1.2.3")).hasValueSatisfying(b -> assertThat(b).isEqualTo(wasm));
            upload(c, 7, other, manifest("shout", "1.2.3"), true);
            assertThat(c.next()).isEqualTo(new Response(7, true, "Program installed successfully"));
            assertThat(server.uploadedProgram("shout@1.2.3")).hasValueSatisfying(b -> assertThat(b).isEqualTo(other));

            // An empty program is one empty chunk; other names run the default inferlet, which echoes.
            upload(c, 8, new byte[0], manifest("plain", "0.0.1"), false);
            assertThat(c.next()).isEqualTo(new Response(8, true, "Program installed successfully"));
            pid = c.call(new ClientMessage.LaunchProcess(9, "plain@0.0.1", "same", true, null)).result();
            assertThat(c.next()).isEqualTo(new ProcessEvent(pid, "return", "same"));
        }
    }

    @Test
    void chunkErrorsAndTheRepeatedFirstChunkQuirk() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            c.send(chunk(1, "h1", 1, 2, 10));
            assertThat(c.next()).isEqualTo(new Response(1, false, "First chunk index must be 0"));

            c.send(chunk(2, "h2", 0, 3, 10));
            c.send(chunk(2, "h2", 1, 4, 10));
            c.send(chunk(2, "h2", 2, 3, 10));
            assertThat(c.next()).isEqualTo(new Response(2, false, "Chunk count mismatch: expected 3, got 4"));
            assertThat(c.next()).isEqualTo(new Response(2, false, "First chunk index must be 0"));

            c.send(chunk(3, "h3", 0, 3, 10));
            c.send(chunk(3, "h3", 2, 3, 10));
            assertThat(c.next()).isEqualTo(new Response(3, false, "Out-of-order chunk: expected 1, got 2"));

            // total_chunks = 0 can never finish and is never answered.
            c.send(chunk(4, "h4", 0, 0, 10));
            assertThat(c.call(new ClientMessage.Ping(5))).isEqualTo(new Response(5, true, "Pong"));

            c.send(new ClientMessage.AddProgram(6, "h6", "[package]\nname = \"x\"\n", false, 0, 1, new byte[1], 0, 1));
            assertThat(c.next()).isEqualTo(new Response(6, false,
                    "Invalid manifest: Failed to parse manifest TOML: missing field `version`"));
            c.send(new ClientMessage.AddProgram(7, "h7", "not toml at all", false, 0, 1, new byte[1], 0, 1));
            Response r = c.response(7);
            assertThat(r.ok()).isFalse();
            assertThat(r.result()).startsWith("Invalid manifest: Failed to parse manifest TOML: ");
        }
    }

    @Test
    void uploadCapAllowsExactlyTheCap() {
        try (PieTestServer server = PieTestServer.builder().maxUploadMb(1).start();
             RawEngineClient c = RawEngineClient.connectAs(server.uri(), "alice")) {
            upload(c, 1, new byte[1024 * 1024], manifest("big", "1.0.0"), false);
            assertThat(c.next()).isEqualTo(new Response(1, true, "Program installed successfully"));
            upload(c, 2, new byte[1024 * 1024 + 1], manifest("bigger", "1.0.0"), false);
            assertThat(c.next()).isEqualTo(new Response(2, false, "upload exceeds max_upload_mb cap of 1 MiB"));
            assertThat(c.call(new ClientMessage.CheckProgram(3, "bigger", "1.0.0", null, null)))
                    .isEqualTo(new Response(3, true, "false"));
        }
    }

    @Test
    void manifestParserReadsOnlyThePackageIdentity() throws Exception {
        assertThat(ManifestParser.parse(manifest("a-b_c", "0.1.0"))).isEqualTo(new ManifestParser.Identity("a-b_c", "0.1.0"));
        assertThat(ManifestParser.parse("[package]\r\nname = \"q\\u00e9\"\r\nversion=\"1.0.0\"").name()).isEqualTo("qé");
        assertThatThrownBy(() -> ManifestParser.parse("")).hasMessage("missing field `package`");
        assertThatThrownBy(() -> ManifestParser.parse("[package]\nname = 3\nversion = \"1\""))
                .isInstanceOf(ManifestParser.InvalidManifest.class);
        assertThatThrownBy(() -> ManifestParser.parse("[package\nname=\"a\""))
                .hasMessage("TOML parse error at line 1: invalid table header");
    }

    @Test
    void builderRejectsBadIdentifiers() {
        assertThatThrownBy(() -> PieTestServer.builder().inferlet("x@1.0", ctx -> ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid program identifier 'x@1.0': expected 'name@major.minor.patch'");
        assertThatThrownBy(() -> PieTestServer.builder().inferlet("x@1.0.0\n", ctx -> ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
