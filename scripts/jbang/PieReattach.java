///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
// Reattaches to a running process (a unique prefix of its id is enough) and streams what it kept and
// what follows. Without an argument it lists your running processes.
//   jbang scripts/jbang/PieReattach.java 3f2a
// The engine is $PIE_URL (default ws://127.0.0.1:8080), the user $PIE_USER, the key file $PIE_KEY.
import java.util.List;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.ProcessInfo;

public class PieReattach {
    public static void main(String[] args) {
        String url = System.getenv().getOrDefault("PIE_URL", "ws://127.0.0.1:8080");
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String key = System.getenv("PIE_KEY");
        try (PieClient client = PieClient.connect(url)) {
            client.authenticate(user, key == null ? null : ParsedPrivateKey.fromFile(key));
            if (args.length == 0) {
                for (ProcessInfo p : client.listProcessInfo()) {
                    System.out.println(p.id() + "  " + p.program() + "  " + p.elapsed().toSeconds() + "s");
                }
                return;
            }
            List<String> matches = client.listProcesses().stream().filter(id -> id.startsWith(args[0])).toList();
            if (matches.size() != 1) {
                System.err.println(matches.isEmpty() ? "no running process starts with " + args[0]
                        : "ambiguous prefix " + args[0] + ": " + matches);
                System.exit(1);
            }
            PieProcess process = client.attachProcess(matches.get(0));
            System.err.println("[attached to " + process.id() + "]");
            for (ProcessEvent event : process) {
                switch (event) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Stderr(String text) -> System.err.print(text);
                    case ProcessEvent.Return(String value) -> System.out.println("[done] " + value);
                    case ProcessEvent.Error(String message) -> {
                        System.out.println("[error] " + message);
                        System.exit(1);
                    }
                    default -> System.out.println("[" + event + "]");
                }
            }
        }
    }
}
