///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
//DEPS org.java-websocket:Java-WebSocket:1.6.0
//DEPS org.slf4j:slf4j-nop:2.0.13
// One generation over a Pie 0.5 gateway's HTTP path (POST /v1/generate, events back as server-sent events).
//   jbang scripts/jbang/PieGenerateHttp.java [name@version [input-json]]   # an embedded gateway-mode test engine
//   PIE_HTTP_URL=http://gateway:8080 PIE_IDENTITY=acme/alice jbang scripts/jbang/PieGenerateHttp.java text-completion@0.1.0 '{"prompt":"Hi"}'
import org.pieproject.client.PieGeneration;
import org.pieproject.client.PieHttpClient;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testkit.PieTestServer;

public class PieGenerateHttp {
    public static void main(String[] args) {
        String inferlet = args.length > 0 ? args[0] : "text-completion@0.1.0";
        String input = args.length > 1 ? args[1] : "{\"prompt\":\"What is Pie?\"}";
        String url = System.getenv("PIE_HTTP_URL");
        String identity = System.getenv().getOrDefault("PIE_IDENTITY", System.getProperty("user.name"));
        PieTestServer demo = null;
        if (url == null || url.isBlank()) {
            demo = PieTestServer.builder()
                    .gateway(true)
                    .inferlet(inferlet, ctx -> {
                        for (String token : new String[] {"Generated", " over", " HTTP", " by", " a", " gateway", ".\n"}) {
                            ctx.stdout(token);
                        }
                        return "{\"tokens\":7,\"input\":" + ctx.input() + "}";
                    })
                    .start();
            url = demo.httpUri().toString();
            System.out.println("[demo gateway at " + url + "]");
        }
        try (PieHttpClient http = PieHttpClient.builder().uri(url).identity(identity).build();
             PieGeneration generation = http.generate(inferlet, input)) {
            for (ProcessEvent event : generation) {
                switch (event) {
                    case ProcessEvent.Stdout(String text) -> System.out.print(text);
                    case ProcessEvent.Return(String value) -> System.out.println("[done] " + value);
                    case ProcessEvent.Error(String message) -> throw new IllegalStateException(message);
                    default -> { }
                }
            }
        } finally {
            if (demo != null) demo.close();
        }
    }
}
