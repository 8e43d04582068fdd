package org.pieproject.client.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.pieproject.client.ModelStatus;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.ProcessInfo;
import org.pieproject.client.ProcessOutput;
import org.pieproject.client.Reattachment;
import org.pieproject.client.testkit.PieTestServer;

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

    static void mcp(PieClient client) {
        // region mcp
        client.registerMcpServer("files", "stdio", "npx",
                List.of("-y", "@modelcontextprotocol/server-filesystem", "/tmp/shared"), null);
        // endregion
    }
}
