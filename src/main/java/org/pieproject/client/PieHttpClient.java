package org.pieproject.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.gateway.GatewayIdentity;
import org.pieproject.client.wire.ServerMessage;

/**
 * The HTTP path of a Pie 0.5 gateway: one {@code POST /v1/generate} launches one inferlet and streams its
 * events back as server-sent events, on {@code java.net.http.HttpClient} alone (no WebSocket). For
 * stateless services behind a load balancer: every call is independent, so any gateway replica can serve
 * it. Blocking and virtual-thread friendly; one client serves any number of threads.
 *
 * <pre>{@code
 * try (PieHttpClient http = PieHttpClient.builder().uri("http://gateway:8080").identity("acme/alice").build();
 *      PieGeneration g = http.generate("text-completion@0.1.0", "{\"prompt\":\"Hello\"}")) {
 *     for (ProcessEvent e : g) if (e instanceof ProcessEvent.Stdout(String text)) System.out.print(text);
 * }
 * }</pre>
 */
public final class PieHttpClient implements AutoCloseable {
    private static final int MAX_ERROR_BODY = 4096;
    private static final long CORR_ID = 1; // one request per stream: any id will do
    private static final Gson GSON = new Gson();

    private final Builder config;
    private final HttpClient http;

    private PieHttpClient(Builder b) {
        this.config = b.copy();
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(config.connectTimeout);
        // Plain http: HTTP/1.1 at once, not an h2c upgrade attempt that the gateway ignores anyway.
        if ("http".equals(config.uri.getScheme())) hb.version(HttpClient.Version.HTTP_1_1);
        this.http = hb.build();
    }

    /**
     * Settings; {@link Builder#build()} makes the client (no connection is opened until a request).
     *
     * @return a builder with the defaults and no URI
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Launches {@code inferlet} with {@code inputJson} as its input, and returns once the gateway has
     * answered the launch (within the request timeout). Its events then stream in as they come.
     *
     * @param inferlet  the program, {@code name@major.minor.patch}
     * @param inputJson the input, as JSON text
     * @return the running generation; close it to end the request early
     * @throws PieRequestException if the engine refused the launch (e.g. the program is not installed)
     * @throws PieHttpException    if the gateway answered with an error status (401, 503, ...)
     * @throws PieTimeoutException if the launch was not answered within the request timeout
     */
    public PieGeneration generate(String inferlet, String inputJson) {
        PieClient.programIdAt(inferlet);
        Objects.requireNonNull(inputJson, "inputJson");
        JsonObject message = new JsonObject();
        message.addProperty("type", "launch_process");
        message.addProperty("corr_id", CORR_ID);
        message.addProperty("inferlet", inferlet);
        message.addProperty("input", inputJson);
        message.addProperty("capture_outputs", true);
        HttpRequest.Builder rb = HttpRequest.newBuilder(config.uri.resolve("/v1/generate"))
                .timeout(config.requestTimeout)
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(GSON.toJson(message), StandardCharsets.UTF_8));
        config.headers.forEach(rb::header);
        long deadline = System.nanoTime() + config.requestTimeout.toNanos();
        CompletableFuture<HttpResponse<InputStream>> sent = http.sendAsync(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response = awaitUntil(sent, deadline, "the gateway's answer");
        if (response.statusCode() != 200) throw refusal(response);
        PieGeneration generation = new PieGeneration(response.body(), CORR_ID, config.maxQueuedEvents,
                config.maxFileBytes, config.maxEventBytes);
        try {
            ServerMessage.Response answer = awaitUntil(generation.answer(), deadline, "the launch's answer");
            if (!answer.ok()) throw new PieRequestException("launch_process", answer.result());
            generation.launched(PieClient.canonicalId(answer.result()));
            return generation;
        } catch (RuntimeException e) {
            generation.close(); // the gateway keeps a refused launch's turn open: end the request here
            throw e;
        }
    }

    private <T> T awaitUntil(CompletableFuture<T> f, long deadline, String what) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new PieTimeoutException("generate: no " + what + " from " + config.uri + " within " + config.requestTimeout);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new PieException("generate: interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof PieException pe) throw pe;
            if (c instanceof HttpTimeoutException) {
                throw new PieTimeoutException("generate: no " + what + " from " + config.uri + " within " + config.requestTimeout);
            }
            if (c instanceof ConnectException) {
                throw new PieConnectionException("generate: could not connect to " + config.uri + ": " + c, c);
            }
            throw new PieConnectionException("generate: the request to " + config.uri + " failed: " + c, c);
        }
    }

    private PieHttpException refusal(HttpResponse<InputStream> response) {
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "";
        }
        int status = response.statusCode();
        String message = switch (status) {
            case 401 -> "generate: the gateway refused the request (HTTP 401): " + (config.hasIdentity()
                    ? "it cannot read the x-pie-identity header" : "the x-pie-identity header is missing; set it with"
                    + " PieHttpClient.Builder.identity(\"[tenant/]user\")");
            case 503 -> "generate: the gateway's admission refused the request (HTTP 503); retry later";
            default -> "generate: the gateway answered HTTP " + status;
        };
        return new PieHttpException(message + (body.isBlank() ? "" : " (" + body.strip() + ")"), status, body);
    }

    /** Lets go of the HTTP client's connections and threads; running generations are ended. */
    @Override
    public void close() {
        // Not HttpClient.close(): that waits for every exchange to finish, and an open event stream may never.
        http.shutdownNow();
    }

    @Override
    public String toString() {
        return "PieHttpClient[" + config.uri + ", headers=" + config.headers.keySet() + "]";
    }

    /** Settings of a {@link PieHttpClient}. */
    public static final class Builder {
        private @Nullable URI uri;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxQueuedEvents = 1_000_000;
        private long maxFileBytes = 256L << 20;
        private int maxEventBytes = 64 << 20;
        private Map<String, String> headers = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The gateway's base address. Required.
         *
         * @param uri {@code http://host:port} or {@code https://...}; {@code /v1/generate} is resolved against it
         * @return this builder
         */
        public Builder uri(String uri) {
            this.uri = BuilderChecks.uri(uri, "gateway", "http", "https");
            return this;
        }

        /**
         * The gateway's base address. Required.
         *
         * @param uri {@code http://host:port} or {@code https://...}
         * @return this builder
         */
        public Builder uri(URI uri) {
            this.uri = BuilderChecks.uri(uri, "gateway", "http", "https");
            return this;
        }

        /**
         * The {@code x-pie-identity} header: who the request is for. The gateway refuses a request without it
         * (401) unless an edge proxy in front of it adds it.
         *
         * @param identity {@code user} or {@code tenant/user}
         * @return this builder
         * @throws IllegalArgumentException if the gateway would refuse it (empty, or an empty user)
         */
        public Builder identity(String identity) {
            return header(GatewayIdentity.HEADER, BuilderChecks.identity(identity));
        }

        /**
         * Adds a header to every request, e.g. {@code x-request-id} or a proxy's {@code Authorization}.
         *
         * @param name  the header name
         * @param value its value (never logged: only names appear in {@link #toString()})
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * How long to wait for a TCP connection. Default 10 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = BuilderChecks.positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * How long {@link #generate} waits for the launch to be answered (the response head and the first
         * event). Default 30 s. Events after that are waited for by the reader ({@link PieGeneration#recv(Duration)}).
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = BuilderChecks.positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * The longest single event accepted; a longer one ends the generation. Default 64 MiB.
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder maxEventBytes(int bytes) {
            if (bytes < 1024) throw new IllegalArgumentException("maxEventBytes must be at least 1024");
            this.maxEventBytes = bytes;
            return this;
        }

        /**
         * How many unread events one generation may hold; beyond that events are dropped and the reader told.
         * Default 1,000,000.
         *
         * @param events at least 1
         * @return this builder
         */
        public Builder maxQueuedEvents(int events) {
            if (events < 1) throw new IllegalArgumentException("maxQueuedEvents must be positive");
            this.maxQueuedEvents = events;
            return this;
        }

        /**
         * Makes the client.
         *
         * @return a client; close it when done
         */
        public PieHttpClient build() {
            if (uri == null) throw new PieException("no gateway URI given");
            return new PieHttpClient(this);
        }

        boolean hasIdentity() {
            return headers.keySet().stream().anyMatch(GatewayIdentity.HEADER::equalsIgnoreCase);
        }

        private Builder copy() {
            Builder b = new Builder();
            b.uri = uri;
            b.connectTimeout = connectTimeout;
            b.requestTimeout = requestTimeout;
            b.maxQueuedEvents = maxQueuedEvents;
            b.maxFileBytes = maxFileBytes;
            b.maxEventBytes = maxEventBytes;
            b.headers = Map.copyOf(headers);
            return b;
        }
    }
}
