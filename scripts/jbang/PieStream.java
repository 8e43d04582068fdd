///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
// Launches an inferlet and streams its events until it ends.
//   jbang scripts/jbang/PieStream.java text-completion@0.1.0 '{"prompt":"What is Pie?"}'
// The engine is $PIE_URL (default ws://127.0.0.1:8080); the user is $PIE_USER (default: your login),
// signing with the key in $PIE_KEY when the engine has authentication on.
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

public class PieStream {
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: PieStream <name@version> [input-json]");
            System.exit(2);
        }
        String input = args.length > 1 ? args[1] : "{}";
        String url = System.getenv().getOrDefault("PIE_URL", "ws://127.0.0.1:8080");
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String key = System.getenv("PIE_KEY");
        try (PieClient client = PieClient.connect(url)) {
            client.authenticate(user, key == null ? null : ParsedPrivateKey.fromFile(key));
            PieProcess process = client.launchProcess(args[0], input);
            System.err.println("[launched " + process.id() + "]");
            for (ProcessEvent event : process) {
                switch (event) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Stderr(String text) -> System.err.print(text);
                    case ProcessEvent.Message(String text) -> System.out.println("[message] " + text);
                    case ProcessEvent.File file -> System.out.println("[file] " + file.safeFileName() + ", " + file.data().length + " bytes");
                    case ProcessEvent.Return(String value) -> System.out.println("[done] " + value);
                    case ProcessEvent.Error(String message) -> {
                        System.out.println("[error] " + message);
                        System.exit(1);
                    }
                }
            }
        }
    }
}
