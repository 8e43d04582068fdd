///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
//DEPS org.java-websocket:Java-WebSocket:1.6.0
//DEPS org.slf4j:slf4j-nop:2.0.13
// The quick start: connect, authenticate, launch text-completion@0.1.0, stream its tokens.
//   jbang scripts/jbang/PieQuickStart.java                 # an embedded test engine with a demo inferlet
//   PIE_URL=ws://gpu-box:8080 jbang scripts/jbang/PieQuickStart.java
// $PIE_USER (default: your login) and $PIE_KEY (a private key file) are used when PIE_URL is set.
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testkit.TextCompletionDemo;

public class PieQuickStart {
    public static void main(String[] args) {
        String url = System.getenv("PIE_URL");
        PieTestServer demo = null;
        if (url == null || url.isBlank()) {
            demo = PieTestServer.builder()
                    // The real text-completion's contract: one stdout write per piece, the whole text returned.
                    .inferlet("text-completion@0.1.0", new TextCompletionDemo(in -> "Inferlets are programs that run on Pie.\n"))
                    .start();
            url = demo.uri().toString();
            System.out.println("[demo engine at " + url + "]");
        }
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String key = System.getenv("PIE_KEY");
        try (PieClient client = PieClient.connect(url)) {
            client.authenticate(user, key == null ? null : ParsedPrivateKey.fromFile(key));
            PieProcess process = client.launchProcess("text-completion@0.1.0", "{\"prompt\":\"What is Pie?\",\"max_tokens\":32}");
            while (true) {
                switch (process.recv()) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Return(String value) -> {
                        System.out.println("[done] " + value);
                        return;
                    }
                    case ProcessEvent.Error(String message) -> throw new IllegalStateException(message);
                    default -> { }
                }
            }
        } finally {
            if (demo != null) demo.close();
        }
    }
}
