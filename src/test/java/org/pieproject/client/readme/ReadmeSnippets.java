package org.pieproject.client.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import org.pieproject.client.ConnectionState;
import org.pieproject.client.ModelStatus;
import org.pieproject.client.PieGeneration;
import org.pieproject.client.PieHttpClient;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieMetricsListener;
import org.pieproject.client.PieProcess;
import org.pieproject.client.PieProcessLostException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.ProcessInfo;
import org.pieproject.client.ProcessOutput;
import org.pieproject.client.Reattachment;
import org.pieproject.client.ReconnectPolicy;
import org.pieproject.client.langchain4j.PieChatModel;
import org.pieproject.client.testkit.PieTestServer;

import dev.langchain4j.model.chat.ChatModel;

/**
 * The README's Java code blocks, each kept verbatim between {@code // region <name>} and
 * {@code // endregion}, so that they compile with the test sources. {@link ReadmeTest} checks that every
 * block of README.md is one of these regions and runs each method against a {@link PieTestServer}. The
 * variables a block uses without declaring them ({@code uri}, {@code keyPath}, {@code client}, ...) are
 * the methods' parameters; whatever a method does after its region is only there to hand results to the
 * test.
 */
@SuppressWarnings({"unused", "StatementWithEmptyBody"})
final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    static void quickStart(String uri, String keyPath) {
        // region quick-start
        try (PieClient client = PieClient.connect(uri)) {                      // uri: "ws://127.0.0.1:8080"
            client.authenticate("alice", ParsedPrivateKey.fromFile(keyPath));  // keyPath: "~/.ssh/id_ed25519"
            PieProcess process = client.launchProcess("text-completion@0.1.0", "{\"prompt\":\"What is Pie?\"}");
            while (true) {
                switch (process.recv()) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Return(String value) -> { System.out.println("[done] " + value); return; }
                    case ProcessEvent.Error(String message) -> throw new IllegalStateException(message);
                    default -> { }
                }
            }
        }
        // endregion
    }

    /** What {@link #readToTheEnd} read, for the test's assertions. */
    record Read(String value, ProcessOutput out) {}

    static Read readToTheEnd(PieClient client) {
        // region read-to-the-end
        String value = client.launchProcess("echo@0.1.0", "{}").result();          // the Return value, or a PieRequestException with the Error text
        ProcessOutput out = client.launchProcess("echo@0.1.0", "{}").output();     // value + stdout + stderr + messages + files
        for (ProcessEvent e : client.launchProcess("echo@0.1.0", "{}")) { }        // iterates up to the terminal event
        client.launchProcess("echo@0.1.0", "{}").events().filter(e -> e instanceof ProcessEvent.Stdout).count();
        // endregion
        return new Read(value, out);
    }

    static PieProcess recordInput(PieClient client) {
        // region record-input
        record Prompt(String prompt, int maxTokens) {}
        PieProcess p = client.launchProcess("text-completion@0.1.0", new Prompt("Hello", 32));
        // endregion
        return p;
    }

    /** What {@link #batches} got back, for the test's assertions. */
    record Batches(List<PieProcess> ps, List<String> values, List<ProcessInfo> infos, ModelStatus status,
                   String full) {}

    static Batches batches(PieClient client, String registryUrl) {
        // region batches
        List<PieProcess> ps = client.launchProcesses("echo@0.1.0", List.of("{}", "{}"), true, null); // one request, handles in input order
        List<String> values = client.runProcesses("echo@0.1.0", List.of("{}", "{}"), null, Duration.ofMinutes(5)); // waits for all
        client.launchDaemon("server@0.1.0", 8000, "{}");             // "server launched"; bind failures are never reported
        List<ProcessInfo> infos = client.listProcessInfo();           // id, username, program, input, elapsed
        ModelStatus status = client.modelStatus();                    // per model: kvPagesUsed(), totalTokensProcessed(), ... and stats()
        String full = PieClient.resolveVersion("text-completion", registryUrl); // "text-completion@<newest>"
        // endregion
        return new Batches(ps, values, infos, status, full);
    }

    static Reattachment recovery(PieClient client, String id) {
        // region recovery
        PieClient fresh = client.reconnect();            // same settings, authenticated the same way, nothing replayed
        Reattachment r = fresh.reattach(List.of(id));    // attached(): new handles, replaying what the engine kept
                                                         // unattachable(): still running, but a 0.4 engine keeps them tied
                                                         //   to the dead connection ("Process not found"); list/terminate work
                                                         // ended(): finished meanwhile; their last events are lost
        // endregion
        try (fresh) {
            r.attached().values().forEach(PieProcess::terminate);
        }
        return r;
    }

    static PieClient service(String uri, String keyPath) {
        // region service
        System.Logger log = System.getLogger("pie");
        PieClient client = PieClient.builder().uri(uri)
                .autoReconnect(ReconnectPolicy.defaults())   // up to 0.1 s, 0.2 s, 0.4 s ... 30 s apart; never gives up
                .onStateChange(state -> {                    // in order, on a thread of its own
                    switch (state) {
                        case ConnectionState.Reconnecting r -> log.log(System.Logger.Level.WARNING,
                                "attempt " + r.attempt() + " in " + r.delay().toMillis() + " ms: " + r.cause().getMessage());
                        case ConnectionState.Closed c when c.cause() != null ->
                                log.log(System.Logger.Level.ERROR, "the engine is gone for good: " + c.cause().getMessage());
                        default -> log.log(System.Logger.Level.INFO, state.toString());
                    }
                })
                .build();
        client.authenticate("alice", ParsedPrivateKey.fromFile(keyPath));  // done again after every reconnect
        // endregion
        return client;
    }

    static String survivor(PieProcess process) {
        // region lost-process
        try {
            return process.result();
        } catch (PieProcessLostException e) {       // not a normal end: the handle could not be re-attached
            return e.stillRunning() ? "still running on the engine, out of reach" : "ended while the connection was down";
        }
        // endregion
    }

    /** Self-contained: it starts its own engine. It passes if connecting, authenticating and launching do. */
    static void testEngine() {
        // region test-engine
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> { ctx.stdout(ctx.input()); return "done"; })
                .start();
             PieClient client = PieClient.connect(server.uri())) {
            client.authenticate("test");
            PieProcess p = client.launchProcess("echo@0.1.0", "{}");
            assertEquals(List.of(new ProcessEvent.Stdout("{}"), new ProcessEvent.Return("done")), p.events().toList());
        }
        // endregion
    }

    static PieClient tls(String uri, X509Certificate engineCertificate) throws GeneralSecurityException, IOException {
        // region tls
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("engine", engineCertificate);    // an X509Certificate, e.g. read from a PEM file
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);

        PieClient client = PieClient.builder().uri(uri).sslContext(tls).build(); // uri: "wss://pie.internal:8443"
        // endregion
        return client;
    }

    static PieClient micrometer(String uri, MeterRegistry registry) {
        // region micrometer
        record MicrometerBridge(MeterRegistry registry) implements PieMetricsListener {
            @Override
            public void count(String name, long amount, Map<String, String> tags) {
                registry.counter(name, tags(tags)).increment(amount);
            }

            @Override
            public void time(String name, Duration duration, Map<String, String> tags) {
                registry.timer(name, tags(tags)).record(duration);
            }

            private static Tags tags(Map<String, String> tags) {
                return Tags.of(tags.entrySet().stream().map(t -> Tag.of(t.getKey(), t.getValue())).toList());
            }
        }

        PieClient client = PieClient.builder().uri(uri).metricsListener(new MicrometerBridge(registry)).build();
        // endregion
        return client;
    }

    /** Self-contained: a gateway-mode engine, reached over both of its paths. It passes if both do. */
    static void gateway() {
        // region gateway
        try (PieTestServer gateway = PieTestServer.builder()
                .gateway(true)
                .inferlet("echo@0.1.0", ctx -> { ctx.stdout(ctx.input()); return "done"; })
                .start();
             PieClient ws = PieClient.builder().uri(gateway.uri()).identity("acme/alice").build();
             PieHttpClient http = PieHttpClient.builder().uri(gateway.httpUri()).identity("acme/alice").build()) {
            System.out.println(ws.launchProcess("echo@0.1.0", "\"socket\"").result());  // gateway.uri() ends in /v1/ws
            try (PieGeneration g = http.generate("echo@0.1.0", "\"http\"")) {           // POST /v1/generate, SSE back
                for (ProcessEvent e : g) System.out.println(e);
            }
        }
        // endregion
    }

    static void mcp(PieClient client) {
        // region mcp
        client.registerMcpServer("files", "stdio", "npx",
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/tmp/shared"), null);
        // endregion
    }

    static String langChain4j(PieClient client) {
        // region langchain4j
        ChatModel model = PieChatModel.builder()
                .client(client)        // or .url("ws://gpu-box:8080").user("alice").privateKey(key)
                .maxTokens(128)
                .build();
        String answer = model.chat("What is Pie?");
        // endregion
        return answer;
    }
}
