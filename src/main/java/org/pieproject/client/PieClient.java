package org.pieproject.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.gateway.GatewayIdentity;
import org.pieproject.client.gateway.GatewayTurns;
import org.pieproject.client.hash.Blake3;
import org.pieproject.client.mcp.McpBridge;
import org.pieproject.client.mcp.McpReply;
import org.pieproject.client.session.Connection;
import org.pieproject.client.session.HashedFile;
import org.pieproject.client.session.PendingRequests;
import org.pieproject.client.session.ProcessLists;
import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.session.ProcessRegistry;
import org.pieproject.client.telemetry.ProcessTrace;
import org.pieproject.client.telemetry.RequestTrace;
import org.pieproject.client.telemetry.Telemetry;
import org.pieproject.client.telemetry.TransferTrace;
import org.pieproject.client.transport.TlsSettings;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ClientMessage.Request;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/**
 * A connection to a Pie engine. Every method blocks until the engine has answered (or the deadline has
 * passed), and any number of threads, virtual ones especially, may share one client.
 *
 * <pre>{@code
 * try (PieClient client = PieClient.connect("ws://127.0.0.1:8080")) {
 *     client.authenticate("alice", ParsedPrivateKey.fromFile("~/.ssh/id_ed25519"));
 *     PieProcess process = client.launchProcess("text-completion@0.1.0", "{\"prompt\":\"Hello\"}");
 *     while (true) {
 *         ProcessEvent event = process.recv();
 *         if (event instanceof ProcessEvent.Stdout(String text)) System.out.print(text);
 *         if (event.isTerminal()) break;
 *     }
 * }
 * }</pre>
 */
public final class PieClient implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PieClient.class.getName());

    /** Uploads and file transfers travel in chunks of this many bytes (256 KiB), as every Pie client's do. */
    public static final int CHUNK_SIZE = Connection.CHUNK_SIZE;

    private final Builder config;
    private final PendingRequests pending = new PendingRequests();
    private final ProcessRegistry processes;
    private final McpBridge mcp;
    /** The connection's life (open, authenticate, close) and the path every request travels. */
    private final Connection connection;
    /** Where this client reports what it does (JFR events and the metrics listener). */
    private final Telemetry telemetry;
    private final EngineGeneration generation;
    /** The turns open on a gateway socket; null for an engine up to 0.4. */
    private final @Nullable GatewayTurns turns;

    private PieClient(Builder b) {
        this.config = b.copy();
        this.processes = new ProcessRegistry(b.maxQueuedEvents, b.orphanBufferSize);
        this.mcp = new McpBridge(b.requestTimeout, b.mcpCallTimeout);
        this.telemetry = new Telemetry(b.metricsListener);
        this.generation = b.generation != null ? b.generation : EngineGeneration.of(b.uri);
        this.turns = generation != EngineGeneration.GATEWAY_0_5 ? null
                : new GatewayTurns(pending, processes, () -> listProcesses().stream().map(PieClient::canonicalId).toList());
        this.connection = Connection.open(new Connection.Settings(generation.target(b.uri), b.headers,
                new TlsSettings(b.sslContext, b.sslParameters), b.connectTimeout, b.sendTimeout, b.requestTimeout,
                b.maxMessageBytes, b.maxFileBytes, b.reconnect), pending, processes, this::relayMcp,
                b.stateListeners, telemetry, turns);
    }

    /**
     * Connects to an engine with default settings.
     *
     * @param uri the engine's address, e.g. {@code ws://127.0.0.1:8080}
     * @return an open, not yet authenticated client
     * @throws PieConnectionException if the connection cannot be opened within 10 s
     */
    public static PieClient connect(String uri) {
        return builder().uri(uri).build();
    }

    /**
     * Connects to an engine with default settings.
     *
     * @param uri the engine's address, {@code ws://...} or {@code wss://...}
     * @return an open, not yet authenticated client
     * @throws PieConnectionException if the connection cannot be opened within 10 s
     */
    public static PieClient connect(URI uri) {
        return builder().uri(uri).build();
    }

    /**
     * Settings for a connection other than the defaults; {@link Builder#build()} connects.
     *
     * @return a builder with every setting at its default and no URI
     */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- authentication

    /**
     * Authenticates as {@code user}. If the engine has authentication disabled, no key is needed; otherwise
     * the engine's challenge is signed with {@code key}.
     *
     * @param user the user name the engine knows
     * @param key  the user's private key, or null when the engine has authentication disabled
     * @throws PieRequestException if the engine refuses (its reason is in the message)
     * @throws PieException        if the engine wants a key and {@code key} is null
     */
    public void authenticate(String user, @Nullable ParsedPrivateKey key) {
        Objects.requireNonNull(user, "user");
        connection.authenticate(user, key);
    }

    /**
     * Authenticates without a key: enough when the engine has authentication disabled.
     *
     * @param user the user name to act as
     */
    public void authenticate(String user) {
        authenticate(user, null);
    }

    /**
     * Authenticates with the engine's internal token. The engine answers a wrong token only after 1-3 s,
     * so this call waits that much longer than the request timeout.
     *
     * @param token the engine's internal token (a secret: it is never logged)
     */
    public void authByToken(String token) {
        Objects.requireNonNull(token, "token");
        connection.authByToken(token);
    }

    // ---------------------------------------------------------------- programs

    /**
     * Asks whether the engine has a program, e.g. before uploading it.
     *
     * @param inferlet the program, {@code name@major.minor.patch}
     * @return whether the engine has it
     */
    public boolean checkProgram(String inferlet) {
        int at = programIdAt(inferlet);
        String name = inferlet.substring(0, at), version = inferlet.substring(at + 1);
        return "true".equals(ok("check_program",
                call("check_program", c -> new ClientMessage.CheckProgram(c, name, version, null, null))));
    }

    /**
     * Whether the engine has the program, sending the hashes of a local build along (engines up to 0.4
     * ignore them; later ones may compare).
     *
     * @param inferlet the program, {@code name@major.minor.patch}
     * @param wasm     the local build's WebAssembly binary
     * @param manifest the local build's {@code Pie.toml}
     * @return whether the engine has it
     */
    public boolean checkProgram(String inferlet, Path wasm, Path manifest) {
        int at = programIdAt(inferlet);
        String name = inferlet.substring(0, at), version = inferlet.substring(at + 1);
        String wasmHash = hashBlob(readFile(wasm, "wasm"));
        String manifestHash = hashBlob(readText(manifest).getBytes(StandardCharsets.UTF_8));
        return "true".equals(ok("check_program",
                call("check_program", c -> new ClientMessage.CheckProgram(c, name, version, wasmHash, manifestHash))));
    }

    /**
     * Same as {@link #checkProgram(String, Path, Path)}, under the name older official clients use.
     *
     * @param inferlet the program, {@code name@major.minor.patch}
     * @param wasm     the local build's WebAssembly binary
     * @param manifest the local build's {@code Pie.toml}
     * @return whether the engine has it
     * @deprecated the official clients' old name; use {@link #checkProgram(String, Path, Path)}.
     */
    @Deprecated
    public boolean programExists(String inferlet, Path wasm, Path manifest) {
        return checkProgram(inferlet, wasm, manifest);
    }

    /**
     * Uploads a program (its wasm binary and its {@code Pie.toml} manifest) in 256 KiB chunks and waits
     * until the engine has installed it. The engine names it after the manifest's {@code [package]} name
     * and version. Without {@code forceOverwrite} an existing program of that name is kept as it is.
     *
     * @param wasm           the WebAssembly component
     * @param manifest       its {@code Pie.toml}
     * @param forceOverwrite whether to replace a program the engine already has under that name
     * @throws PieRequestException if the engine refuses the program (its reason says why)
     */
    public void addProgram(Path wasm, Path manifest, boolean forceOverwrite) {
        HashedFile program = readAndHash(wasm); // hashed while it is read
        install(program.bytes(), program.hash(), readText(manifest), forceOverwrite);
    }

    /**
     * Uploads a program from memory, as {@link #addProgram(Path, Path, boolean)} does from files: its bytes
     * (a WebAssembly component) and its manifest text, in 256 KiB chunks, waiting until the engine has
     * installed it under the manifest's {@code [package]} name and version.
     *
     * @param program        the program's bytes
     * @param manifest       its {@code Pie.toml}, as text
     * @param forceOverwrite whether to replace a program the engine already has under that name
     * @throws PieRequestException if the engine refuses the program (its reason says why)
     */
    public void installProgramBytes(byte[] program, String manifest, boolean forceOverwrite) {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(manifest, "manifest");
        install(program, hashBlob(program), manifest, forceOverwrite);
    }

    /** Uploads a program whose hash is known, reporting the upload and its request to telemetry. */
    private void install(byte[] bytes, String hash, String manifestText, boolean forceOverwrite) {
        TransferTrace upload = telemetry.transferStarted("upload", "program", bytes.length);
        RequestTrace request = telemetry.requestStarted();
        boolean answered = false;
        RuntimeException failure = null;
        Response r;
        try {
            r = uploadProgram(bytes, hash, manifestText, forceOverwrite);
            answered = r.ok();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            request.ended("add_program", answered, failure);
            upload.ended(failure != null ? "failed" : answered ? "ok" : "refused");
        }
        ok("add_program", r);
    }

    private Response uploadProgram(byte[] bytes, String hash, String manifestText, boolean forceOverwrite) {
        long total = chunkCount(bytes.length);
        CompletableFuture<Response> answer = new CompletableFuture<>();
        long corrId = register(answer, null, Long.MAX_VALUE); // the deadline starts after the last chunk
        connection.openedUpload(corrId);
        try {
            sendChunks(total, i -> {
                int off = (int) (i * CHUNK_SIZE);
                return new ClientMessage.AddProgram(corrId, hash, manifestText, forceOverwrite, i, total, bytes, off,
                        Math.min(CHUNK_SIZE, bytes.length - off));
            }, answer::isDone); // the engine answers once, after the last chunk or at the first error
        } catch (RuntimeException e) {
            pending.remove(corrId);
            throw e;
        }
        pending.startDeadline(corrId, System.nanoTime() + config.requestTimeout.toNanos());
        return await("add_program", corrId, answer, config.requestTimeout);
    }

    /**
     * {@link #installProgramBytes(byte[], String, boolean)} without overwriting a program of the same name.
     *
     * @param program  the program's bytes
     * @param manifest its {@code Pie.toml}, as text
     */
    public void installProgramBytes(byte[] program, String manifest) {
        installProgramBytes(program, manifest, false);
    }

    /**
     * Checks, installs if needed, and launches, in one call: asks the engine whether it has
     * {@code inferlet} (sending the hashes of {@code program} and {@code manifest} along, which engines up
     * to 0.4 and the 0.5 gateway ignore: they compare names), uploads the program only if it lacks it,
     * then launches it with {@code inputJson} and returns the process.
     *
     * @param inferlet  the program's {@code name@major.minor.patch}, as its manifest names it
     * @param program   the program's bytes
     * @param manifest  its {@code Pie.toml}, as text
     * @param inputJson the input, as JSON text
     * @return the launched process; {@link PieProcess#result()} waits for what it returns
     */
    public PieProcess run(String inferlet, byte[] program, String manifest, String inputJson) {
        int at = programIdAt(inferlet);
        String name = inferlet.substring(0, at), version = inferlet.substring(at + 1);
        String wasmHash = hashBlob(Objects.requireNonNull(program, "program"));
        String manifestHash = hashBlob(Objects.requireNonNull(manifest, "manifest").getBytes(StandardCharsets.UTF_8));
        boolean present = "true".equals(ok("check_program",
                call("check_program", c -> new ClientMessage.CheckProgram(c, name, version, wasmHash, manifestHash))));
        if (!present) installProgramBytes(program, manifest, false);
        return launchProcess(inferlet, inputJson);
    }

    /**
     * Launches an installed program, as {@code run(name, input)} of the official 0.5 clients does.
     *
     * @param inferlet  the program, {@code name@major.minor.patch}
     * @param inputJson the input, as JSON text
     * @return the launched process
     */
    public PieProcess run(String inferlet, String inputJson) {
        return launchProcess(inferlet, inputJson);
    }

    // ---------------------------------------------------------------- processes

    /**
     * Launches a process of {@code inferlet} ({@code name@major.minor.patch}) with {@code inputJson} as its
     * input. With {@code captureOutputs} the returned handle streams the process's events; without it the
     * engine discards its output and the handle has no id and no events. {@code tokenBudget} may be null
     * for the engine's default.
     *
     * @param inferlet       the program, {@code name@major.minor.patch}
     * @param inputJson      the input, as JSON text
     * @param captureOutputs whether this connection receives the process's events
     * @param tokenBudget    the most tokens the process may use, or null for the engine's default
     * @return the handle to read events from and send signals to
     * @throws PieRequestException if the engine refuses (e.g. the program is not installed)
     */
    public PieProcess launchProcess(String inferlet, String inputJson, boolean captureOutputs,
                                    @Nullable Integer tokenBudget) {
        programIdAt(inferlet);
        Objects.requireNonNull(inputJson, "inputJson");
        if (tokenBudget != null && tokenBudget < 0) throw new IllegalArgumentException("tokenBudget < 0");
        if (tokenBudget != null && turns != null) {
            throw new PieException("launch_process: a Pie 0.5 gateway has no token budgets (it would ignore one);"
                    + " pass null");
        }
        Long budget = tokenBudget == null ? null : tokenBudget.longValue();
        AtomicReference<ProcessQueue> queue = new AtomicReference<>();
        ProcessTrace trace = captureOutputs ? telemetry.processStarted(inferlet) : null;
        // The queue must exist before the engine's next frame is routed: open it on the listener thread,
        // while it handles the answer, not after this caller wakes up.
        Consumer<Response> openQueue = !captureOutputs ? null : r -> {
            if (r.ok() && !r.result().isEmpty()) queue.set(openQueue(canonicalId(r.result()), trace));
        };
        String id = ok("launch_process", call("launch_process",
                c -> new ClientMessage.LaunchProcess(c, inferlet, inputJson, captureOutputs, budget),
                config.requestTimeout, openQueue));
        return new PieProcess(connection, canonicalId(id), queue.get());
    }

    /**
     * Launches a process whose events this client receives, with the engine's default token budget.
     *
     * @param inferlet  the program, {@code name@major.minor.patch}
     * @param inputJson the input, as JSON text
     * @return the handle to read events from and send signals to
     * @throws PieRequestException if the engine refuses (e.g. the program is not installed)
     */
    public PieProcess launchProcess(String inferlet, String inputJson) {
        return launchProcess(inferlet, inputJson, true, null);
    }

    /**
     * Launches a process with a record as its input, serialised to JSON with Gson (a {@code String} input
     * is always JSON text already: see {@link #launchProcess(String, String)}).
     *
     * @param inferlet the program, {@code name@major.minor.patch}
     * @param input    the input, e.g. {@code record Prompt(String prompt, int maxTokens)}
     * @return the handle to read events from and send signals to
     */
    public PieProcess launchProcess(String inferlet, Record input) {
        return launchProcess(inferlet, toJson(input));
    }

    /**
     * Launches a process with a map as its input, serialised to a JSON object with Gson.
     *
     * @param inferlet the program, {@code name@major.minor.patch}
     * @param input    the input's fields by name
     * @return the handle to read events from and send signals to
     */
    public PieProcess launchProcess(String inferlet, Map<String, ?> input) {
        return launchProcess(inferlet, toJson(input));
    }

    /**
     * Launches one process per input, in one request, and returns their handles in input order. Unlike
     * {@link #launchProcess}, the engine returns ids even without {@code captureOutputs}; those handles
     * then have no events. {@code tokenBudgets} may be null, or hold one budget (or null) per input.
     *
     * @param inferlet       the program, {@code name@major.minor.patch}
     * @param inputs         one JSON input per process
     * @param captureOutputs whether this connection receives the processes' events
     * @param tokenBudgets   one budget (or null for the default) per input, or null for the defaults
     * @return one handle per input, in input order
     */
    public List<PieProcess> launchProcesses(String inferlet, List<String> inputs, boolean captureOutputs,
                                            @Nullable List<@Nullable Integer> tokenBudgets) {
        programIdAt(inferlet);
        List<String> in = List.copyOf(inputs);
        List<Long> budgets = budgets(tokenBudgets);
        Map<String, ProcessQueue> queues = new ConcurrentHashMap<>();
        List<@Nullable ProcessTrace> traces = new ArrayList<>();
        if (captureOutputs) for (int i = 0; i < in.size(); i++) traces.add(telemetry.processStarted(inferlet));
        Consumer<Response> openQueues = !captureOutputs ? null : r -> {
            if (!r.ok()) return;
            List<String> ids = parseStringArray(r.result());
            for (int i = 0; i < ids.size(); i++) {
                String id = canonicalId(ids.get(i));
                queues.put(id, openQueue(id, i < traces.size() ? traces.get(i) : null));
            }
        };
        String json = ok("launch_processes", call("launch_processes",
                c -> new ClientMessage.LaunchProcesses(c, inferlet, in, captureOutputs, budgets),
                config.requestTimeout, openQueues));
        List<PieProcess> handles = new ArrayList<>();
        for (String id : parseStringArray(json)) {
            handles.add(new PieProcess(connection, canonicalId(id), queues.get(canonicalId(id))));
        }
        return handles;
    }

    /**
     * Runs one process per input to completion and returns their return values in input order. The engine
     * answers only when all have finished and holds up everything else on this connection meanwhile, so this
     * waits up to {@code timeout} (use a second connection for other work). The first failure, in input
     * order, is a {@link PieRequestException} with that process's error text.
     *
     * @param inferlet     the program, {@code name@major.minor.patch}
     * @param inputs       one JSON input per process
     * @param tokenBudgets one budget (or null for the default) per input, or null for the defaults
     * @param timeout      how long to wait for all of them
     * @return the processes' return values, in input order
     */
    public List<String> runProcesses(String inferlet, List<String> inputs,
                                     @Nullable List<@Nullable Integer> tokenBudgets, Duration timeout) {
        programIdAt(inferlet);
        List<String> in = List.copyOf(inputs);
        List<Long> budgets = budgets(tokenBudgets);
        String json = ok("run_processes", call("run_processes",
                c -> new ClientMessage.RunProcesses(c, inferlet, in, budgets), Objects.requireNonNull(timeout), null));
        return parseStringArray(json);
    }

    /**
     * {@link #runProcesses(String, List, List, Duration)} with the request timeout as its deadline.
     *
     * @param inferlet     the program, {@code name@major.minor.patch}
     * @param inputs       one JSON input per process
     * @param tokenBudgets one budget (or null for the default) per input, or null for the defaults
     * @return the processes' return values, in input order
     */
    public List<String> runProcesses(String inferlet, List<String> inputs,
                                     @Nullable List<@Nullable Integer> tokenBudgets) {
        return runProcesses(inferlet, inputs, tokenBudgets, config.requestTimeout);
    }

    /**
     * Starts a long-lived daemon instance of {@code inferlet} serving {@code port} on the engine. The engine
     * keeps only the low 16 bits of the port and never reports a failure to bind it; daemons have no events
     * and are not listed as processes.
     *
     * @param inferlet  the program, {@code name@major.minor.patch}
     * @param port      the port the daemon serves, 0 to 65535
     * @param inputJson the input, as JSON text
     */
    public void launchDaemon(String inferlet, int port, String inputJson) {
        programIdAt(inferlet);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535");
        Objects.requireNonNull(inputJson, "inputJson");
        ok("launch_daemon", call("launch_daemon", c -> new ClientMessage.LaunchDaemon(c, port, inferlet, inputJson)));
    }

    /**
     * Attaches to a running process of the same user (for instance after a reconnect) and receives its
     * events, starting with those the engine kept while nobody was attached.
     *
     * @param processId the process id, as {@link PieProcess#id()} or {@link #listProcesses()} give it
     * @return a new handle on the process
     * @throws PieRequestException if the engine has no such process for this user ("Process not found")
     */
    public PieProcess attachProcess(String processId) {
        Objects.requireNonNull(processId, "processId");
        String id = canonicalId(processId);
        boolean known = processes.get(id) != null;
        ProcessQueue queue = connection.attach(id);
        if (!known) {
            ProcessTrace trace = telemetry.processStarted("");
            if (trace != null) queue.trace(trace);
        }
        return new PieProcess(connection, id, queue);
    }

    /**
     * Lists what this user has running, e.g. to find processes to reattach to.
     *
     * @return the ids of this user's live processes
     */
    public List<String> listProcesses() {
        return ProcessLists.ids(ok("list_processes", call("list_processes", ClientMessage.ListProcesses::new)));
    }

    /**
     * Lists what this user has running, with the engine's description of each.
     *
     * @return this user's live processes
     */
    public List<ProcessInfo> listProcessInfo() {
        return ProcessInfo.parseList(ok("list_processes", call("list_processes", ClientMessage.ListProcesses::new)));
    }

    /**
     * Stops a process of this user; its attached client then receives {@code Error("Signal")}.
     *
     * @param processId the process id
     */
    public void terminateProcess(String processId) {
        Objects.requireNonNull(processId, "processId");
        ok("terminate_process", call("terminate_process", c -> new ClientMessage.TerminateProcess(c, processId)));
    }

    // ---------------------------------------------------------------- other requests

    /** Round-trips a {@code ping}; throws if the engine does not answer within the request timeout. */
    public void ping() {
        ok("ping", call("ping", ClientMessage.Ping::new));
    }

    /**
     * Sends a {@code query}; engines up to 0.4 answer only the subject {@code model_status} (a JSON object)
     * and leave every other subject unanswered, so those end in a {@link PieTimeoutException}.
     *
     * @param subject what to ask about, e.g. {@code model_status}
     * @param record  the subject's argument ({@code ""} for none)
     * @return the engine's answer text
     */
    public String query(String subject, String record) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(record, "record");
        return ok("query", call("query", c -> new ClientMessage.Query(c, subject, record)));
    }

    /**
     * Asks the engine how its models are doing (KV-cache use, batches, latency).
     *
     * @return the engine's {@code model_status} report, grouped by model
     */
    public ModelStatus modelStatus() {
        return ModelStatus.parse(query("model_status", ""));
    }

    // ---------------------------------------------------------------- workflows

    /**
     * Submits a workflow (JSON text in the engine's workflow language). This connection is attached to it
     * at once; the returned handle receives its children's events (see {@link PieWorkflow} for what the
     * engine does and does not send).
     *
     * @param json the workflow, as JSON text
     * @return a handle that receives the children's events
     */
    public PieWorkflow submitWorkflow(String json) {
        Objects.requireNonNull(json, "json");
        // Claim unknown processes' events before asking: the children's events may follow the answer at once.
        processes.workflowHandles(+1);
        try {
            String id = ok("submit_workflow", call("submit_workflow", c -> new ClientMessage.SubmitWorkflow(c, json)));
            return new PieWorkflow(connection, processes, id);
        } catch (RuntimeException e) {
            processes.workflowHandles(-1);
            throw e;
        }
    }

    /**
     * Attaches this connection to a workflow of this user and receives its children's events.
     *
     * @param workflowId the workflow id, as {@link PieWorkflow#id()} gives it
     * @return a handle that receives the children's events
     */
    public PieWorkflow attachWorkflow(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        processes.workflowHandles(+1);
        try {
            ok("attach_workflow", call("attach_workflow", c -> new ClientMessage.AttachWorkflow(c, workflowId)));
            return new PieWorkflow(connection, processes, workflowId);
        } catch (RuntimeException e) {
            processes.workflowHandles(-1);
            throw e;
        }
    }

    /**
     * Cancels a workflow; its running children end with {@code Error("cancelled")}.
     *
     * @param workflowId the workflow id
     */
    public void cancelWorkflow(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        ok("cancel_workflow", call("cancel_workflow", c -> new ClientMessage.CancelWorkflow(c, workflowId)));
    }

    /**
     * Stops the engine sending a workflow's events to this connection.
     *
     * @param workflowId the workflow id
     */
    public void detachWorkflow(String workflowId) {
        Objects.requireNonNull(workflowId, "workflowId");
        ok("detach_workflow", call("detach_workflow", c -> new ClientMessage.DetachWorkflow(c, workflowId)));
    }

    /**
     * Resolves a bare program name to {@code name@version} with the newest version an inferlet registry
     * lists ({@code GET <registryUrl>/api/v1/inferlets/<name>}, whose {@code versions[0].num} is taken, as
     * the official Python client does). A name that already has a version is returned as it is.
     *
     * @param name        a program name, with or without {@code @version}
     * @param registryUrl the registry's base URL, e.g. {@code https://registry.example}
     * @return {@code name@version}
     * @throws PieConnectionException if the registry cannot be reached
     */
    public static String resolveVersion(String name, String registryUrl) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(registryUrl, "registryUrl");
        if (name.contains("@")) return name;
        URI uri;
        try {
            uri = URI.create(registryUrl.replaceAll("/+$", "") + "/api/v1/inferlets/"
                    + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"));
        } catch (IllegalArgumentException e) {
            throw new PieException("not a valid registry URL: " + registryUrl);
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
                throw new PieException("registry " + uri + " answered HTTP " + resp.statusCode());
            }
            JsonElement versions = JsonParser.parseString(resp.body()).getAsJsonObject().get("versions");
            if (versions == null || !versions.isJsonArray() || versions.getAsJsonArray().isEmpty()) {
                throw new PieException("no version found for '" + name + "' in the registry");
            }
            return name + "@" + versions.getAsJsonArray().get(0).getAsJsonObject().get("num").getAsString();
        } catch (IOException e) {
            throw new PieConnectionException("could not reach the registry at " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PieException("interrupted while asking the registry", e);
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NullPointerException e) {
            throw new PieException("the registry's answer for '" + name + "' is not what was expected: " + e.getMessage());
        }
    }

    /**
     * Starts a local MCP server and, once it has completed the MCP handshake, announces it to the engine,
     * so that inferlets of this connection can call it. Only the {@code stdio} transport is supported:
     * {@code command} and {@code args} start the server; {@code url} is unused.
     *
     * @param name      the name inferlets call the server by
     * @param transport {@code "stdio"}
     * @param command   the program that starts the server (required for {@code stdio})
     * @param args      its arguments, or null for none
     * @param url       the server's URL for other transports, or null; passed on to the engine
     * @throws PieException if the server does not start or fails the MCP handshake; nothing is announced then
     */
    public void registerMcpServer(String name, String transport, @Nullable String command,
                                  @Nullable List<String> args, @Nullable String url) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
        refuseOnGateway("register_mcp_server");
        mcp.register(name, transport, command, args == null ? List.of() : args, url);
        try {
            connection.registerMcpServer(name, c -> new ClientMessage.RegisterMcpServer(c, name, transport, command, args, url));
        } catch (RuntimeException e) {
            mcp.unregister(name);
            throw e;
        }
    }

    // ---------------------------------------------------------------- recovery

    /**
     * Opens a new connection with this client's settings and authenticates it the way this one was
     * authenticated (same user and key, or same token). Nothing is replayed: requests that were in flight
     * on the old connection are not resent. Use {@link #reattach} on the new client for processes that were
     * running. This client is closed if it was not already.
     *
     * @return a new, authenticated client
     * @throws PieConnectionException if the engine cannot be reached
     */
    public PieClient reconnect() {
        close();
        PieClient fresh = new PieClient(config);
        try {
            Connection.Credentials again = connection.credentials();
            if (again != null) again.authenticate(fresh.connection);
            return fresh;
        } catch (RuntimeException e) {
            fresh.close();
            throw e;
        }
    }

    /**
     * Attaches to each of {@code processIds} (typically the ids of the processes a lost connection was
     * streaming) and sorts them by outcome. An engine 0.4 does not detach a lost connection's processes
     * (protocol.md §6.4), so it answers "Process not found" for processes that are still running; those
     * are told apart from finished ones with {@code list_processes}.
     *
     * @param processIds the processes to attach to
     * @return which were attached, which are still running but cannot be attached, and which have ended
     */
    public Reattachment reattach(List<String> processIds) {
        List<String> ids = new ArrayList<>();
        for (String id : processIds) ids.add(canonicalId(id));
        Connection.Reattached r = connection.reattach(ids);
        Map<String, PieProcess> attached = new LinkedHashMap<>();
        r.attached().forEach((id, queue) -> attached.put(id, new PieProcess(connection, id, queue)));
        return new Reattachment(Collections.unmodifiableMap(attached), r.unattachable(), r.ended());
    }

    // ---------------------------------------------------------------- Pie 0.5 gateway

    /**
     * Which kind of server this client talks to: set with {@link Builder#generation}, or implied by the URI
     * (a {@code /v1/ws} path means a Pie 0.5 gateway).
     *
     * @return the generation this client speaks to
     */
    public EngineGeneration generation() {
        return generation;
    }

    /**
     * Sends a Pie 0.5 gateway its {@code cancel} control frame, which aborts every live turn on this
     * connection: every request still waiting fails at once with a {@link PieRequestException}, and every
     * process stream ends (its reader gets what had arrived, then a {@link PieException}); the gateway
     * terminates those processes. The connection stays open for further requests.
     *
     * @throws PieException if this client does not talk to a gateway (an engine up to 0.4 ignores text)
     */
    public void cancel() {
        if (turns == null) {
            throw new PieException("cancel is a Pie 0.5 gateway control frame; this client talks to " + generation
                    + " (see PieClient.Builder.generation)");
        }
        turns.cancel(() -> connection.sendText("cancel"));
    }

    private void refuseOnGateway(String op) {
        connection.refuseOnGateway(op);
    }

    /**
     * Hashes data the way the protocol identifies programs and files.
     *
     * @param blob the data
     * @return its BLAKE3 hash as 64 lowercase hex digits
     */
    public static String hashBlob(byte[] blob) {
        return Blake3.hex(blob);
    }

    /**
     * The user this connection acts for.
     *
     * @return the user it authenticated as ({@code "internal"} after {@link #authByToken}), or null before
     *         authentication
     */
    public @Nullable String user() {
        return connection.user();
    }

    /**
     * Whether requests can be sent now.
     *
     * @return true while the connection is up: false once it is closed or lost, and while it reconnects
     */
    public boolean isOpen() {
        return connection.isOpen();
    }

    /**
     * What the connection is doing now; {@link Builder#onStateChange} delivers every change.
     *
     * @return the latest state
     */
    public ConnectionState state() {
        return connection.state();
    }

    /**
     * Closes the connection and stops the local MCP servers this client started. Every blocked call and
     * {@code recv()} then fails at once (events already received are delivered first). Idempotent; returns
     * within about a second even if the engine does not answer. Processes keep running on the engine.
     */
    @Override
    public void close() {
        try {
            connection.close();
        } finally {
            mcp.close();
        }
    }

    @Override
    public String toString() {
        String user = connection.user();
        return "PieClient[" + connection.uri() + (user == null ? "" : ", user=" + user)
                + (isOpen() ? ", open" : ", closed") + ", " + processes.openQueues() + " process streams]";
    }

    // ---------------------------------------------------------------- internals

    private void send(ClientMessage m) {
        connection.send(m);
    }

    private void sendChunks(long total, LongFunction<ClientMessage> chunk, BooleanSupplier stop) {
        connection.sendChunks(total, chunk, stop);
    }

    /** Opens a process's queue and has its end reported to {@code trace}, if it is traced. */
    private ProcessQueue openQueue(String processId, @Nullable ProcessTrace trace) {
        ProcessQueue q = processes.open(processId);
        if (trace != null) q.trace(trace);
        return q;
    }

    /** Requests still waiting for an answer; lets tests prove that abandoned requests leave nothing behind. */
    int pendingRequests() {
        return pending.size();
    }

    /**
     * Made on first use: a Gson loads over a hundred classes, which a client that never passes a record or
     * a map as input should not pay for when it starts.
     */
    private static final class Json {
        static final Gson GSON = new Gson();
    }

    private static String toJson(Object input) {
        Objects.requireNonNull(input, "input");
        try {
            return Json.GSON.toJson(input);
        } catch (RuntimeException e) {
            throw new PieException("cannot serialise the input to JSON: " + e.getMessage(), e);
        }
    }

    private static @Nullable List<@Nullable Long> budgets(@Nullable List<@Nullable Integer> tokenBudgets) {
        if (tokenBudgets == null) return null;
        List<@Nullable Long> out = new ArrayList<>(tokenBudgets.size());
        for (Integer b : tokenBudgets) out.add(b == null ? null : b.longValue());
        return out;
    }

    private static List<String> parseStringArray(String json) {
        List<String> out = new ArrayList<>();
        try {
            for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) out.add(e.getAsString());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new PieException("the engine's answer is not a JSON array of strings: " + e.getMessage());
        }
        return out;
    }

    static long chunkCount(int length) {
        return Math.max(1, (length + (long) CHUNK_SIZE - 1) / CHUNK_SIZE);
    }

    private Response call(String op, LongFunction<Request> request) {
        return call(op, request, config.requestTimeout, null);
    }

    private Response call(String op, LongFunction<Request> request, Duration timeout, Consumer<Response> onAnswer) {
        return connection.call(op, request, timeout, onAnswer);
    }

    private long register(CompletableFuture<Response> answer, Consumer<Response> onAnswer, long deadline) {
        return connection.register(answer, onAnswer, deadline);
    }

    private Response await(String op, long corrId, CompletableFuture<Response> answer, Duration timeout) {
        return connection.await(op, corrId, answer, timeout);
    }

    private static String ok(String op, Response r) {
        return Connection.ok(op, r);
    }

    /**
     * Checks {@code name@major.minor.patch} as the engine does (protocol.md §5.1: a name of letters, digits,
     * {@code _} and {@code -} that does not start with either of those two, then three numbers) and returns
     * where its {@code @} is. By hand, because a regex match allocated some 250 bytes on every launch.
     */
    static int programIdAt(String inferlet) {
        Objects.requireNonNull(inferlet, "inferlet");
        int at = inferlet.indexOf('@');
        if (at > 0 && isProgramName(inferlet, at) && isVersion(inferlet, at + 1)) return at;
        throw new PieRequestException("program identifier check",
                "Invalid program identifier '" + inferlet + "': expected 'name@major.minor.patch'");
    }

    private static boolean isProgramName(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && (i == 0 || c != '_' && c != '-')) return false;
        }
        return true;
    }

    /** Three runs of digits separated by dots, from {@code from} to the end. */
    private static boolean isVersion(String s, int from) {
        int dots = 0, digits = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && digits > 0 && dots < 2) {
                dots++;
                digits = 0;
            } else {
                return false;
            }
        }
        return dots == 2 && digits > 0;
    }

    /** Events name processes in lowercase hyphenated form; key local tables the same way. */
    static String canonicalId(String processId) {
        String s = processId.strip();
        if (s.length() == 32 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            s = s.substring(0, 8) + '-' + s.substring(8, 12) + '-' + s.substring(12, 16) + '-'
                    + s.substring(16, 20) + '-' + s.substring(20);
        }
        return isUuidText(s) ? s.toLowerCase(Locale.ROOT) : processId;
    }

    /** {@code 8-4-4-4-12} hex digits; by hand, because a regex match allocates on every launch. */
    private static boolean isUuidText(String s) {
        if (s.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean hyphen = i == 8 || i == 13 || i == 18 || i == 23;
            if (hyphen ? c != '-' : !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) return false;
        }
        return true;
    }

    private static byte[] readFile(Path path, String what) {
        Objects.requireNonNull(path, what);
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new PieException("cannot read " + what + " file " + path + ": no such file");
        } catch (IOException | OutOfMemoryError e) {
            throw new PieException("cannot read " + what + " file " + path + ": " + e, e);
        }
    }

    private static HashedFile readAndHash(Path path) {
        Objects.requireNonNull(path, "wasm");
        try {
            return HashedFile.read(path);
        } catch (NoSuchFileException e) {
            throw new PieException("cannot read wasm file " + path + ": no such file");
        } catch (IOException | OutOfMemoryError e) {
            throw new PieException("cannot read wasm file " + path + ": " + e, e);
        }
    }

    private static String readText(Path manifest) {
        return new String(readFile(manifest, "manifest"), StandardCharsets.UTF_8);
    }

    private void relayMcp(ServerMessage.McpRequest r) {
        // Off the listener thread: a slow MCP server must never hold up other traffic.
        Thread.ofVirtual().name("pie-mcp-relay").start(() -> {
            McpReply reply = mcp.call(r.serverName(), r.method(), r.params());
            try {
                send(new ClientMessage.McpResponse(r.corrId(), reply.ok(), reply.resultJson()));
            } catch (PieException e) {
                LOG.log(System.Logger.Level.WARNING, "could not answer mcp_request {0}: {1}", r.corrId(), e.getMessage());
            }
        });
    }

    /** Connection settings. Every setter returns this builder; {@link #build()} connects. */
    public static final class Builder {
        private @Nullable URI uri;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration mcpCallTimeout = Duration.ofMinutes(5);
        private Duration sendTimeout = Duration.ofSeconds(30);
        private int maxMessageBytes = 64 << 20;
        private long maxFileBytes = 256L << 20;
        private int maxQueuedEvents = 1_000_000;
        private int orphanBufferSize = 1024;
        private Map<String, String> headers = new LinkedHashMap<>();
        private @Nullable ReconnectPolicy reconnect;
        private List<Consumer<? super ConnectionState>> stateListeners = new ArrayList<>();
        private @Nullable SSLContext sslContext;
        private @Nullable SSLParameters sslParameters;
        private @Nullable PieMetricsListener metricsListener;
        private @Nullable EngineGeneration generation;

        private Builder() {
        }

        /**
         * Gets a lost connection back by itself (off by default), waiting between attempts as {@code policy}
         * says. Calls waiting for an answer when the connection is lost still fail at once with a
         * {@link PieConnectionException} (nothing is resent); calls made while it reconnects wait for it within
         * their own deadline. Once back, the client authenticates as it did the first time, registers its MCP
         * servers again and re-attaches every open {@link PieProcess}; a process that cannot be re-attached
         * ends its handle with a {@link PieProcessLostException}. If the engine refuses the authentication,
         * or the attempts run out, the client closes with that cause.
         *
         * @param policy the backoff, e.g. {@link ReconnectPolicy#defaults()}
         * @return this builder
         */
        public Builder autoReconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Adds a listener for the connection's states ({@link ConnectionState}). Listeners run one state at a
         * time, in order, on a thread of their own (never the one that reads the socket), so a slow listener
         * delays only later states; one that throws is logged and keeps receiving.
         *
         * @param listener receives each state
         * @return this builder
         */
        public Builder onStateChange(Consumer<? super ConnectionState> listener) {
            stateListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Sets the engine's address. Required.
         *
         * @param uri {@code ws://host:port} or {@code wss://...}
         * @return this builder
         * @throws PieException if it is not a {@code ws} or {@code wss} URI
         */
        public Builder uri(String uri) {
            this.uri = BuilderChecks.uri(uri, "engine", "ws", "wss");
            return this;
        }

        /**
         * Sets the engine's address. Required.
         *
         * @param uri {@code ws://host:port} or {@code wss://...}
         * @return this builder
         * @throws PieException if it is not a {@code ws} or {@code wss} URI
         */
        public Builder uri(URI uri) {
            this.uri = BuilderChecks.uri(uri, "engine", "ws", "wss");
            return this;
        }

        /**
         * How long to wait for the WebSocket connection to open. Default 10 s.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = BuilderChecks.positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * How long any request waits for its answer. Default 30 s. The engine handles one request of a
         * connection at a time, so a slow install delays what follows it.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = BuilderChecks.positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How long one message may wait to be written to the socket. Default 30 s. A send that misses it
         * fails the connection (a half-written message leaves it unusable): this catches an engine that
         * has stopped reading.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = BuilderChecks.positive(timeout, "sendTimeout");
            return this;
        }

        /**
         * How long a relayed MCP call may take before the inferlet gets a timeout error. Default 5 min.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder mcpCallTimeout(Duration timeout) {
            this.mcpCallTimeout = BuilderChecks.positive(timeout, "mcpCallTimeout");
            return this;
        }

        /**
         * The largest message accepted from the engine; a larger one closes the connection. Default 64 MiB.
         *
         * @param bytes at least 1024
         * @return this builder
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) throw new IllegalArgumentException("maxMessageBytes must be at least 1024");
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * The largest file accepted from an inferlet; a larger one is dropped. Default 256 MiB.
         *
         * @param bytes from 1 to {@code Integer.MAX_VALUE - 8}
         * @return this builder
         */
        public Builder maxFileBytes(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("maxFileBytes");
            this.maxFileBytes = bytes;
            return this;
        }

        /**
         * How many unread events one process may have waiting. Beyond that its further events are dropped
         * and its reader is told so: memory stays bounded and other processes are never held up.
         * Default 1,000,000 (about 80 MB of 16-byte stdout events), so that a reader that keeps up on
         * average survives the bursts of a fast stream.
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
         * How many events for not-yet-known processes are kept (oldest dropped first). Default 1024.
         *
         * @param events zero or more
         * @return this builder
         */
        public Builder orphanBufferSize(int events) {
            if (events < 0) throw new IllegalArgumentException("orphanBufferSize must not be negative");
            this.orphanBufferSize = events;
            return this;
        }

        /**
         * Adds a header to the WebSocket upgrade request, e.g. {@code Authorization} for a proxy.
         *
         * @param name  the header name
         * @param value its value (never logged: only header names appear in {@link #toString()})
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Names the user to a Pie 0.5 gateway in the {@code x-pie-identity} header.
         *
         * @param identity {@code user} or {@code tenant/user}
         * @return this builder
         */
        public Builder identity(String identity) {
            return header(GatewayIdentity.HEADER, BuilderChecks.identity(identity));
        }

        /**
         * Says which kind of server the URI names. By default a URI whose path is {@code /v1/ws} means a
         * Pie 0.5 gateway and any other an engine up to 0.4. With {@link EngineGeneration#GATEWAY_0_5} a
         * URI without a path connects to {@code /v1/ws}, the gateway's text control frames are acted on,
         * and requests outside its vocabulary are refused before they are sent.
         *
         * @param generation the server's generation
         * @return this builder
         */
        public Builder generation(EngineGeneration generation) {
            this.generation = Objects.requireNonNull(generation, "generation");
            return this;
        }

        /**
         * The TLS context of {@code wss://} connections, e.g. one whose trust managers trust the engine's
         * own certificate authority or a self-signed certificate. Default: the JVM's
         * ({@code SSLContext.getDefault()}, the {@code cacerts} trust store). The host name is verified
         * against the certificate either way (see {@link #sslParameters}). Ignored for {@code ws://}.
         *
         * @param context the context to use
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * TLS parameters of {@code wss://} connections: protocols, cipher suites, server names. Default: the
         * context's. Hostname verification stays on: the JDK's HTTP client checks the certificate against
         * the URI's host on every TLS connection, and parameters without an endpoint identification
         * algorithm are given {@code HTTPS}. Ignored for {@code ws://}.
         *
         * @param parameters the parameters (copied when connecting)
         * @return this builder
         */
        public Builder sslParameters(SSLParameters parameters) {
            this.sslParameters = Objects.requireNonNull(parameters, "parameters");
            return this;
        }

        /**
         * Receives this client's counters and timers (requests, processes, transfers, connections), to feed
         * Micrometer or OpenTelemetry; see {@link PieMetricsListener} for the names. Default: none. JDK Flight
         * Recorder events are there either way.
         *
         * @param listener quick, non-blocking callbacks; one that throws is logged and kept
         * @return this builder
         */
        public Builder metricsListener(PieMetricsListener listener) {
            this.metricsListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Connects with these settings; the builder can be reused.
         *
         * @return an open, not yet authenticated client
         * @throws PieConnectionException if the connection cannot be opened within the connect timeout
         */
        public PieClient build() {
            if (uri == null) throw new PieException("no engine URI given");
            return new PieClient(this);
        }

        private Builder copy() {
            Builder b = new Builder();
            b.uri = uri;
            b.connectTimeout = connectTimeout;
            b.requestTimeout = requestTimeout;
            b.mcpCallTimeout = mcpCallTimeout;
            b.sendTimeout = sendTimeout;
            b.maxMessageBytes = maxMessageBytes;
            b.maxFileBytes = maxFileBytes;
            b.maxQueuedEvents = maxQueuedEvents;
            b.orphanBufferSize = orphanBufferSize;
            b.headers = Map.copyOf(headers);
            b.reconnect = reconnect;
            b.stateListeners = List.copyOf(stateListeners);
            b.sslContext = sslContext;
            b.sslParameters = sslParameters;
            b.metricsListener = metricsListener;
            b.generation = generation;
            return b;
        }

        @Override
        public String toString() {
            // Header values may be credentials (Authorization): names only.
            return "PieClient.Builder[uri=" + uri + ", connectTimeout=" + connectTimeout + ", requestTimeout="
                    + requestTimeout + ", maxMessageBytes=" + maxMessageBytes + ", headers=" + headers.keySet()
                    + (reconnect == null ? "" : ", autoReconnect=" + reconnect) + "]";
        }
    }
}
