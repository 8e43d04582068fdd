package org.pieproject.client.wire;

import java.util.List;

/**
 * The messages a client sends to the engine (protocol.md §2.1). Each writes itself as one MessagePack
 * map with {@code type} first and its fields in the engine's declaration order; absent optional fields
 * are left out, which the engine treats like nil.
 */
public sealed interface ClientMessage {

    /**
     * Writes this message into {@code w}.
     *
     * @param w the writer to append to
     * @throws IllegalArgumentException if an integer field is outside its protocol range (a u32 above
     *         2^32-1 or any negative value); {@code w} then holds a partial message and must be reset
     */
    void writeTo(MsgPackWriter w);

    /** A request the engine answers with a {@code response} carrying {@link #corrId()}. */
    sealed interface Request extends ClientMessage {
        /**
         * The id the engine's answer will carry.
         *
         * @return the correlation id
         */
        long corrId();

        /**
         * The same request with another correlation id, e.g. to resend a recorded request in tests.
         *
         * @param corrId the new id
         * @return the copy
         */
        Request withCorrId(long corrId);
    }

    /**
     * This message as one MessagePack frame.
     *
     * @return the encoded bytes
     */
    default byte[] encode() {
        MsgPackWriter w = new MsgPackWriter(128);
        writeTo(w);
        return w.toByteArray();
    }

    private static void head(MsgPackWriter w, int fields, String type) {
        w.mapHeader(fields + 1).str("type").str(type);
    }

    private static void head(MsgPackWriter w, int fields, String type, long corrId) {
        head(w, fields + 1, type);
        w.str("corr_id").integer(u32(corrId, "corr_id"));
    }

    // The engine silently drops a message whose integer does not fit its field (protocol.md §1.4, §1.5),
    // so the request would just time out. Refusing to encode it names the bug instead.

    private static long u32(long v, String field) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(field + " " + v + " is outside the u32 range 0..4294967295");
        }
        return v;
    }

    private static long u64(long v, String field) {
        if (v < 0) throw new IllegalArgumentException(field + " " + v + " is negative");
        return v;
    }

    private static int present(Object... optionals) {
        int n = 0;
        for (Object o : optionals) if (o != null) n++;
        return n;
    }

    /**
     * {@code auth_identify}: names the user; the engine answers with a challenge or at once.
     *
     * @param corrId   the correlation id that pairs the request with its answer
     * @param username the user to authenticate as
     */
    record AuthIdentify(long corrId, String username) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_identify", corrId);
            w.str("username").str(username);
        }
        public Request withCorrId(long id) { return new AuthIdentify(id, username); }
    }

    /**
     * {@code auth_prove}: the signed challenge. Its {@code toString()} hides the signature.
     *
     * @param corrId    the correlation id that pairs the request with its answer
     * @param signature the base64 signature of the engine's challenge
     */
    record AuthProve(long corrId, String signature) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_prove", corrId);
            w.str("signature").str(signature);
        }
        public Request withCorrId(long id) { return new AuthProve(id, signature); }
        @Override public String toString() { return "AuthProve[corrId=" + corrId + ", signature=<redacted>]"; }
    }

    /**
     * {@code auth_by_token}: authenticates with the engine's internal token, which {@code toString()} hides.
     *
     * @param corrId the correlation id that pairs the request with its answer
     * @param token  the engine's internal token
     */
    record AuthByToken(long corrId, String token) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_by_token", corrId);
            w.str("token").str(token);
        }
        public Request withCorrId(long id) { return new AuthByToken(id, token); }
        @Override public String toString() { return "AuthByToken[corrId=" + corrId + ", token=<redacted>]"; }
    }

    /**
     * {@code check_program}: asks whether the engine has a program.
     *
     * @param corrId       the correlation id that pairs the request with its answer
     * @param name         the program name
     * @param version      the program version, {@code major.minor.patch}
     * @param wasmHash     the BLAKE3 hex of a local build's wasm, or null
     * @param manifestHash the BLAKE3 hex of a local build's manifest, or null
     */
    record CheckProgram(long corrId, String name, String version, String wasmHash, String manifestHash)
            implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 2 + present(wasmHash, manifestHash), "check_program", corrId);
            w.str("name").str(name).str("version").str(version);
            if (wasmHash != null) w.str("wasm_hash").str(wasmHash);
            if (manifestHash != null) w.str("manifest_hash").str(manifestHash);
        }
        public Request withCorrId(long id) { return new CheckProgram(id, name, version, wasmHash, manifestHash); }
    }

    /**
     * {@code query}: asks the engine about a subject.
     *
     * @param corrId  the correlation id that pairs the request with its answer
     * @param subject what is asked about, e.g. {@code model_status}
     * @param record  the subject's argument
     */
    record Query(long corrId, String subject, String record) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 2, "query", corrId);
            w.str("subject").str(subject).str("record").str(record);
        }
        public Request withCorrId(long id) { return new Query(id, subject, record); }
    }

    /**
     * One chunk of a program upload; {@code data[offset, offset+length)} is the chunk, not copied.
     *
     * @param corrId         the correlation id that pairs the request with its answer
     * @param programHash    the BLAKE3 hex of the whole wasm binary
     * @param manifest       the {@code Pie.toml} text
     * @param forceOverwrite whether to replace an installed program of the same name
     * @param chunkIndex     this chunk's index, from 0
     * @param totalChunks    how many chunks the whole has
     * @param data           the whole wasm binary (not copied)
     * @param offset         where the chunk starts in {@code data}
     * @param length         the chunk's length
     */
    record AddProgram(long corrId, String programHash, String manifest, boolean forceOverwrite,
                      long chunkIndex, long totalChunks, byte[] data, int offset, int length) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 6, "add_program", corrId);
            w.str("program_hash").str(programHash)
                    .str("manifest").str(manifest)
                    .str("force_overwrite").bool(forceOverwrite)
                    .str("chunk_index").integer(u64(chunkIndex, "chunk_index"))
                    .str("total_chunks").integer(u64(totalChunks, "total_chunks"))
                    .str("chunk_data").bin(data, offset, length);
        }
        public Request withCorrId(long id) {
            return new AddProgram(id, programHash, manifest, forceOverwrite, chunkIndex, totalChunks, data, offset, length);
        }
    }

    /**
     * {@code launch_process}: starts one process.
     *
     * @param corrId         the correlation id that pairs the request with its answer
     * @param inferlet       the program, {@code name@major.minor.patch}
     * @param input          the input, as JSON text
     * @param captureOutputs whether the client receives the processes' events
     * @param tokenBudget    the token budget, or null for the engine's default
     */
    record LaunchProcess(long corrId, String inferlet, String input, boolean captureOutputs, Long tokenBudget)
            implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 3 + present(tokenBudget), "launch_process", corrId);
            w.str("inferlet").str(inferlet).str("input").str(input).str("capture_outputs").bool(captureOutputs);
            if (tokenBudget != null) w.str("token_budget").integer(u64(tokenBudget, "token_budget"));
        }
        public Request withCorrId(long id) { return new LaunchProcess(id, inferlet, input, captureOutputs, tokenBudget); }
    }

    /**
     * {@code launch_processes}: starts one process per input in one request.
     *
     * @param corrId         the correlation id that pairs the request with its answer
     * @param inferlet       the program, {@code name@major.minor.patch}
     * @param inputs         one JSON input per process
     * @param captureOutputs whether the client receives the processes' events
     * @param tokenBudgets   one budget (or null) per input, or null for the defaults
     */
    record LaunchProcesses(long corrId, String inferlet, List<String> inputs, boolean captureOutputs,
                           List<Long> tokenBudgets) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 3 + present(tokenBudgets), "launch_processes", corrId);
            w.str("inferlet").str(inferlet);
            writeStrings(w.str("inputs"), inputs);
            w.str("capture_outputs").bool(captureOutputs);
            if (tokenBudgets != null) writeBudgets(w.str("token_budgets"), tokenBudgets);
        }
        public Request withCorrId(long id) { return new LaunchProcesses(id, inferlet, inputs, captureOutputs, tokenBudgets); }
    }

    /**
     * {@code run_processes}: runs one process per input and answers when all have ended.
     *
     * @param corrId       the correlation id that pairs the request with its answer
     * @param inferlet     the program, {@code name@major.minor.patch}
     * @param inputs       one JSON input per process
     * @param tokenBudgets one budget (or null) per input, or null for the defaults
     */
    record RunProcesses(long corrId, String inferlet, List<String> inputs, List<Long> tokenBudgets)
            implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 2 + present(tokenBudgets), "run_processes", corrId);
            w.str("inferlet").str(inferlet);
            writeStrings(w.str("inputs"), inputs);
            if (tokenBudgets != null) writeBudgets(w.str("token_budgets"), tokenBudgets);
        }
        public Request withCorrId(long id) { return new RunProcesses(id, inferlet, inputs, tokenBudgets); }
    }

    /**
     * {@code launch_daemon}: starts a daemon inferlet serving a port.
     *
     * @param corrId   the correlation id that pairs the request with its answer
     * @param port     the port the daemon serves
     * @param inferlet the program, {@code name@major.minor.patch}
     * @param input    the input, as JSON text
     */
    record LaunchDaemon(long corrId, long port, String inferlet, String input) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 3, "launch_daemon", corrId);
            w.str("port").integer(u32(port, "port")).str("inferlet").str(inferlet).str("input").str(input);
        }
        public Request withCorrId(long id) { return new LaunchDaemon(id, port, inferlet, input); }
    }

    /**
     * {@code attach_process}: streams a running process's events to this connection.
     *
     * @param corrId    the correlation id that pairs the request with its answer
     * @param processId the process id
     */
    record AttachProcess(long corrId, String processId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "attach_process", corrId);
            w.str("process_id").str(processId);
        }
        public Request withCorrId(long id) { return new AttachProcess(id, processId); }
    }

    /**
     * {@code terminate_process}: stops a process.
     *
     * @param corrId    the correlation id that pairs the request with its answer
     * @param processId the process id
     */
    record TerminateProcess(long corrId, String processId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "terminate_process", corrId);
            w.str("process_id").str(processId);
        }
        public Request withCorrId(long id) { return new TerminateProcess(id, processId); }
    }

    /**
     * {@code list_processes}: asks for the user's live processes.
     *
     * @param corrId the correlation id that pairs the request with its answer
     */
    record ListProcesses(long corrId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 0, "list_processes", corrId);
        }
        public Request withCorrId(long id) { return new ListProcesses(id); }
    }

    /**
     * {@code ping}: asks for an empty answer, to check the connection.
     *
     * @param corrId the correlation id that pairs the request with its answer
     */
    record Ping(long corrId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 0, "ping", corrId);
        }
        public Request withCorrId(long id) { return new Ping(id); }
    }

    /**
     * {@code register_mcp_server}: announces a local MCP server to the engine.
     *
     * @param corrId    the correlation id that pairs the request with its answer
     * @param name      the name inferlets call the server by
     * @param transport the MCP transport, e.g. {@code stdio}
     * @param command   the command that starts the server, or null
     * @param args      its arguments, or null
     * @param url       the server's URL, or null
     */
    record RegisterMcpServer(long corrId, String name, String transport, String command, List<String> args,
                             String url) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 2 + present(command, args, url), "register_mcp_server", corrId);
            w.str("name").str(name).str("transport").str(transport);
            if (command != null) w.str("command").str(command);
            if (args != null) writeStrings(w.str("args"), args);
            if (url != null) w.str("url").str(url);
        }
        public Request withCorrId(long id) { return new RegisterMcpServer(id, name, transport, command, args, url); }
    }

    /**
     * {@code submit_workflow}: starts a workflow.
     *
     * @param corrId the correlation id that pairs the request with its answer
     * @param json   the workflow, as JSON text
     */
    record SubmitWorkflow(long corrId, String json) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "submit_workflow", corrId);
            w.str("json").str(json);
        }
        public Request withCorrId(long id) { return new SubmitWorkflow(id, json); }
    }

    /**
     * {@code cancel_workflow}: cancels a workflow.
     *
     * @param corrId     the correlation id that pairs the request with its answer
     * @param workflowId the workflow id
     */
    record CancelWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "cancel_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new CancelWorkflow(id, workflowId); }
    }

    /**
     * {@code attach_workflow}: streams a workflow's events to this connection.
     *
     * @param corrId     the correlation id that pairs the request with its answer
     * @param workflowId the workflow id
     */
    record AttachWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "attach_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new AttachWorkflow(id, workflowId); }
    }

    /**
     * {@code detach_workflow}: stops streaming a workflow's events to this connection.
     *
     * @param corrId     the correlation id that pairs the request with its answer
     * @param workflowId the workflow id
     */
    record DetachWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "detach_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new DetachWorkflow(id, workflowId); }
    }

    // Fire-and-forget messages: no corr_id, never answered.

    /**
     * {@code signal_process}: a message for a process; the engine does not answer.
     *
     * @param processId the process id
     * @param message   the message the inferlet receives
     */
    record SignalProcess(String processId, String message) implements ClientMessage {
        public void writeTo(MsgPackWriter w) {
            head(w, 2, "signal_process");
            w.str("process_id").str(processId).str("message").str(message);
        }
    }

    /**
     * One chunk of a file sent to a process; {@code data[offset, offset+length)} is the chunk, not copied.
     *
     * @param processId   the process id
     * @param fileHash    the BLAKE3 hex of the whole file
     * @param chunkIndex  this chunk's index, from 0
     * @param totalChunks how many chunks the whole has
     * @param data        the whole file (not copied)
     * @param offset      where the chunk starts in {@code data}
     * @param length      the chunk's length
     */
    record TransferFile(String processId, String fileHash, long chunkIndex, long totalChunks,
                        byte[] data, int offset, int length) implements ClientMessage {
        public void writeTo(MsgPackWriter w) {
            head(w, 5, "transfer_file");
            w.str("process_id").str(processId)
                    .str("file_hash").str(fileHash)
                    .str("chunk_index").integer(u64(chunkIndex, "chunk_index"))
                    .str("total_chunks").integer(u64(totalChunks, "total_chunks"))
                    .str("chunk_data").bin(data, offset, length);
        }
    }

    /**
     * {@code mcp_response}: the answer to the engine's {@code mcp_request} with the same id.
     *
     * @param corrId the correlation id that pairs the request with its answer
     * @param ok     whether the MCP call succeeded
     * @param result the result's JSON text, or the error object's
     */
    record McpResponse(long corrId, boolean ok, String result) implements ClientMessage {
        public void writeTo(MsgPackWriter w) {
            head(w, 3, "mcp_response");
            w.str("corr_id").integer(u32(corrId, "corr_id")).str("ok").bool(ok).str("result").str(result);
        }
    }

    private static void writeStrings(MsgPackWriter w, List<String> items) {
        w.arrayHeader(items.size());
        for (String s : items) w.str(s);
    }

    private static void writeBudgets(MsgPackWriter w, List<Long> budgets) {
        w.arrayHeader(budgets.size());
        for (Long b : budgets) {
            if (b == null) w.nil(); else w.integer(u64(b, "token_budgets element"));
        }
    }
}
