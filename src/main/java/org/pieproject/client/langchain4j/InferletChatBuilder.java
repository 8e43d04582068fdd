package org.pieproject.client.langchain4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;

/**
 * The settings both models' builders take, and their setters: one home, so the two public builders cannot
 * drift apart. Self-typed so each setter returns the public builder it is called on, and chains stay
 * {@code PieChatModel.builder().client(c).maxTokens(128).build()}. {@link #chat()} connects when no client
 * was given.
 *
 * @param <B> the public builder
 */
abstract class InferletChatBuilder<B extends InferletChatBuilder<B>> {
    private static final String DEFAULT_INFERLET = "text-completion@0.1.0";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private @Nullable PieClient client;
    private @Nullable String url;
    private @Nullable String user;
    private @Nullable ParsedPrivateKey privateKey;
    private @Nullable String token; // a secret: never in toString() or a message
    private String inferlet = DEFAULT_INFERLET;
    private Duration timeout = DEFAULT_TIMEOUT;
    private PieInputMapper inputMapper = TextCompletionInput.INSTANCE;
    private @Nullable ChatRequestParameters defaultRequestParameters;
    private @Nullable Integer maxTokens;
    private @Nullable Double temperature;
    private @Nullable Double topP;
    private List<ChatModelListener> listeners = new ArrayList<>();

    private static Duration positive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        return timeout;
    }

    /** The builder itself, as its public type. */
    abstract B self();

    /**
     * The engine connection to use, already authenticated. The model does not close it.
     *
     * @param client an open client
     * @return this builder
     */
    public B client(PieClient client) {
        this.client = Objects.requireNonNull(client, "client");
        return self();
    }

    /**
     * The engine's address, when the model should open (and own) its own connection.
     *
     * @param url {@code ws://host:port} or {@code wss://...}
     * @return this builder
     */
    public B url(String url) {
        this.url = Objects.requireNonNull(url, "url");
        return self();
    }

    /**
     * The user to authenticate as on the connection opened from {@link #url(String)}. Default: the login name.
     *
     * @param user the user name the engine knows
     * @return this builder
     */
    public B user(String user) {
        this.user = Objects.requireNonNull(user, "user");
        return self();
    }

    /**
     * The user's private key, for an engine with authentication on.
     *
     * @param privateKey the key
     * @return this builder
     */
    public B privateKey(ParsedPrivateKey privateKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        return self();
    }

    /**
     * Authenticate with the engine's internal token instead of a user and key.
     *
     * @param token the token (a secret: never logged)
     * @return this builder
     */
    public B token(String token) {
        this.token = Objects.requireNonNull(token, "token");
        return self();
    }

    /**
     * The inferlet to launch for each chat. Default {@code text-completion@0.1.0}.
     *
     * @param inferlet {@code name@major.minor.patch}
     * @return this builder
     */
    public B inferlet(String inferlet) {
        this.inferlet = Objects.requireNonNull(inferlet, "inferlet");
        return self();
    }

    /**
     * The most tokens to generate (input field {@code max_tokens}), unless a request says otherwise.
     *
     * @param maxTokens the limit; null leaves it to the inferlet (256 for text-completion)
     * @return this builder
     */
    public B maxTokens(@Nullable Integer maxTokens) {
        this.maxTokens = maxTokens;
        return self();
    }

    /**
     * The sampling temperature, unless a request says otherwise.
     *
     * @param temperature the temperature; null leaves it to the inferlet (0.6 for text-completion)
     * @return this builder
     */
    public B temperature(@Nullable Double temperature) {
        this.temperature = temperature;
        return self();
    }

    /**
     * The nucleus sampling threshold, unless a request says otherwise.
     *
     * @param topP the threshold; null leaves it to the inferlet (0.95 for text-completion)
     * @return this builder
     */
    public B topP(@Nullable Double topP) {
        this.topP = topP;
        return self();
    }

    /**
     * Default request parameters; {@link #maxTokens(Integer)}, {@link #temperature(Double)} and
     * {@link #topP(Double)} override theirs.
     *
     * @param parameters the defaults
     * @return this builder
     */
    public B defaultRequestParameters(@Nullable ChatRequestParameters parameters) {
        this.defaultRequestParameters = parameters;
        return self();
    }

    /**
     * How long one chat may take, launch included. Default 60 s; past it the process is terminated.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public B timeout(Duration timeout) {
        this.timeout = positive(timeout);
        return self();
    }

    /**
     * How requests become inferlet input. Default {@link TextCompletionInput#INSTANCE}.
     *
     * @param inputMapper the mapper
     * @return this builder
     */
    public B inputMapper(PieInputMapper inputMapper) {
        this.inputMapper = Objects.requireNonNull(inputMapper, "inputMapper");
        return self();
    }

    /**
     * Listeners told of each request, response and error.
     *
     * @param listeners the listeners
     * @return this builder
     */
    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = List.copyOf(listeners);
        return self();
    }

    /** The chat both models run, connecting and authenticating first if {@link #url(String)} was given. */
    final InferletChat chat() {
        // As LangChain4j's own builders do: the separate parameters win over defaultRequestParameters.
        ChatRequestParameters base = defaultRequestParameters == null ? DefaultChatRequestParameters.EMPTY : defaultRequestParameters;
        ChatRequestParameters defaults = DefaultChatRequestParameters.builder()
                .overrideWith(base)
                .maxOutputTokens(maxTokens != null ? maxTokens : base.maxOutputTokens())
                .temperature(temperature != null ? temperature : base.temperature())
                .topP(topP != null ? topP : base.topP())
                .build();
        if (client != null) {
            if (url != null) throw new IllegalStateException("give either client(...) or url(...), not both");
            return new InferletChat(client, false, inferlet, timeout, inputMapper, defaults, listeners);
        }
        if (url == null) throw new IllegalStateException("an engine is required: client(PieClient) or url(\"ws://host:port\")");
        PieClient connected = PieClient.connect(url);
        try {
            if (token != null) connected.authByToken(token);
            else connected.authenticate(user != null ? user : System.getProperty("user.name"), privateKey);
        } catch (RuntimeException e) {
            connected.close();
            throw e;
        }
        return new InferletChat(connected, true, inferlet, timeout, inputMapper, defaults, listeners);
    }
}
