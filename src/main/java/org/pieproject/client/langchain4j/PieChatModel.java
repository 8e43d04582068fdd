package org.pieproject.client.langchain4j;

import java.util.List;
import java.util.Objects;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * Pie as a LangChain4j {@link ChatModel}: each chat launches one process of an inferlet (by default
 * {@code text-completion@0.1.0}) and answers with what it returns.
 *
 * <pre>{@code
 * ChatModel model = PieChatModel.builder()
 *         .client(client)            // or .url("ws://gpu-box:8080").user("alice").privateKey(key)
 *         .maxTokens(128)
 *         .build();
 * String answer = model.chat("What is Pie?");
 * }</pre>
 *
 * <p>The request becomes the inferlet's input through the {@link PieInputMapper} (by default
 * {@link TextCompletionInput}, which explains how a conversation is kept whole). The response has the
 * inferlet's return value as its text, the process id as its id, the inferlet as its model name and
 * {@link dev.langchain4j.model.output.FinishReason#STOP}; its token usage is null, since
 * {@code text-completion} reports none. Tools are refused with an
 * {@link dev.langchain4j.exception.UnsupportedFeatureException} before anything is launched.
 *
 * <p>Failures: a failed launch or a process that ends with an error throws a
 * {@link dev.langchain4j.exception.LangChain4jException} with the engine's message; no answer within the
 * timeout throws a {@link dev.langchain4j.exception.TimeoutException}; an interrupt throws a
 * {@code LangChain4jException} and keeps the thread's interrupt flag. In the last two cases the process is
 * terminated on the engine before the exception is thrown (or, if the engine had not yet answered the
 * launch, as soon as it does).
 *
 * <p>Thread-safe: any number of threads may chat at once over one connection. {@link #close()} closes the
 * connection only if the builder opened it.
 */
public final class PieChatModel implements ChatModel, AutoCloseable {
    private final InferletChat chat;

    private PieChatModel(InferletChat chat) {
        this.chat = chat;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static PieChatModelBuilder builder() {
        return new PieChatModelBuilder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        String input = chat.input(request);
        ChatResponse response = chat.run(input, piece -> { }, new InferletChat.Abandon());
        return Objects.requireNonNull(response); // only a stream can be abandoned without an exception
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return chat.defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return chat.listeners;
    }

    /** Closes the connection if the builder opened it; a client given to the builder stays open. */
    @Override
    public void close() {
        chat.close();
    }

    @Override
    public String toString() {
        return "PieChatModel[" + chat.inferlet + " on " + chat.client + "]";
    }

    /** Settings in LangChain4j's style; {@link #build()} connects if an address was given. */
    public static final class PieChatModelBuilder extends InferletChatBuilder<PieChatModelBuilder> {
        private PieChatModelBuilder() {}

        @Override
        PieChatModelBuilder self() {
            return this;
        }

        /**
         * Builds the model, connecting and authenticating first if {@link #url(String)} was given.
         *
         * @return the model
         * @throws IllegalStateException if neither or both of a client and an address were given
         */
        public PieChatModel build() {
            return new PieChatModel(chat());
        }
    }
}
