package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.gateway.GatewayIdentity;

/**
 * The official JavaScript client 0.5.2 (the one published for Pie's 0.5 line) against the test engine's
 * gateway mode: the same interop.mjs as {@link JsClientInteropTest}, whose facts here are the gateway's.
 * Needs {@code node} and {@code npm ci --prefix src/test/js-interop}, as that test does.
 */
class JsClientGatewayInteropTest {
    private static final Duration SCRIPT_DEADLINE = Duration.ofSeconds(55);
    private static PieTestServer server;
    private static final Map<String, JsonObject> steps = new LinkedHashMap<>();
    private static String transcript = "";

    @BeforeAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    static void runScript() throws Exception {
        Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "js-interop");
        Optional<Path> node = JsClientInteropTest.findOnPath("node");
        String missing = JsClientInteropTest.missingPrerequisite(node, dir);
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) fail("JS interop cannot run under CI: " + missing);
            Assumptions.assumeTrue(false, "JsClientGatewayInteropTest skipped: " + missing);
        }
        server = PieTestServer.builder()
                .gateway(true)
                .inferlet("interop-stream@0.1.0", JsClientInteropTest::streamingInferlet)
                .inferlet("interop-files@0.1.0", JsClientInteropTest::fileReceivingInferlet)
                .inferlet("interop-wait@0.1.0", JsClientInteropTest::signalWaitingInferlet)
                .uploadedInferlet("interop-upload", ctx -> "{\"uploaded\":\"" + ctx.program() + "\"}")
                .start();
        Process process = new ProcessBuilder(node.get().toString(), "interop.mjs", server.uri().toString())
                .directory(dir.toFile()).start();
        process.getOutputStream().close();
        CompletableFuture<String> out = JsClientInteropTest.readAll(process.getInputStream());
        CompletableFuture<String> err = JsClientInteropTest.readAll(process.getErrorStream());
        boolean exited = process.waitFor(SCRIPT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        String stdout = JsClientInteropTest.drained(out);
        transcript = "--- stdout ---\n" + stdout + "\n--- stderr ---\n" + JsClientInteropTest.drained(err);
        assertTrue(exited, "interop.mjs did not finish\n" + transcript);
        assertEquals(0, process.exitValue(), "interop.mjs failed\n" + transcript);
        for (String line : stdout.split("\n")) {
            if (!line.startsWith("{")) continue;
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.has("step")) steps.put(o.get("step").getAsString(), o);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static JsonObject step(String name, boolean ok) {
        JsonObject s = steps.get(name);
        assertThat(s).as("step %s\n%s", name, transcript).isNotNull();
        assertThat(s.get("ok").getAsBoolean()).as("step %s ok\n%s", name, transcript).isEqualTo(ok);
        return s;
    }

    @Test
    void itConnectsOnV1WsWithItsIdentityAndPings() {
        assertThat(step("connect", true).get("url").getAsString()).isEqualTo(server.uri().toString());
        step("ping", true);
        assertThat(server.gateway().identities()).contains(new GatewayIdentity("acme", "alice"));
    }

    @Test
    void itUploadsFromMemoryAndRunsWhatItUploaded() {
        step("install", true);
        assertThat(step("check_after_install", true).get("installed").getAsBoolean()).isTrue();
        assertThat(step("run_uploaded", true).get("result").toString()).contains("interop-upload@1.0.0");
    }

    @Test
    void processesStreamSignalAndTerminateThroughTheGateway() {
        JsonArray events = step("stream", true).getAsJsonArray("events");
        assertThat(events.get(events.size() - 1).getAsJsonObject().get("event").getAsString()).isEqualTo("return");
        step("signal", true);
        JsonObject list = step("list_and_terminate", true);
        assertThat(list.get("terminateRejected").isJsonNull()).isTrue();
        step("launch_unknown", true); // rejected, as it should be: the step reports the rejection
    }

    @Test
    void aClosedSocketsProcessesEndWithItSoTheyCannotBeReattached() {
        // The gateway closes a socket's session with it, which cancels its turns and so its processes.
        assertThat(step("reattach_after_disconnect", false).get("error").getAsString()).contains("attach never succeeded");
    }

    @Test
    void withoutIdentityTheUpgradeIsRefused() {
        assertThat(step("no_identity_is_unauthenticated", true).get("connected").getAsBoolean()).isFalse();
    }
}
