package org.pieproject.client.langchain4j;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;

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
    public static final class PieChatModelBuilder {
        private final EngineSettings s = new EngineSettings();

        private PieChatModelBuilder() {}

        /**
         * The engine connection to use, already authenticated. The model does not close it.
         *
         * @param client an open client
         * @return this builder
         */
        public PieChatModelBuilder client(PieClient client) {
            s.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The engine's address, when the model should open (and own) its own connection.
         *
         * @param url {@code ws://host:port} or {@code wss://...}
         * @return this builder
         */
        public PieChatModelBuilder url(String url) {
            s.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /**
         * The user to authenticate as on the connection opened from {@link #url}. Default: the login name.
         *
         * @param user the user name the engine knows
         * @return this builder
         */
        public PieChatModelBuilder user(String user) {
            s.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /**
         * The user's private key, for an engine with authentication on.
         *
         * @param privateKey the key
         * @return this builder
         */
        public PieChatModelBuilder privateKey(ParsedPrivateKey privateKey) {
            s.privateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * Authenticate with the engine's internal token instead of a user and key.
         *
         * @param token the token (a secret: never logged)
         * @return this builder
         */
        public PieChatModelBuilder token(String token) {
            s.token = Objects.requireNonNull(token, "token");
            return this;
        }

        /**
         * The inferlet to launch for each chat. Default {@code text-completion@0.1.0}.
         *
         * @param inferlet {@code name@major.minor.patch}
         * @return this builder
         */
        public PieChatModelBuilder inferlet(String inferlet) {
            s.inferlet = Objects.requireNonNull(inferlet, "inferlet");
            return this;
        }

        /**
         * The most tokens to generate (input field {@code max_tokens}), unless a request says otherwise.
         *
         * @param maxTokens the limit; null leaves it to the inferlet (256 for text-completion)
         * @return this builder
         */
        public PieChatModelBuilder maxTokens(@Nullable Integer maxTokens) {
            s.maxTokens = maxTokens;
            return this;
        }

        /**
         * The sampling temperature, unless a request says otherwise.
         *
         * @param temperature the temperature; null leaves it to the inferlet (0.6 for text-completion)
         * @return this builder
         */
        public PieChatModelBuilder temperature(@Nullable Double temperature) {
            s.temperature = temperature;
            return this;
        }

        /**
         * The nucleus sampling threshold, unless a request says otherwise.
         *
         * @param topP the threshold; null leaves it to the inferlet (0.95 for text-completion)
         * @return this builder
         */
        public PieChatModelBuilder topP(@Nullable Double topP) {
            s.topP = topP;
            return this;
        }

        /**
         * Default request parameters; {@link #maxTokens}, {@link #temperature} and {@link #topP} override
         * theirs.
         *
         * @param parameters the defaults
         * @return this builder
         */
        public PieChatModelBuilder defaultRequestParameters(@Nullable ChatRequestParameters parameters) {
            s.defaultRequestParameters = parameters;
            return this;
        }

        /**
         * How long one chat may take, launch included. Default 60 s; past it the process is terminated.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public PieChatModelBuilder timeout(Duration timeout) {
            s.timeout = EngineSettings.positive(timeout);
            return this;
        }

        /**
         * How requests become inferlet input. Default {@link TextCompletionInput#INSTANCE}.
         *
         * @param inputMapper the mapper
         * @return this builder
         */
        public PieChatModelBuilder inputMapper(PieInputMapper inputMapper) {
            s.inputMapper = Objects.requireNonNull(inputMapper, "inputMapper");
            return this;
        }

        /**
         * Listeners told of each request, response and error.
         *
         * @param listeners the listeners
         * @return this builder
         */
        public PieChatModelBuilder listeners(List<ChatModelListener> listeners) {
            s.listeners = List.copyOf(listeners);
            return this;
        }

        /**
         * Builds the model, connecting and authenticating first if {@link #url} was given.
         *
         * @return the model
         * @throws IllegalStateException if neither or both of a client and an address were given
         */
        public PieChatModel build() {
            return new PieChatModel(s.build());
        }
    }
}
