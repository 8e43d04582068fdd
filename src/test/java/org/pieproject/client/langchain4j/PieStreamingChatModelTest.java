package org.pieproject.client.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testkit.TextCompletionDemo;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;

/** PieStreamingChatModel: pieces in order, the complete response, errors, cancelling, timeouts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PieStreamingChatModelTest {
    static final String TC = "text-completion@0.1.0";
    static final String ANSWER = "Inferlets are small programs that run on Pie, next to the model.";

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    final TextCompletionDemo demo = new TextCompletionDemo(in -> ANSWER);
    final CountDownLatch stuckStarted = new CountDownLatch(1);
    PieTestServer server;
    PieClient client;

    @BeforeEach
    void start() {
        server = PieTestServer.builder()
                .inferlet(TC, demo)
                .inferlet("stuck@0.1.0", ctx -> {
                    for (int i = 0; i < 3; i++) ctx.stdout("piece" + i + " ");
                    stuckStarted.countDown();
                    ctx.receiveSignal(); // until terminated
                    return "never";
                })
                .start();
        client = PieClient.connect(server.uri());
        client.authenticate("lc4j");
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** Collects what a handler hears. */
    static final class Recorder implements StreamingChatResponseHandler {
        final List<String> pieces = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String piece) {
            pieces.add(piece);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    @Test
    void aTokenStreamGetsEveryPieceInOrderThenTheWholeText() throws Exception {
        StreamingAssistant assistant = AiServices.create(StreamingAssistant.class, PieStreamingChatModel.builder().client(client).build());
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant.chat("What are inferlets?")
                .onPartialResponse(pieces::add)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertThat(pieces).containsExactlyElementsOf(TextCompletionDemo.pieces(ANSWER)).hasSizeGreaterThan(5);
        assertThat(response.aiMessage().text()).isEqualTo(ANSWER);
        assertThat(response.finishReason()).isEqualTo(dev.langchain4j.model.output.FinishReason.STOP);
        // AiServices sums the usage of its model calls into an object; the counts stay unknown, never 0.
        assertThat(response.tokenUsage()).satisfiesAnyOf(u -> assertThat(u).isNull(), u -> {
            assertThat(u.inputTokenCount()).isNull();
            assertThat(u.outputTokenCount()).isNull();
            assertThat(u.totalTokenCount()).isNull();
        });
        assertThat(demo.inputs()).extracting(TextCompletionDemo.Input::prompt).containsExactly("What are inferlets?");
    }

    @Test
    void maxTokensCutsTheStream() throws Exception {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).maxTokens(2).build();
        Recorder r = new Recorder();
        model.chat("q", r);
        assertThat(r.done.get(30, TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Inferlets are");
        assertThat(r.pieces).containsExactly("Inferlets", " are");
        assertThat(r.done.get().tokenUsage()).isNull();
    }

    @Test
    void aProcessErrorGoesToOnErrorWithTheEnginesMessage() {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).inputMapper(request -> "[]").build();
        Recorder r = new Recorder();
        model.chat("q", r);
        assertThatThrownBy(() -> r.done.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(LangChain4jException.class)
                .hasMessageContaining("failed: Failed to parse JSON input: ");
    }

    @Test
    void aFailedLaunchGoesToOnError() {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).inferlet("absent@1.0.0").build();
        Recorder r = new Recorder();
        model.chat("q", r);
        assertThatThrownBy(() -> r.done.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(LangChain4jException.class)
                .hasMessageContaining("could not launch absent@1.0.0");
    }

    @Test
    void refusalsAreThrownByChatItself() {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).build();
        ChatRequest json = ChatRequest.builder().messages(UserMessage.from("q")).responseFormat(ResponseFormat.JSON).build();
        Recorder r = new Recorder();
        assertThatThrownBy(() -> model.chat(json, r)).isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("JSON response format");
        assertThat(r.done).isNotDone();
        assertThat(demo.inputs()).isEmpty();
    }

    @Test
    void cancellingTheStreamTerminatesTheProcessAndEndsTheCallbacks() throws Exception {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).inferlet("stuck@0.1.0").build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        CompletableFuture<Object> afterwards = new CompletableFuture<>();
        model.chat("q", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse piece, PartialResponseContext context) {
                pieces.add(piece.text());
                if (pieces.size() == 2) {
                    context.streamingHandle().cancel();
                    assertThat(context.streamingHandle().isCancelled()).isTrue();
                    cancelled.complete(null);
                } else if (pieces.size() > 2) {
                    afterwards.complete(piece);
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                afterwards.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                afterwards.complete(error);
            }
        });
        cancelled.get(30, TimeUnit.SECONDS);
        // cancel() returned after the engine confirmed the termination.
        assertThat(client.listProcesses()).isEmpty();
        // The handler hears nothing more: check with a ping round trip after the terminal "Signal" event
        // has certainly been routed (the engine sends it before its answer to our later request).
        client.ping();
        assertThat(afterwards).isNotDone();
        assertThat(pieces).containsExactly("piece0 ", "piece1 ");
    }

    @Test
    void aTimeoutTerminatesTheProcessAndGoesToOnError() throws Exception {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).inferlet("stuck@0.1.0")
                .timeout(Duration.ofSeconds(1)).build();
        Recorder r = new Recorder();
        model.chat("q", r);
        assertThatThrownBy(() -> r.done.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class);
        assertThat(client.listProcesses()).isEmpty();
        assertThat(r.pieces).containsExactly("piece0 ", "piece1 ", "piece2 ");
    }

    @Test
    void aHandlerThatThrowsStopsTheProcessAndHearsItInOnError() throws Exception {
        PieStreamingChatModel model = PieStreamingChatModel.builder().client(client).inferlet("stuck@0.1.0").build();
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        model.chat("q", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String piece) {
                throw new IllegalStateException("handler broke on " + piece);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                error.complete(null);
            }

            @Override
            public void onError(Throwable e) {
                error.complete(e);
            }
        });
        assertThat(error.get(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasMessage("handler broke on piece0 ");
        assertThat(client.listProcesses()).isEmpty();
    }

    @Test
    void aHundredConcurrentStreamsOnOneClientEachGetTheirOwnPieces() throws Exception {
        TextCompletionDemo echo = new TextCompletionDemo(in -> "you asked " + in.prompt());
        try (PieTestServer s = PieTestServer.builder().inferlet(TC, echo).start();
             PieClient c = PieClient.connect(s.uri())) {
            c.authenticate("many");
            PieStreamingChatModel model = PieStreamingChatModel.builder().client(c).build();
            List<Recorder> recorders = new ArrayList<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Recorder r = new Recorder();
                recorders.add(r);
                String q = "question " + i + " of a hundred";
                callers.add(Thread.ofVirtual().start(() -> model.chat(q, r)));
            }
            for (Thread t : callers) assertThat(t.join(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 100; i++) {
                String expected = "you asked question " + i + " of a hundred";
                assertThat(recorders.get(i).done.get(30, TimeUnit.SECONDS).aiMessage().text()).isEqualTo(expected);
                assertThat(recorders.get(i).pieces).containsExactlyElementsOf(TextCompletionDemo.pieces(expected));
            }
        }
    }
}
