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

/** What both builders collect; {@link #build()} connects when no client was given. */
final class EngineSettings {
    static final String DEFAULT_INFERLET = "text-completion@0.1.0";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    @Nullable PieClient client;
    @Nullable String url;
    @Nullable String user;
    @Nullable ParsedPrivateKey privateKey;
    @Nullable String token; // a secret: never in toString() or a message
    String inferlet = DEFAULT_INFERLET;
    Duration timeout = DEFAULT_TIMEOUT;
    PieInputMapper inputMapper = TextCompletionInput.INSTANCE;
    @Nullable ChatRequestParameters defaultRequestParameters;
    @Nullable Integer maxTokens;
    @Nullable Double temperature;
    @Nullable Double topP;
    List<ChatModelListener> listeners = new ArrayList<>();

    static Duration positive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive: " + timeout);
        return timeout;
    }

    InferletChat build() {
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
