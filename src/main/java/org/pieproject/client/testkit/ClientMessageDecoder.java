package org.pieproject.client.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.MsgPackException;
import org.pieproject.client.wire.MsgPackReader;

/**
 * Turns one binary frame into a {@link ClientMessage} by the engine's rules (protocol.md §1.4): the map is
 * read generically first, then the fields of its {@code type} are bound strictly. Anything the engine could
 * not decode becomes an {@link Undecodable}, which the session logs and drops without a reply.
 */
final class ClientMessageDecoder {

    private static final long MAX_U32 = 0xFFFF_FFFFL;

    /** Why a frame cannot be decoded; carries no stack trace because it is an expected, logged outcome. */
    static final class Undecodable extends Exception {
        private static final long serialVersionUID = 1L;

        Undecodable(String message) {
            super(message, null, false, false);
        }
    }

    private ClientMessageDecoder() {
    }

    /**
     * Reads the top-level map with string keys (other keys are ignored, a repeated key is an error).
     * Bytes after the first value are ignored, as the engine does.
     */
    static Map<String, Object> readMap(byte[] frame) throws Undecodable {
        try {
            MsgPackReader r = new MsgPackReader(frame);
            if (r.peekKind() != MsgPackReader.Kind.MAP) throw new Undecodable("message is not a map");
            int n = r.readMapHeader();
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                Object key = r.readValue();
                Object value = r.readValue();
                if (key instanceof String k) {
                    if (map.containsKey(k)) throw new Undecodable("duplicate field `" + k + "`");
                    map.put(k, value);
                }
            }
            return Collections.unmodifiableMap(map);
        } catch (MsgPackException e) {
            throw new Undecodable(e.getMessage());
        }
    }

    /** Binds the fields of {@code map} to the message its {@code type} names. */
    static ClientMessage bind(Map<String, Object> map) throws Undecodable {
        Fields f = new Fields(map);
        String type = f.str("type");
        return switch (type) {
            case "auth_identify" -> new ClientMessage.AuthIdentify(f.u32("corr_id"), f.str("username"));
            case "auth_prove" -> new ClientMessage.AuthProve(f.u32("corr_id"), f.str("signature"));
            case "auth_by_token" -> new ClientMessage.AuthByToken(f.u32("corr_id"), f.str("token"));
            case "check_program" -> new ClientMessage.CheckProgram(f.u32("corr_id"), f.str("name"),
                    f.str("version"), f.optStr("wasm_hash"), f.optStr("manifest_hash"));
            case "query" -> new ClientMessage.Query(f.u32("corr_id"), f.str("subject"), f.str("record"));
            case "add_program" -> {
                byte[] data = f.bytes("chunk_data");
                yield new ClientMessage.AddProgram(f.u32("corr_id"), f.str("program_hash"), f.str("manifest"),
                        f.bool("force_overwrite"), f.u64("chunk_index"), f.u64("total_chunks"),
                        data, 0, data.length);
            }
            case "launch_process" -> new ClientMessage.LaunchProcess(f.u32("corr_id"), f.str("inferlet"),
                    f.str("input"), f.bool("capture_outputs"), f.optU64("token_budget"));
            case "launch_processes" -> new ClientMessage.LaunchProcesses(f.u32("corr_id"), f.str("inferlet"),
                    f.strList("inputs"), f.bool("capture_outputs"), f.optBudgets("token_budgets"));
            case "run_processes" -> new ClientMessage.RunProcesses(f.u32("corr_id"), f.str("inferlet"),
                    f.strList("inputs"), f.optBudgets("token_budgets"));
            case "launch_daemon" -> new ClientMessage.LaunchDaemon(f.u32("corr_id"), f.u32("port"),
                    f.str("inferlet"), f.str("input"));
            case "attach_process" -> new ClientMessage.AttachProcess(f.u32("corr_id"), f.str("process_id"));
            case "terminate_process" -> new ClientMessage.TerminateProcess(f.u32("corr_id"), f.str("process_id"));
            case "signal_process" -> new ClientMessage.SignalProcess(f.str("process_id"), f.str("message"));
            case "transfer_file" -> {
                byte[] data = f.bytes("chunk_data");
                yield new ClientMessage.TransferFile(f.str("process_id"), f.str("file_hash"),
                        f.u64("chunk_index"), f.u64("total_chunks"), data, 0, data.length);
            }
            case "list_processes" -> new ClientMessage.ListProcesses(f.u32("corr_id"));
            case "ping" -> new ClientMessage.Ping(f.u32("corr_id"));
            case "register_mcp_server" -> new ClientMessage.RegisterMcpServer(f.u32("corr_id"), f.str("name"),
                    f.str("transport"), f.optStr("command"), f.optStrList("args"), f.optStr("url"));
            case "mcp_response" -> new ClientMessage.McpResponse(f.u32("corr_id"), f.bool("ok"), f.str("result"));
            case "submit_workflow" -> new ClientMessage.SubmitWorkflow(f.u32("corr_id"), f.str("json"));
            case "cancel_workflow" -> new ClientMessage.CancelWorkflow(f.u32("corr_id"), f.str("workflow_id"));
            case "attach_workflow" -> new ClientMessage.AttachWorkflow(f.u32("corr_id"), f.str("workflow_id"));
            case "detach_workflow" -> new ClientMessage.DetachWorkflow(f.u32("corr_id"), f.str("workflow_id"));
            default -> throw new Undecodable("unknown message type `" + type + "`");
        };
    }

    /** Strict typed access to the generic map; nil counts as missing. */
    private record Fields(Map<String, Object> map) {

        private Object required(String key) throws Undecodable {
            Object v = map.get(key);
            if (v == null) throw new Undecodable("missing field `" + key + "`");
            return v;
        }

        String str(String key) throws Undecodable {
            return asString(key, required(key));
        }

        String optStr(String key) throws Undecodable {
            Object v = map.get(key);
            return v == null ? null : asString(key, v);
        }

        long u32(String key) throws Undecodable {
            return unsigned(key, required(key), MAX_U32);
        }

        long u64(String key) throws Undecodable {
            return unsigned(key, required(key), Long.MAX_VALUE);
        }

        Long optU64(String key) throws Undecodable {
            Object v = map.get(key);
            return v == null ? null : unsigned(key, v, Long.MAX_VALUE);
        }

        boolean bool(String key) throws Undecodable {
            if (required(key) instanceof Boolean b) return b;
            throw new Undecodable("field `" + key + "`: expected a boolean");
        }

        byte[] bytes(String key) throws Undecodable {
            Object v = required(key);
            switch (v) {
                case byte[] b -> {
                    return b;
                }
                case String s -> {
                    return s.getBytes(StandardCharsets.UTF_8);
                }
                case List<?> list -> {
                    byte[] out = new byte[list.size()];
                    for (int i = 0; i < out.length; i++) {
                        if (!(list.get(i) instanceof Long l) || l < 0 || l > 255) {
                            throw new Undecodable("field `" + key + "`: expected bytes");
                        }
                        out[i] = (byte) (long) l;
                    }
                    return out;
                }
                default -> throw new Undecodable("field `" + key + "`: expected bytes");
            }
        }

        List<String> strList(String key) throws Undecodable {
            if (!(required(key) instanceof List<?> list)) {
                throw new Undecodable("field `" + key + "`: expected an array");
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (o == null) throw new Undecodable("field `" + key + "`: nil in a string array");
                out.add(asString(key, o));
            }
            return List.copyOf(out);
        }

        List<String> optStrList(String key) throws Undecodable {
            return map.get(key) == null ? null : strList(key);
        }

        List<Long> optBudgets(String key) throws Undecodable {
            Object v = map.get(key);
            if (v == null) return null;
            if (!(v instanceof List<?> list)) throw new Undecodable("field `" + key + "`: expected an array");
            List<Long> out = new ArrayList<>(list.size());
            for (Object o : list) out.add(o == null ? null : unsigned(key, o, Long.MAX_VALUE));
            return Collections.unmodifiableList(out);
        }

        private static long unsigned(String key, Object v, long max) throws Undecodable {
            if (v instanceof Long l && l >= 0 && l <= max) return l;
            throw new Undecodable("field `" + key + "`: expected an integer in 0.." + max + ", got " + describe(v));
        }

        private static String asString(String key, Object v) throws Undecodable {
            if (v instanceof String s) return s;
            if (v instanceof byte[] b) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(b)).toString();
                } catch (CharacterCodingException e) {
                    throw new Undecodable("field `" + key + "`: invalid UTF-8");
                }
            }
            throw new Undecodable("field `" + key + "`: expected a string, got " + describe(v));
        }

        private static String describe(Object v) {
            return v == null ? "nil" : v.getClass().getSimpleName();
        }
    }
}
