///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
// Uploads a local build (unless the engine already has it) and runs it, streaming its output.
//   jbang scripts/jbang/PieRunLocal.java target/wasm32-wasip2/release/my_inferlet.wasm Pie.toml '{"prompt":"hi"}'
// Add --force before the files to upload even when the engine has that name@version.
// The engine is $PIE_URL (default ws://127.0.0.1:8080), the user $PIE_USER, the key file $PIE_KEY.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

public class PieRunLocal {
    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        boolean force = args.remove("--force");
        if (args.size() < 2) {
            System.err.println("usage: PieRunLocal [--force] <program.wasm> <Pie.toml> [input-json]");
            System.exit(2);
        }
        Path wasm = Path.of(args.get(0));
        Path manifest = Path.of(args.get(1));
        String input = args.size() > 2 ? args.get(2) : "{}";
        String program = programId(Files.readString(manifest));

        String url = System.getenv().getOrDefault("PIE_URL", "ws://127.0.0.1:8080");
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String key = System.getenv("PIE_KEY");
        try (PieClient client = PieClient.connect(url)) {
            client.authenticate(user, key == null ? null : ParsedPrivateKey.fromFile(key));
            if (force || !client.checkProgram(program, wasm, manifest)) {
                System.err.println("[uploading " + program + ", " + Files.size(wasm) + " bytes]");
                client.addProgram(wasm, manifest, force);
            }
            PieProcess process = client.launchProcess(program, input);
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

    /**
     * name@version from the manifest's [package] table. A few lines of matching keep this script free of a
     * TOML library; the pie-client command line reads manifests with a real TOML parser.
     */
    static String programId(String manifest) {
        String pkg = manifest.split("(?m)^\\s*\\[package]\\s*$", 2).length < 2 ? ""
                : manifest.split("(?m)^\\s*\\[package]\\s*$", 2)[1].split("(?m)^\\s*\\[", 2)[0];
        return field(pkg, "name") + "@" + field(pkg, "version");
    }

    private static String field(String table, String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + name + "\\s*=\\s*[\"']([^\"']+)[\"']").matcher(table);
        if (!m.find()) throw new IllegalArgumentException("the manifest has no [package] " + name);
        return m.group(1);
    }
}
