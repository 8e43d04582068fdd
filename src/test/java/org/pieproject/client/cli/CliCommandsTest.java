package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.testkit.PieTestServer;

/**
 * Every command of the command line against {@link PieTestServer}, run in-process: exit codes, output, the
 * files a process sends, id prefixes (unique, unknown, ambiguous) and Ctrl-C detaching.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliCommandsTest {
    private static final String USER = "tester";

    @TempDir
    Path home;

    private final CountDownLatch release = new CountDownLatch(1);
    private PieTestServer server;
    private CliRun cli;

    @BeforeEach
    void start() throws Exception {
        server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout("input: " + ctx.input() + "\nsecond line\n");
                    ctx.stderr("a warning\n");
                    ctx.message("hello client");
                    return "{\"ok\":true}";
                })
                .inferlet("fail@0.1.0", ctx -> {
                    throw new IllegalStateException("out of cheese");
                })
                .inferlet("files@0.1.0", ctx -> {
                    ctx.sendFile("first".getBytes(StandardCharsets.UTF_8), "../../etc/report.txt");
                    ctx.sendFile("second".getBytes(StandardCharsets.UTF_8), "report.txt");
                    return "sent";
                })
                .inferlet("wait@0.1.0", ctx -> {
                    ctx.stdout("waiting\n");
                    release.await();
                    ctx.stdout("released\n");
                    return "done";
                })
                .start();
        cli = new CliRun(home);
        writeConfig(home.resolve(".pie/cli_config.toml"), server.port());
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    static void writeConfig(Path file, int port) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "host = \"127.0.0.1\"\nport = " + port + "\nusername = \"" + USER
                + "\"\nprivate_key_path = \"\"\nenable_auth = false\n");
    }

    private PieClient libraryClient() {
        PieClient c = PieClient.connect(server.uri());
        c.authenticate(USER);
        return c;
    }

    /** Launches processes that wait for {@link #release}, from a connection that then goes away (detaching them). */
    private List<String> launchWaiting(int count) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        try (PieClient c = libraryClient()) {
            for (int i = 0; i < count; i++) ids.add(c.launchProcess("wait@0.1.0", "{}").id());
        }
        // The engine detaches a closed connection's processes when it notices the close.
        assertThat(server.awaitConnectedSessions(0, Duration.ofSeconds(10))).isTrue();
        return ids;
    }

    @Test
    void pingPrintsTheRoundTripTime() {
        assertEquals(0, cli.run("ping"), cli.err());
        assertThat(cli.out()).contains("Pinging Pie engine at ws://127.0.0.1:" + server.port())
                .containsPattern("alive and responsive! \\(latency: \\d+\\.\\d{3} ms\\)");
    }

    @Test
    void pingFailsWithExitCodeOneWhenNoEngineListens() {
        int port = server.port();
        server.close();
        assertEquals(1, cli.run("ping", "--port", String.valueOf(port)));
        assertThat(cli.err()).startsWith("Error: Could not connect to engine at ws://127.0.0.1:" + port);
    }

    @Test
    void optionsOverrideTheConfigFile() throws Exception {
        Path other = home.resolve("other.toml");
        writeConfig(other, 1); // a port nobody listens on: only --port makes this work
        assertEquals(0, cli.run("ping", "--config", other.toString(), "--port", String.valueOf(server.port())), cli.err());
        assertEquals(1, cli.run("ping", "--config", home.resolve("missing.toml").toString()));
        assertThat(cli.err()).contains("Config file not found");
    }

    @Test
    void submitByNameStreamsEverythingAndTurnsArgumentsIntoJson() {
        int code = cli.run("submit", "echo@0.1.0", "--", "--prompt", "hi there", "--max-tokens", "8", "--greedy");
        assertEquals(0, code, cli.err());
        String input = server.receivedMessages().stream().filter(m -> "launch_process".equals(m.get("type")))
                .findFirst().orElseThrow().get("input").toString();
        assertThat(JsonParser.parseString(input).getAsJsonObject().toString())
                .isEqualTo("{\"prompt\":\"hi there\",\"max_tokens\":8,\"greedy\":true}");
        assertThat(cli.out()).contains("Inferlet launched with ID: ")
                .containsPattern("\\[Instance [0-9a-f]{8}] input: \\{\"prompt\":\"hi there\"")
                .containsPattern("\\[Instance [0-9a-f]{8}] second line\n")
                .containsPattern("\\[Instance [0-9a-f]{8}] Message: hello client")
                .containsPattern("\\[Instance [0-9a-f]{8}] Completed: \\{\"ok\":true}");
        assertThat(cli.err()).containsPattern("\\[Instance [0-9a-f]{8}] a warning\n");
    }

    @Test
    void submitExitsWithOneWhenTheInferletFails() {
        assertEquals(1, cli.run("submit", "fail@0.1.0"));
        assertThat(cli.err()).containsPattern("\\[Instance [0-9a-f]{8}] Error: out of cheese");
    }

    @Test
    void submitOfAnUnknownProgramFails() {
        assertEquals(1, cli.run("submit", "nothing@9.9.9"));
        assertThat(cli.err()).startsWith("Error: ");
    }

    @Test
    void submitWithoutInferletOrPathIsAnError() {
        assertEquals(1, cli.run("submit"));
        assertThat(cli.err()).contains("Specify an inferlet name or --path");
        assertEquals(1, cli.run("submit", "--path", "x.wasm"));
        assertThat(cli.err()).contains("--manifest is required");
    }

    @Test
    void submitSavesFilesUnderTheOutputDirectoryWithSafeNames() throws Exception {
        Path out = home.resolve("downloads");
        assertEquals(0, cli.run("submit", "files@0.1.0", "--output-dir", out.toString()), cli.err());
        assertThat(Files.readString(out.resolve("report.txt"))).isEqualTo("first");
        assertThat(Files.readString(out.resolve("report-1.txt"))).isEqualTo("second");
        try (var listing = Files.list(home)) {
            assertThat(listing.map(p -> p.getFileName().toString())).doesNotContain("etc");
        }
        assertThat(cli.out()).contains("File: saved " + out.resolve("report.txt"));
    }

    @Test
    void submitWithoutOutputCaptureReturnsAtOnce() {
        assertEquals(0, cli.run("submit", "-d", "echo@0.1.0"), cli.err());
        assertThat(cli.out()).contains("outputs not captured").doesNotContain("Completed");
    }

    @Test
    void submitByPathUploadsOnceThenReusesTheProgram() throws Exception {
        Path wasm = home.resolve("prog.wasm");
        Path manifest = home.resolve("Pie.toml");
        Files.write(wasm, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        Files.writeString(manifest, "[package]\nname = \"local-prog\"\nversion = \"1.2.3\"\n");
        assertEquals(0, cli.run("submit", "-p", wasm.toString(), "-m", manifest.toString(), "--", "--n", "1"), cli.err());
        assertThat(cli.out()).contains("Inferlet: local-prog@1.2.3", "Inferlet installed successfully.",
                "Completed: {\"n\":1}");
        assertThat(server.hasProgram("local-prog@1.2.3")).isTrue();
        assertEquals(0, cli.run("submit", "-p", wasm.toString(), "-m", manifest.toString()), cli.err());
        assertThat(cli.out()).contains("Inferlet already exists on server.", "Completed: {}");
    }

    @Test
    void installUploadsAndForceUploadsAgain() throws Exception {
        Path wasm = home.resolve("prog.wasm");
        Path manifest = home.resolve("Pie.toml");
        Files.write(wasm, new byte[300_000]);
        Files.writeString(manifest, "[package]\nname = \"inst\"\nversion = \"0.0.1\"\n");
        assertEquals(0, cli.run("install", "--path", wasm.toString(), "--manifest", manifest.toString()), cli.err());
        assertThat(cli.out()).contains("Inferlet: inst@0.0.1", "Inferlet installed successfully.");
        assertThat(server.uploadedProgram("inst@0.0.1")).hasValueSatisfying(b -> assertThat(b).hasSize(300_000));
        assertEquals(0, cli.run("install", "-p", wasm.toString(), "-m", manifest.toString()));
        assertThat(cli.out()).contains("already exists");
        server.clearReceivedMessages();
        assertEquals(0, cli.run("install", "-p", wasm.toString(), "-m", manifest.toString(), "--force"));
        assertThat(cli.out()).contains("Inferlet installed successfully.");
        assertThat(server.receivedMessages()).anyMatch(m -> "add_program".equals(m.get("type")));
    }

    @Test
    void installRefusesMissingFilesAndBadManifests() throws Exception {
        Path wasm = home.resolve("prog.wasm");
        Files.write(wasm, new byte[8]);
        assertEquals(1, cli.run("install", "-p", wasm.toString(), "-m", home.resolve("none.toml").toString()));
        assertThat(cli.err()).contains("Manifest file not found");
        Path manifest = home.resolve("Pie.toml");
        Files.writeString(manifest, "[package]\nname = \"x\"\n");
        assertEquals(1, cli.run("install", "-p", wasm.toString(), "-m", manifest.toString()));
        assertThat(cli.err()).contains("no package.version field");
        Files.writeString(manifest, "[package\n");
        assertEquals(1, cli.run("install", "-p", wasm.toString(), "-m", manifest.toString()));
        assertThat(cli.err()).contains("is not valid TOML");
        assertEquals(2, cli.run("install", "-p", wasm.toString()));
        assertThat(cli.err()).contains("Missing required option");
    }

    @Test
    void listShowsATableWithShortLongAndFullIds() throws Exception {
        assertEquals(0, cli.run("list"), cli.err());
        assertThat(cli.out()).contains("No running instances found.");
        List<String> ids = launchWaiting(2);
        assertEquals(0, cli.run("list"), cli.err());
        assertThat(cli.out()).contains("Found 2 running instances:", "ID    PROGRAM", "wait@0.1.0");
        for (String id : ids) assertThat(cli.out()).containsPattern("(?m)^" + id.substring(0, 4) + "  wait@0\\.1\\.0");
        assertEquals(0, cli.run("list", "--long"));
        for (String id : ids) assertThat(cli.out()).containsPattern("(?m)^" + id.substring(0, 8) + "  ");
        assertEquals(0, cli.run("list", "--full"));
        for (String id : ids) assertThat(cli.out()).containsPattern("(?m)^" + id + "  ");
    }

    @Test
    void abortTerminatesTheProcessAUniquePrefixNames() throws Exception {
        String id = launchWaiting(1).get(0);
        assertEquals(0, cli.run("abort", id.substring(0, 6).toUpperCase()), cli.err());
        assertThat(cli.out()).contains("Sent termination request for instance " + id);
        assertThat(server.runningProcesses()).doesNotContain(id);
    }

    @Test
    void unknownAndAmbiguousPrefixesFailAndSaySo() throws Exception {
        // 17 ids over 16 hex digits: at least two share their first character.
        List<String> ids = launchWaiting(17);
        Map<Character, List<String>> byFirst = new HashMap<>();
        for (String id : ids) byFirst.computeIfAbsent(id.charAt(0), c -> new ArrayList<>()).add(id);
        List<String> clash = byFirst.values().stream().filter(l -> l.size() > 1).findFirst().orElseThrow();
        String prefix = clash.get(0).substring(0, 1);

        for (String command : List.of("attach", "abort")) {
            assertEquals(1, cli.run(command, prefix), command);
            assertThat(cli.err()).contains("The prefix '" + prefix + "' is ambiguous");
            for (String id : clash) assertThat(cli.err()).contains("  " + id);
            assertEquals(1, cli.run(command, "not-an-id"), command);
            assertThat(cli.err()).contains("No instance found with ID prefix 'not-an-id'");
        }
        assertThat(server.runningProcesses()).containsAll(ids);
    }

    @Test
    void attachStreamsUntilTheProcessReturns() throws Exception {
        String id = launchWaiting(1).get(0);
        CompletableFuture<Integer> exit = cli.runAsync("attach", id.substring(0, 8));
        cli.awaitOut("Attached to instance " + id, 10);
        release.countDown();
        assertEquals(0, exit.get(20, TimeUnit.SECONDS), cli.err());
        assertThat(cli.out()).contains("] released", "Completed: done");
    }

    @Test
    void ctrlCDetachesLeavesTheProcessRunningAndSaysHowToReattach() throws Exception {
        String id = launchWaiting(1).get(0);
        CompletableFuture<Integer> exit = cli.runAsync("attach", id);
        cli.interrupts.pressCtrlC(10);
        assertEquals(ProcessStreamer.DETACHED, exit.get(10, TimeUnit.SECONDS));
        assertThat(cli.out()).contains("Detached", "Reattach with: pie-client attach " + id.substring(0, 8));
        assertThat(cli.err()).isEmpty();
        assertThat(server.runningProcesses()).contains(id);

        // ... and the advice works.
        assertThat(server.awaitConnectedSessions(0, Duration.ofSeconds(10))).isTrue();
        CompletableFuture<Integer> again = cli.runAsync("attach", id.substring(0, 8));
        cli.awaitOut("Attached to instance", 10);
        release.countDown();
        assertEquals(0, again.get(20, TimeUnit.SECONDS), cli.err());
        assertThat(cli.out()).contains("Completed: done");
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, cli.run("submit", "--no-such-option"));
        assertEquals(2, cli.run());
        assertEquals(0, cli.run("--help"));
        assertThat(cli.out()).contains("submit", "install", "list", "attach", "abort", "ping", "config");
    }

    @Test
    void sameProcessHandlesAreUnaffected() {
        // The CLI's connections are its own: a library client's process keeps streaming meanwhile.
        try (PieClient c = libraryClient()) {
            PieProcess p = c.launchProcess("wait@0.1.0", "{}");
            assertEquals(0, cli.run("list"));
            release.countDown();
            assertThat(p.result()).isEqualTo("done");
        }
    }
}
