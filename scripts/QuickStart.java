// The README's quick start as a program: connect, authenticate, launch, stream events, close.
// Run it with scripts/quickstart. With PIE_URL set it talks to that engine; otherwise it starts an
// embedded PieTestServer whose demo inferlet text-completion@0.1.0 streams a few tokens.
import java.net.URI;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testkit.TextCompletionDemo;

public class QuickStart {
    public static void main(String[] args) throws Exception {
        String url = System.getenv("PIE_URL");
        PieTestServer demo = null;
        if (url == null || url.isBlank()) {
            demo = PieTestServer.builder()
                    // The real text-completion's contract: one stdout write per piece, the whole text returned.
                    .inferlet("text-completion@0.1.0", new TextCompletionDemo(in -> "Pie runs programs, not prompts.\n"))
                    .start();
            url = demo.uri().toString();
            System.out.println("[demo] no PIE_URL set; using an embedded test engine at " + url);
        }
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String keyPath = System.getenv("PIE_KEY");

        try (PieClient client = PieClient.connect(URI.create(url))) {
            client.authenticate(user, keyPath == null ? null : ParsedPrivateKey.fromFile(keyPath));
            PieProcess process = client.launchProcess("text-completion@0.1.0",
                    "{\"prompt\":\"What is Pie?\",\"max_tokens\":32}");
            while (true) {
                switch (process.recv()) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Stderr(String text) -> System.err.print(text);
                    case ProcessEvent.Message(String text) -> System.out.println("[message] " + text);
                    case ProcessEvent.File file -> System.out.println("[file] " + file.data().length + " bytes");
                    case ProcessEvent.Return(String value) -> {
                        System.out.println("[done] " + value);
                        return;
                    }
                    case ProcessEvent.Error(String message) -> {
                        System.out.println("[error] " + message);
                        System.exit(1);
                    }
                }
            }
        } finally {
            if (demo != null) demo.close();
        }
    }
}
