package org.pieproject.client.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.testkit.Inferlet;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testkit.TextCompletionDemo;

import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.SystemMessage;

/** PieChatModel against PieTestServer running the demo text-completion, the way applications use it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PieChatModelTest {
    static final String TC = "text-completion@0.1.0";

    interface Assistant {
        String chat(String message);
    }

    interface Pirate {
        @SystemMessage("You talk like a pirate.")
        String chat(String message);
    }

    final AtomicInteger answers = new AtomicInteger();
    final TextCompletionDemo demo = new TextCompletionDemo(in -> "answer " + answers.incrementAndGet() + " to " + lastLine(in.prompt()));
    final CountDownLatch stuckStarted = new CountDownLatch(1);
    final Inferlet stuck = ctx -> {
        ctx.stdout("thinking");
        stuckStarted.countDown();
        ctx.receiveSignal(); // until terminated
        return "never";
    };
    PieTestServer server;
    PieClient client;

    /** The last user turn of a prompt (the whole prompt when it is a single message). */
    static String lastLine(String s) {
        return s.substring(s.lastIndexOf('\n') + 1).replaceFirst("^User: ", "");
    }

    @BeforeEach
    void start() {
        server = PieTestServer.builder().inferlet(TC, demo).inferlet("stuck@0.1.0", stuck).start();
        client = PieClient.connect(server.uri());
        client.authenticate("lc4j");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void anAiServiceAnswersThroughPie() {
        Pirate pirate = AiServices.create(Pirate.class, PieChatModel.builder().client(client).build());
        assertThat(pirate.chat("Hello there")).isEqualTo("answer 1 to Hello there");
        assertThat(demo.inputs()).singleElement().satisfies(in -> {
            assertThat(in.prompt()).isEqualTo("Hello there");
            assertThat(in.system()).isEqualTo("You talk like a pirate.");
        });
    }

    @Test
    void theResponseHasTheProcessIdTheInferletAndStopButNoInventedTokenUsage() {
        PieChatModel model = PieChatModel.builder().client(client).build();
        ChatResponse r = model.chat(UserMessage.from("hi"));
        assertThat(r.aiMessage().text()).isEqualTo("answer 1 to hi");
        assertThat(r.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(r.modelName()).isEqualTo(TC);
        assertThat(r.finishReason()).isEqualTo(dev.langchain4j.model.output.FinishReason.STOP);
        assertThat(r.tokenUsage()).isNull();
        assertThat(demo.inputs().get(0).system()).isEqualTo(TextCompletionDemo.DEFAULT_SYSTEM);
    }

    @Test
    void everyTurnOfAConversationWithMemoryReachesTheInferlet() {
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(PieChatModel.builder().client(client).build())
                .chatMemory(MessageWindowChatMemory.withMaxMessages(10))
                .build();
        assertThat(assistant.chat("first")).isEqualTo("answer 1 to first");
        assertThat(assistant.chat("second")).isEqualTo("answer 2 to second");
        assertThat(assistant.chat("third")).isEqualTo("answer 3 to third");
        assertThat(demo.inputs()).extracting(TextCompletionDemo.Input::prompt).containsExactly(
                "first",
                "User: first\n\nAssistant: answer 1 to first\n\nUser: second",
                "User: first\n\nAssistant: answer 1 to first\n\nUser: second\n\nAssistant: answer 2 to second\n\nUser: third");
    }

    @Test
    void builderDefaultsAndRequestParametersBecomeInputFields() {
        PieChatModel model = PieChatModel.builder().client(client).maxTokens(3).temperature(0.25).topP(0.5).build();
        assertThat(model.chat("a b c d e")).isEqualTo("answer 1 to"); // three pieces: "answer", " 1", " to"
        model.chat(ChatRequest.builder().messages(UserMessage.from("x")).maxOutputTokens(100).temperature(0.75).build());
        assertThat(demo.inputs()).containsExactly(
                new TextCompletionDemo.Input("a b c d e", 3, TextCompletionDemo.DEFAULT_SYSTEM, 0.25, 0.5),
                new TextCompletionDemo.Input("x", 100, TextCompletionDemo.DEFAULT_SYSTEM, 0.75, 0.5));
    }

    @Test
    void toolsAreRefusedBeforeAnythingIsLaunched() {
        Assistant withTools = AiServices.builder(Assistant.class)
                .chatModel(PieChatModel.builder().client(client).build())
                .tools(new Object() {
                    @Tool("the time")
                    String now() {
                        return "noon";
                    }
                })
                .build();
        assertThatThrownBy(() -> withTools.chat("what time is it?"))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("do not support tools");
        assertThat(demo.inputs()).isEmpty();
        assertThat(server.receivedMessages()).noneMatch(m -> "launch_process".equals(m.get("type")));
    }

    @Test
    void aJsonResponseFormatIsRefused() {
        PieChatModel model = PieChatModel.builder().client(client).build();
        ChatRequest json = ChatRequest.builder().messages(UserMessage.from("{}?")).responseFormat(ResponseFormat.JSON).build();
        assertThatThrownBy(() -> model.chat(json))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("JSON response format");
        assertThat(demo.inputs()).isEmpty();
    }

    @Test
    void aProcessErrorIsThrownWithTheEnginesMessage() {
        PieChatModel model = PieChatModel.builder().client(client).inputMapper(request -> "{\"max_tokens\":1}").build();
        assertThatThrownBy(() -> model.chat("hi"))
                .isInstanceOf(LangChain4jException.class)
                .hasMessageContaining("failed: Failed to parse JSON input: missing field `prompt`");
        assertThat(client.listProcesses()).isEmpty();
    }

    @Test
    void aFailedLaunchIsThrownWithTheEnginesMessage() {
        PieChatModel model = PieChatModel.builder().client(client).inferlet("absent@1.0.0").build();
        assertThatThrownBy(() -> model.chat("hi"))
                .isInstanceOf(LangChain4jException.class)
                .hasMessageContaining("could not launch absent@1.0.0")
                .hasMessageContaining("launch_process");
    }

    @Test
    void aTimeoutTerminatesTheProcess() throws Exception {
        PieChatModel model = PieChatModel.builder().client(client).inferlet("stuck@0.1.0").timeout(Duration.ofSeconds(1)).build();
        assertThatThrownBy(() -> model.chat("hi"))
                .isInstanceOf(TimeoutException.class)
                .hasMessageContaining("gave no complete answer within PT1S; it was terminated");
        assertThat(stuckStarted.await(10, TimeUnit.SECONDS)).isTrue();
        // Terminated before the exception was thrown: the engine lists nothing at once.
        assertThat(client.listProcesses()).isEmpty();
    }

    @Test
    void anInterruptTerminatesTheProcessAndKeepsTheFlag() throws Exception {
        PieChatModel model = PieChatModel.builder().client(client).inferlet("stuck@0.1.0").build();
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        CompletableFuture<Boolean> flag = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                model.chat("hi");
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
            flag.complete(Thread.currentThread().isInterrupted());
        });
        assertThat(stuckStarted.await(10, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(LangChain4jException.class).hasMessageContaining("interrupted");
        assertThat(flag.get(10, TimeUnit.SECONDS)).isTrue();
        // The interrupt may land before the client has read the launch answer; then the process is
        // terminated as soon as it has, so wait for that (with a deadline) rather than assume it.
        awaitNoProcesses(client);
        assertThat(server.runningProcesses()).isEmpty();
    }

    @Test
    void aHundredConcurrentChatsFromVirtualThreadsOnOneClientAllAnswerRight() throws Exception {
        TextCompletionDemo echo = new TextCompletionDemo(in -> "re: " + in.prompt());
        try (PieTestServer s = PieTestServer.builder().inferlet(TC, echo).start();
             PieChatModel model = PieChatModel.builder().url(s.uri().toString()).user("many").build();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String q = "question number " + i;
                answers.add(threads.submit(() -> model.chat(q)));
            }
            for (int i = 0; i < 100; i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("re: question number " + i);
            }
            assertThat(echo.inputs()).hasSize(100);
        }
    }

    @Test
    void aModelBuiltFromAnAddressOwnsAndClosesItsConnection() throws Exception {
        PieChatModel model = PieChatModel.builder().url(server.uri().toString()).user("owner").build();
        assertThat(model.chat("x")).isEqualTo("answer 1 to x");
        assertThat(server.connectedSessions()).isEqualTo(2);
        model.close();
        assertThat(server.awaitConnectedSessions(1, Duration.ofSeconds(10))).isTrue();
        assertThatThrownBy(() -> PieChatModel.builder().build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("engine is required");
        assertThatThrownBy(() -> PieChatModel.builder().client(client).url("ws://127.0.0.1:1").build()).isInstanceOf(IllegalStateException.class);
    }

    static void awaitNoProcesses(PieClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!client.listProcesses().isEmpty()) {
            if (System.nanoTime() > deadline) throw new AssertionError("processes still live: " + client.listProcesses());
            Thread.sleep(5); // polling an engine-side state with a deadline; nothing to wait on client side
        }
    }
}
