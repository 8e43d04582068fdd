///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS org.pie-project:pie-client:${pie.version:0.1.0}
//DEPS dev.langchain4j:langchain4j-core:1.19.0
//DEPS org.java-websocket:Java-WebSocket:1.6.0
//DEPS org.slf4j:slf4j-nop:2.0.13
// Pie through LangChain4j: one answer from PieChatModel, then one streamed by PieStreamingChatModel, both
// from text-completion@0.1.0.
//   jbang scripts/jbang/PieLangChain4j.java ["question"]     # an embedded test engine with a demo inferlet
//   PIE_URL=ws://gpu-box:8080 jbang scripts/jbang/PieLangChain4j.java ["question"]
// $PIE_USER (default: your login) and $PIE_KEY (a private key file) are used when PIE_URL is set.
import java.util.concurrent.CompletableFuture;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.langchain4j.PieChatModel;
import org.pieproject.client.langchain4j.PieStreamingChatModel;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testkit.TextCompletionDemo;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

public class PieLangChain4j {
    public static void main(String[] args) throws Exception {
        String question = args.length > 0 ? args[0] : "What is Pie?";
        String url = System.getenv("PIE_URL");
        PieTestServer demo = null;
        if (url == null || url.isBlank()) {
            demo = PieTestServer.builder()
                    .inferlet("text-completion@0.1.0", new TextCompletionDemo(in -> "Pie runs inferlets: you asked \"" + in.prompt() + "\"."))
                    .start();
            url = demo.uri().toString();
            System.out.println("[demo engine at " + url + "]");
        }
        String user = System.getenv().getOrDefault("PIE_USER", System.getProperty("user.name"));
        String key = System.getenv("PIE_KEY");
        try (PieClient client = PieClient.connect(url)) {
            client.authenticate(user, key == null ? null : ParsedPrivateKey.fromFile(key));
            ChatModel model = PieChatModel.builder().client(client).maxTokens(64).build();
            System.out.println("[chat] " + model.chat(question));

            StreamingChatModel streaming = PieStreamingChatModel.builder().client(client).maxTokens(64).build();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            System.out.print("[stream] ");
            streaming.chat(question, new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String piece) {
                    System.out.print(piece);
                    System.out.flush();
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
            ChatResponse response = done.get();
            System.out.println();
            System.out.println("[done] " + response.finishReason() + ", process " + response.id());
        } finally {
            if (demo != null) demo.close();
        }
    }
}
