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
     * @throws IllegalArgumentException if an integer field is outside its protocol range (a u32 above
     *         2^32-1 or any negative value); {@code w} then holds a partial message and must be reset
     */
    void writeTo(MsgPackWriter w);

    /** A request the engine answers with a {@code response} carrying {@link #corrId()}. */
    sealed interface Request extends ClientMessage {
        long corrId();

        /** The same request with another correlation id. */
        Request withCorrId(long corrId);
    }

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

    record AuthIdentify(long corrId, String username) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_identify", corrId);
            w.str("username").str(username);
        }
        public Request withCorrId(long id) { return new AuthIdentify(id, username); }
    }

    record AuthProve(long corrId, String signature) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_prove", corrId);
            w.str("signature").str(signature);
        }
        public Request withCorrId(long id) { return new AuthProve(id, signature); }
        @Override public String toString() { return "AuthProve[corrId=" + corrId + ", signature=<redacted>]"; }
    }

    record AuthByToken(long corrId, String token) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "auth_by_token", corrId);
            w.str("token").str(token);
        }
        public Request withCorrId(long id) { return new AuthByToken(id, token); }
        @Override public String toString() { return "AuthByToken[corrId=" + corrId + ", token=<redacted>]"; }
    }

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

    record Query(long corrId, String subject, String record) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 2, "query", corrId);
            w.str("subject").str(subject).str("record").str(record);
        }
        public Request withCorrId(long id) { return new Query(id, subject, record); }
    }

    /** One chunk of a program upload; {@code data[offset, offset+length)} is the chunk, not copied. */
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

    record LaunchProcess(long corrId, String inferlet, String input, boolean captureOutputs, Long tokenBudget)
            implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 3 + present(tokenBudget), "launch_process", corrId);
            w.str("inferlet").str(inferlet).str("input").str(input).str("capture_outputs").bool(captureOutputs);
            if (tokenBudget != null) w.str("token_budget").integer(u64(tokenBudget, "token_budget"));
        }
        public Request withCorrId(long id) { return new LaunchProcess(id, inferlet, input, captureOutputs, tokenBudget); }
    }

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

    record LaunchDaemon(long corrId, long port, String inferlet, String input) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 3, "launch_daemon", corrId);
            w.str("port").integer(u32(port, "port")).str("inferlet").str(inferlet).str("input").str(input);
        }
        public Request withCorrId(long id) { return new LaunchDaemon(id, port, inferlet, input); }
    }

    record AttachProcess(long corrId, String processId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "attach_process", corrId);
            w.str("process_id").str(processId);
        }
        public Request withCorrId(long id) { return new AttachProcess(id, processId); }
    }

    record TerminateProcess(long corrId, String processId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "terminate_process", corrId);
            w.str("process_id").str(processId);
        }
        public Request withCorrId(long id) { return new TerminateProcess(id, processId); }
    }

    record ListProcesses(long corrId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 0, "list_processes", corrId);
        }
        public Request withCorrId(long id) { return new ListProcesses(id); }
    }

    record Ping(long corrId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 0, "ping", corrId);
        }
        public Request withCorrId(long id) { return new Ping(id); }
    }

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

    record SubmitWorkflow(long corrId, String json) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "submit_workflow", corrId);
            w.str("json").str(json);
        }
        public Request withCorrId(long id) { return new SubmitWorkflow(id, json); }
    }

    record CancelWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "cancel_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new CancelWorkflow(id, workflowId); }
    }

    record AttachWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "attach_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new AttachWorkflow(id, workflowId); }
    }

    record DetachWorkflow(long corrId, String workflowId) implements Request {
        public void writeTo(MsgPackWriter w) {
            head(w, 1, "detach_workflow", corrId);
            w.str("workflow_id").str(workflowId);
        }
        public Request withCorrId(long id) { return new DetachWorkflow(id, workflowId); }
    }

    // Fire-and-forget messages: no corr_id, never answered.

    record SignalProcess(String processId, String message) implements ClientMessage {
        public void writeTo(MsgPackWriter w) {
            head(w, 2, "signal_process");
            w.str("process_id").str(processId).str("message").str(message);
        }
    }

    /** One chunk of a file sent to a process; {@code data[offset, offset+length)} is the chunk, not copied. */
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
