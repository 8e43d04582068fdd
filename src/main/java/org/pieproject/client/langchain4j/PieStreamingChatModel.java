package org.pieproject.client.langchain4j;

import java.util.List;
import java.util.Objects;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * Pie as a LangChain4j {@link StreamingChatModel}: each chat launches one process of an inferlet (by default
 * {@code text-completion@0.1.0}); each piece the process writes to its standard output goes to
 * {@link StreamingChatResponseHandler#onPartialResponse}, in order, and its return value becomes the
 * complete response.
 *
 * <pre>{@code
 * StreamingChatModel model = PieStreamingChatModel.builder().client(client).build();
 * model.chat("What is Pie?", handler);
 * }</pre>
 *
 * <p>{@code chat} returns at once; the handler is called on a virtual thread of the model's, one chat's
 * calls one after the other. Refusals (tools; what the {@link PieInputMapper} refuses) are thrown by
 * {@code chat} itself, before anything is launched. Everything else goes to
 * {@link StreamingChatResponseHandler#onError}: a failed launch or a process that ended with an error (with
 * the engine's message), a timeout ({@link dev.langchain4j.exception.TimeoutException}, after the process
 * was terminated), a lost connection, and an exception thrown by the handler itself (the process is
 * terminated then, too).
 *
 * <p><b>Cancelling.</b> The {@link PartialResponseContext} of every piece carries a {@link StreamingHandle}:
 * its {@code cancel()} terminates the process on the engine (a round trip to it, done before
 * {@code cancel()} returns once the process id is known) and the handler hears nothing more of that chat.
 *
 * <p>The response is as {@link PieChatModel}'s: text, process id, inferlet name, finish reason
 * {@code STOP}, and no token usage. Thread-safe. {@link #close()} closes the connection only if the builder
 * opened it.
 */
public final class PieStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PieStreamingChatModel.class.getName());

    private final InferletChat chat;

    private PieStreamingChatModel(InferletChat chat) {
        this.chat = chat;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static PieStreamingChatModelBuilder builder() {
        return new PieStreamingChatModelBuilder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        String input = chat.input(request);
        Thread.ofVirtual().name("pie-langchain4j-stream").start(() -> stream(input, handler));
    }

    private void stream(String input, StreamingChatResponseHandler handler) {
        Cancellable handle = new Cancellable();
        PartialResponseContext context = new PartialResponseContext(handle);
        ChatResponse response;
        try {
            response = chat.run(input, piece -> handler.onPartialResponse(new PartialResponse(piece), context), handle.abandon);
        } catch (RuntimeException e) {
            if (!handle.isCancelled()) tell(handler, e);
            return;
        }
        if (response == null) return; // cancelled: the handler hears nothing more
        try {
            handler.onCompleteResponse(response);
        } catch (RuntimeException e) {
            tell(handler, e);
        }
    }

    private static void tell(StreamingChatResponseHandler handler, Throwable error) {
        try {
            handler.onError(error);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a streaming handler's onError threw", e);
        }
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
        return "PieStreamingChatModel[" + chat.inferlet + " on " + chat.client + "]";
    }

    /** The handle every piece's context carries: cancelling abandons the chat. */
    private static final class Cancellable implements StreamingHandle {
        final InferletChat.Abandon abandon = new InferletChat.Abandon();
        private volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
            abandon.request();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    /** Settings in LangChain4j's style; {@link #build()} connects if an address was given. */
    public static final class PieStreamingChatModelBuilder extends InferletChatBuilder<PieStreamingChatModelBuilder> {
        private PieStreamingChatModelBuilder() {}

        @Override
        PieStreamingChatModelBuilder self() {
            return this;
        }

        /**
         * Builds the model, connecting and authenticating first if {@link #url(String)} was given.
         *
         * @return the model
         * @throws IllegalStateException if neither or both of a client and an address were given
         */
        public PieStreamingChatModel build() {
            return new PieStreamingChatModel(chat());
        }
    }
}
