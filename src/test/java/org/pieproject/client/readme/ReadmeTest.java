package org.pieproject.client.readme;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.Reattachment;
import org.pieproject.client.TestCertificates;
import org.pieproject.client.mcp.FakeMcpServer;
import org.pieproject.client.testkit.McpResult;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Children;

/**
 * The README cannot drift from the code: every {@code ```java} block of README.md must be a region of
 * {@link ReadmeSnippets} (line for line, ignoring indentation), which the compiler checks, and every
 * region runs here against a {@link PieTestServer} with authentication on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    private static final Path SNIPPETS =
            Path.of("src", "test", "java", "org", "pieproject", "client", "readme", "ReadmeSnippets.java");
    /** The regions the tests below run; a new README block needs a region and a test. */
    private static final List<String> RUN = List.of("quick-start", "read-to-the-end", "record-input", "batches",
            "recovery", "service", "lost-process", "test-engine", "mcp", "langchain4j", "tls", "micrometer", "gateway");

    @TempDir
    static Path dir;
    private static Path keyPath;
    private static PieTestServer server;
    private static HttpServer registry;
    private static final CountDownLatch QUICK_START_RAN = new CountDownLatch(1);

    @BeforeAll
    static void startEngineAndRegistry() throws Exception {
        KeyPair alice = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        keyPath = dir.resolve("id_ed25519");
        Files.writeString(keyPath, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(alice.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        server = PieTestServer.builder()
                .user("alice", alice.getPublic())
                .inferlet("text-completion@0.1.0", ctx -> {
                    QUICK_START_RAN.countDown();
                    ctx.stdout("Pie runs ");
                    ctx.stdout("programs.\n");
                    return ctx.input();
                })
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout(ctx.input());
                    return ctx.input();
                })
                .inferlet("server@0.1.0", ctx -> "")
                .inferlet("wait@0.1.0", ctx -> ctx.receiveSignal())
                .inferlet("mcp-check@0.1.0", ctx -> {
                    McpResult r = ctx.mcp("files", "echo", "{\"from\":\"readme\"}");
                    return r.ok() + " " + r.result();
                })
                .start();
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/api/v1/inferlets/text-completion", exchange -> {
            byte[] body = "{\"versions\":[{\"num\":\"0.2.0\"},{\"num\":\"0.1.0\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        registry.start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) registry.stop(0);
        if (server != null) server.close();
    }

    private static PieClient alice() {
        PieClient client = PieClient.connect(server.uri());
        client.authenticate("alice", ParsedPrivateKey.fromFile(keyPath));
        return client;
    }

    // ---------------------------------------------------------------- the README matches the snippets

    @Test
    void everyJavaBlockOfTheReadmeIsARegionOfTheSnippets() throws IOException {
        List<List<String>> blocks = javaBlocks(Files.readAllLines(README));
        Map<String, List<String>> regions = regions(Files.readAllLines(SNIPPETS));
        assertThat(blocks).as("```java blocks in README.md").isNotEmpty();

        List<String> used = new ArrayList<>();
        for (List<String> block : blocks) {
            String match = regions.entrySet().stream().filter(r -> r.getValue().equals(block))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            assertThat(match).as("a region of ReadmeSnippets.java holding this README block:\n%s",
                    String.join("\n", block)).isNotNull();
            used.add(match);
        }
        assertThat(used).as("the regions the README's blocks are").containsExactlyInAnyOrderElementsOf(regions.keySet());
        assertThat(regions.keySet()).as("regions run by this test").containsExactlyInAnyOrderElementsOf(RUN);
    }

    /** The lines of each ```java block, without leading and trailing blanks. */
    static List<List<String>> javaBlocks(List<String> markdown) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : markdown) {
            String t = line.strip();
            if (current == null && t.equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && t.equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(t);
            }
        }
        assertThat(current).as("an unclosed ```java block in README.md").isNull();
        return blocks;
    }

    /** Each {@code // region <name>} ... {@code // endregion}, by name, as stripped lines. */
    static Map<String, List<String>> regions(List<String> source) {
        Pattern start = Pattern.compile("^// region (\\S+)$");
        Map<String, List<String>> regions = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : source) {
            String t = line.strip();
            Matcher m = start.matcher(t);
            if (m.matches()) {
                assertThat(current).as("nested region %s", m.group(1)).isNull();
                current = new ArrayList<>();
                assertThat(regions.put(m.group(1), current)).as("region %s given twice", m.group(1)).isNull();
            } else if (t.equals("// endregion")) {
                assertThat(current).as("an endregion without a region").isNotNull();
                current = null;
            } else if (current != null) {
                current.add(t);
            }
        }
        assertThat(current).as("an unclosed region").isNull();
        return regions;
    }

    @Test
    void theComparisonNoticesAChangedLine() {
        List<String> snippet = List.of("    // region r", "    int a = 1;", "    // endregion");
        List<String> readme = List.of("```java", "int a = 2;", "```");
        assertThat(regions(snippet).get("r")).isNotEqualTo(javaBlocks(readme).get(0));
        assertThat(regions(snippet).get("r")).isEqualTo(javaBlocks(List.of("```java", "  int a = 1;", "```")).get(0));
    }

    // ---------------------------------------------------------------- every snippet runs

    @Test
    void quickStart() throws Exception {
        ReadmeSnippets.quickStart(server.uri().toString(), keyPath.toString());
        assertThat(QUICK_START_RAN.await(1, TimeUnit.SECONDS)).as("text-completion ran").isTrue();
    }

    @Test
    void readToTheEnd() {
        try (PieClient client = alice()) {
            ReadmeSnippets.Read r = ReadmeSnippets.readToTheEnd(client);
            assertThat(r.value()).isEqualTo("{}");
            assertThat(r.out().stdout()).isEqualTo("{}");
        }
    }

    @Test
    void recordInput() {
        try (PieClient client = alice()) {
            assertThat(ReadmeSnippets.recordInput(client).result()).isEqualTo("{\"prompt\":\"Hello\",\"maxTokens\":32}");
        }
    }

    @Test
    void batches() {
        try (PieClient client = alice()) {
            ReadmeSnippets.Batches r = ReadmeSnippets.batches(client, "http://127.0.0.1:" + registry.getAddress().getPort());
            assertThat(r.ps()).hasSize(2).allSatisfy(p -> assertThat(p.result()).isEqualTo("{}"));
            assertThat(r.values()).containsExactly("{}", "{}");
            assertThat(r.status().models()).containsKey("test-model");
            assertThat(r.full()).isEqualTo("text-completion@0.2.0");
        }
    }

    @Test
    void recovery() {
        PieClient client = alice();
        String id;
        try {
            id = client.launchProcess("wait@0.1.0", "{}").id();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        Reattachment r = ReadmeSnippets.recovery(client, id);
        assertThat(client.isOpen()).as("the old client after reconnect()").isFalse();
        assertThat(r.attached()).containsOnlyKeys(id);
        assertThat(r.unattachable()).isEmpty();
        assertThat(r.ended()).isEmpty();
    }

    @Test
    void langChain4j() {
        try (PieClient client = alice()) {
            // This engine's text-completion returns its input: the question and the limit, mapped.
            assertThat(ReadmeSnippets.langChain4j(client)).isEqualTo("{\"prompt\":\"What is Pie?\",\"max_tokens\":128}");
        }
    }

    @Test
    void service() throws Exception {
        try (PieClient client = ReadmeSnippets.service(server.uri().toString(), keyPath.toString())) {
            assertThat(client.state()).isInstanceOf(org.pieproject.client.ConnectionState.Connected.class);
            assertThat(client.user()).isEqualTo("alice");
            client.ping();
        }
    }

    @Test
    void lostProcess() {
        try (PieClient client = alice()) {
            PieProcess p = client.launchProcess("echo@0.1.0", "\"hi\"");
            assertThat(ReadmeSnippets.survivor(p)).isEqualTo("\"hi\"");
        }
    }

    @Test
    void testEngine() {
        ReadmeSnippets.testEngine(); // the block asserts what the inferlet sent
    }

    @Test
    void gateway() {
        ReadmeSnippets.gateway();
    }

    /**
     * The block starts {@code npx -y @modelcontextprotocol/server-filesystem}, which would download it. It
     * runs in a child JVM whose {@code PATH} starts with a directory holding an {@code npx} that starts
     * {@link FakeMcpServer} instead; an inferlet then calls the registered server through the client.
     */
    @Test
    void micrometer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PieClient client = ReadmeSnippets.micrometer(server.uri().toString(), registry)) {
            client.authenticate("alice", ParsedPrivateKey.fromFile(keyPath));
            client.launchProcess("echo@0.1.0", "{}").result();
        }
        assertThat(registry.get("pie.client.requests").tags("type", "launch_process", "outcome", "ok").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("pie.client.processes").tags("inferlet", "echo@0.1.0", "outcome", "return").timer()
                .totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get("pie.client.process.events").tags("inferlet", "echo@0.1.0").counter().count())
                .isEqualTo(2); // its stdout and its return
        assertThat(registry.get("pie.client.connections").tags("event", "closed").counter().count()).isEqualTo(1);
    }

    @Test
    void tls() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        try (PieTestServer wss = PieTestServer.builder().tls(engine.serverContext())
                .inferlet("echo@0.1.0", ctx -> ctx.input()).start();
             PieClient client = ReadmeSnippets.tls(wss.uri().toString(), engine.certificate())) {
            client.authenticate("alice");
            assertThat(client.launchProcess("echo@0.1.0", "over TLS").result()).isEqualTo("over TLS");
        }
    }

    @Test
    void mcp() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("java.class.path");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path npx = bin.resolve("npx");
        Files.writeString(npx, "#!/bin/sh\nexec '" + java + "' -cp '" + classPath + "' "
                + FakeMcpServer.class.getName() + "\n");
        Files.setPosixFilePermissions(npx, PosixFilePermissions.fromString("rwxr-xr-x"));

        ProcessBuilder pb = new ProcessBuilder(java, "-cp", classPath, ReadmeMcpChild.class.getName(),
                server.uri().toString(), keyPath.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv().getOrDefault("PATH", ""));
        // The child and the fake npx it starts are killed if they outlive the deadline.
        Children.Finished child = Children.run(pb, Duration.ofSeconds(45));
        assertThat(child.exitCode()).as("child exit code; stderr: %s", child.stderr()).isZero();
        assertThat(child.stdout()).contains("true").contains("\"from\":\"readme\"");
    }
}
