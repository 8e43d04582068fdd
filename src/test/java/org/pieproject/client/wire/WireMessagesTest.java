package org.pieproject.client.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pieproject.client.wire.WireTestSupport.canon;
import static org.pieproject.client.wire.WireTestSupport.hex;
import static org.pieproject.client.wire.WireTestSupport.ours;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The protocol's messages on the wire: exact bytes out (protocol.md §1.3, §2.1), tolerant but strict decoding in (§2.2). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WireMessagesTest {
    /** protocol.md §1.3: the Rust client's first ping. */
    static final byte[] RUST_PING = WireTestSupport.hex("82 a4 74 79 70 65 a4 70 69 6e 67 a7 63 6f 72 72 5f 69 64 00");
    /** protocol.md §1.3: the engine's reply to it. */
    static final byte[] ENGINE_PONG = WireTestSupport.hex("""
            84 a4 74 79 70 65 a8 72 65 73 70 6f 6e 73 65 a7 63 6f 72 72 5f 69 64 00
            a2 6f 6b c3 a6 72 65 73 75 6c 74 a4 50 6f 6e 67""");

    static final long U32_MAX = 0xFFFF_FFFFL;

    @Test
    @DisplayName("protocol.md §1.3 golden bytes: ping(0) out, Pong response in, and the test engine writes the same Pong")
    void goldenBytes() {
        assertThat(hex(new ClientMessage.Ping(0).encode())).isEqualTo(hex(RUST_PING));
        assertThat(ServerMessage.decode(ENGINE_PONG)).isEqualTo(new ServerMessage.Response(0, true, "Pong"));
        assertThat(hex(new ServerMessage.Response(0, true, "Pong").encode())).isEqualTo(hex(ENGINE_PONG));
    }

    // ---------------------------------------------------------------------------------------------
    // Client → engine

    enum Kind { U32, U64, STR, BOOL, BIN, STRS, BUDGETS }

    record Field(String name, Kind kind, boolean optional) {}

    private static Field req(String name, Kind kind) {
        return new Field(name, kind, false);
    }

    private static Field opt(String name, Kind kind) {
        return new Field(name, kind, true);
    }

    /** protocol.md §2.1, transcribed: every client message type with its fields in declaration order. */
    static final Map<String, List<Field>> SPEC = new LinkedHashMap<>();

    static {
        Field corr = req("corr_id", Kind.U32);
        SPEC.put("auth_identify", List.of(corr, req("username", Kind.STR)));
        SPEC.put("auth_prove", List.of(corr, req("signature", Kind.STR)));
        SPEC.put("auth_by_token", List.of(corr, req("token", Kind.STR)));
        SPEC.put("check_program", List.of(corr, req("name", Kind.STR), req("version", Kind.STR),
                opt("wasm_hash", Kind.STR), opt("manifest_hash", Kind.STR)));
        SPEC.put("query", List.of(corr, req("subject", Kind.STR), req("record", Kind.STR)));
        SPEC.put("add_program", List.of(corr, req("program_hash", Kind.STR), req("manifest", Kind.STR),
                req("force_overwrite", Kind.BOOL), req("chunk_index", Kind.U64), req("total_chunks", Kind.U64),
                req("chunk_data", Kind.BIN)));
        SPEC.put("launch_process", List.of(corr, req("inferlet", Kind.STR), req("input", Kind.STR),
                req("capture_outputs", Kind.BOOL), opt("token_budget", Kind.U64)));
        SPEC.put("launch_processes", List.of(corr, req("inferlet", Kind.STR), req("inputs", Kind.STRS),
                req("capture_outputs", Kind.BOOL), opt("token_budgets", Kind.BUDGETS)));
        SPEC.put("run_processes", List.of(corr, req("inferlet", Kind.STR), req("inputs", Kind.STRS),
                opt("token_budgets", Kind.BUDGETS)));
        SPEC.put("launch_daemon", List.of(corr, req("port", Kind.U32), req("inferlet", Kind.STR), req("input", Kind.STR)));
        SPEC.put("attach_process", List.of(corr, req("process_id", Kind.STR)));
        SPEC.put("terminate_process", List.of(corr, req("process_id", Kind.STR)));
        SPEC.put("signal_process", List.of(req("process_id", Kind.STR), req("message", Kind.STR)));
        SPEC.put("transfer_file", List.of(req("process_id", Kind.STR), req("file_hash", Kind.STR),
                req("chunk_index", Kind.U64), req("total_chunks", Kind.U64), req("chunk_data", Kind.BIN)));
        SPEC.put("list_processes", List.of(corr));
        SPEC.put("ping", List.of(corr));
        SPEC.put("register_mcp_server", List.of(corr, req("name", Kind.STR), req("transport", Kind.STR),
                opt("command", Kind.STR), opt("args", Kind.STRS), opt("url", Kind.STR)));
        SPEC.put("mcp_response", List.of(corr, req("ok", Kind.BOOL), req("result", Kind.STR)));
        SPEC.put("submit_workflow", List.of(corr, req("json", Kind.STR)));
        SPEC.put("cancel_workflow", List.of(corr, req("workflow_id", Kind.STR)));
        SPEC.put("attach_workflow", List.of(corr, req("workflow_id", Kind.STR)));
        SPEC.put("detach_workflow", List.of(corr, req("workflow_id", Kind.STR)));
    }

    /** One instance of every record, optionals present and absent, integers on the form boundaries. */
    static Stream<Arguments> clientMessages() {
        byte[] bytes = new byte[300];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) i;
        List<ClientMessage> all = List.of(
                new ClientMessage.AuthIdentify(1, "alice"),
                new ClientMessage.AuthProve(127, "c2lnbmF0dXJl"),
                new ClientMessage.AuthByToken(128, "tok"),
                new ClientMessage.CheckProgram(255, "prog", "1.0.0", null, null),
                new ClientMessage.CheckProgram(256, "prog", "1.0.0", "aa", "bb"),
                new ClientMessage.CheckProgram(65535, "prog", "1.0.0", null, "bb"),
                new ClientMessage.Query(65536, "model_status", "x"),
                new ClientMessage.AddProgram(U32_MAX, "h", "[package]", true, 0, 1, bytes, 0, bytes.length),
                new ClientMessage.AddProgram(7, "h", "m", false, 0x1_0000_0000L, Long.MAX_VALUE, bytes, 10, 0),
                new ClientMessage.AddProgram(7, "h", "m", false, 2, 3, bytes, 44, 33),
                new ClientMessage.LaunchProcess(2, "hello@0.1.0", "é中😀", false, null),
                new ClientMessage.LaunchProcess(2, "hello", "", true, 65536L),
                new ClientMessage.LaunchProcesses(3, "hello", List.of("a", "b"), true, null),
                new ClientMessage.LaunchProcesses(3, "hello", List.of(), false, Arrays.asList(5L, null, 300L)),
                new ClientMessage.RunProcesses(4, "hello", List.of("x".repeat(40)), null),
                new ClientMessage.RunProcesses(4, "hello", List.of("a"), List.of(U32_MAX + 1)),
                new ClientMessage.LaunchDaemon(5, 8080, "srv", "{}"),
                new ClientMessage.LaunchDaemon(5, U32_MAX, "srv", ""),
                new ClientMessage.AttachProcess(6, "0b8f5a4e-3d1c-4c5e-9f7a-2b6d8e9c1a3f"),
                new ClientMessage.TerminateProcess(7, "p"),
                new ClientMessage.SignalProcess("p", "stop"),
                new ClientMessage.TransferFile("p", "hash", 0, 1, bytes, 0, 256),
                new ClientMessage.TransferFile("p", "hash", 255, 70000, bytes, 299, 1),
                new ClientMessage.ListProcesses(8),
                new ClientMessage.Ping(9),
                new ClientMessage.RegisterMcpServer(10, "fs", "stdio", "npx", List.of("-y", "server"), null),
                new ClientMessage.RegisterMcpServer(10, "web", "http", null, null, "http://localhost:1"),
                new ClientMessage.McpResponse(U32_MAX, false, "{\"error\":1}"),
                new ClientMessage.SubmitWorkflow(11, "{\"steps\":[]}"),
                new ClientMessage.CancelWorkflow(12, "w"),
                new ClientMessage.AttachWorkflow(13, "w"),
                new ClientMessage.DetachWorkflow(14, "w"));
        return all.stream().map(m -> Arguments.of(m.getClass().getSimpleName(), m));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("clientMessages")
    @DisplayName("client message: exact type name, §2.1 field names/order/types, smallest unsigned ints, absent optionals left out")
    void clientMessageMatchesSpec(String name, ClientMessage m) {
        byte[] bytes = m.encode();
        MsgPackReader r = new MsgPackReader(bytes);
        Object decoded = r.readValue();
        assertThat(r.hasMore()).isFalse();
        assertThat(decoded).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) decoded;
        List<Object> keys = new ArrayList<>(map.keySet());
        assertThat(keys.getFirst()).as("type comes first").isEqualTo("type");
        Object type = map.get("type");
        assertThat(SPEC).as("known type name").containsKey((String) type);
        List<Field> fields = SPEC.get((String) type);
        List<Object> expectedKeys = new ArrayList<>();
        expectedKeys.add("type");
        for (Field f : fields) {
            if (!f.optional() || map.containsKey(f.name())) expectedKeys.add(f.name());
        }
        assertThat(keys).as("keys in declaration order, optionals only when set").isEqualTo(expectedKeys);
        for (Field f : fields) {
            if (!map.containsKey(f.name())) continue;
            Object v = map.get(f.name());
            assertThat(v).as("%s.%s: optionals are left out, never nil", type, f.name()).isNotNull();
            switch (f.kind()) {
                case U32 -> assertThat((Long) v).isBetween(0L, U32_MAX);
                case U64 -> assertThat((Long) v).isNotNegative();
                case STR -> assertThat(v).isInstanceOf(String.class);
                case BOOL -> assertThat(v).isInstanceOf(Boolean.class);
                case BIN -> assertThat(v).as("chunk_data is bin").isInstanceOf(byte[].class);
                case STRS -> assertThat((List<?>) v).allSatisfy(s -> assertThat(s).isInstanceOf(String.class));
                case BUDGETS -> assertThat((List<?>) v).allSatisfy(b -> assertThat(b).satisfiesAnyOf(
                        x -> assertThat(x).isNull(), x -> assertThat((Long) x).isNotNegative()));
            }
        }
        // Every form was the smallest (unsigned for integers): re-encoding the decoded tree, which our writer
        // (checked against msgpack-core elsewhere) always does minimally, gives the same bytes.
        assertThat(hex(ours(decoded))).isEqualTo(hex(bytes));
        assertThat(WireTestSupport.oracleRead(bytes).value()).isEqualTo(canon(decoded));
        // Requests hand their corr_id over and keep everything else on withCorrId.
        if (m instanceof ClientMessage.Request req) {
            assertThat(map.get("corr_id")).isEqualTo(req.corrId());
            Map<Object, Object> renumbered = new LinkedHashMap<>(map);
            renumbered.put("corr_id", 42L);
            assertThat(canon(new MsgPackReader(req.withCorrId(42).encode()).readValue())).isEqualTo(canon(renumbered));
        }
    }

    @Test
    @DisplayName("every client message type of §2.1 has a record (the sample list covers all 22)")
    void everyTypeCovered() {
        List<Object> types = clientMessages()
                .map(a -> new MsgPackReader(((ClientMessage) a.get()[1]).encode()).readValue())
                .map(v -> (Object) ((Map<?, ?>) v).get("type")).distinct().toList();
        assertThat(types).containsExactlyInAnyOrderElementsOf(SPEC.keySet());
    }

    @Test
    @DisplayName("exact bytes of chunk payloads and u32/u64 edges")
    void exactPayloadBytes() {
        byte[] data = {9, 8, 7, 6, 5};
        byte[] b = new ClientMessage.TransferFile("p", "h", 128, 0x1_0000_0000L, data, 1, 3).encode();
        byte[] want = new MsgPackWriter().mapHeader(6)
                .str("type").str("transfer_file").str("process_id").str("p").str("file_hash").str("h")
                .str("chunk_index").raw(WireTestSupport.hex("cc 80"), 0, 2)
                .str("total_chunks").raw(WireTestSupport.hex("cf 00 00 00 01 00 00 00 00"), 0, 9)
                .str("chunk_data").raw(WireTestSupport.hex("c4 03 08 07 06"), 0, 5).toByteArray();
        assertThat(hex(b)).isEqualTo(hex(want));
        byte[] empty = new ClientMessage.AddProgram(0, "h", "m", false, 0, 1, data, 5, 0).encode();
        assertThat(hex(empty)).endsWith("aa6368756e6b5f64617461" + "c400"); // "chunk_data" → empty bin
        assertThat(hex(new ClientMessage.Ping(U32_MAX).encode())).endsWith("a7636f72725f6964" + "ceffffffff");
    }

    @Test
    @DisplayName("integers the engine would refuse (corr_id/port beyond u32, negative u64) are refused at encode time")
    void outOfRangeIntegersRefused() {
        byte[] d = new byte[1];
        List<ClientMessage> bad = List.of(
                new ClientMessage.Ping(-1), new ClientMessage.Ping(U32_MAX + 1),
                new ClientMessage.McpResponse(U32_MAX + 1, true, ""),
                new ClientMessage.LaunchDaemon(1, U32_MAX + 1, "i", ""),
                new ClientMessage.LaunchProcess(1, "i", "", false, -1L),
                new ClientMessage.LaunchProcesses(1, "i", List.of("a"), false, List.of(-5L)),
                new ClientMessage.AddProgram(1, "h", "m", false, -1, 1, d, 0, 1),
                new ClientMessage.TransferFile("p", "h", 0, -1, d, 0, 1));
        for (ClientMessage m : bad) {
            assertThatThrownBy(m::encode).as(m.toString()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    @DisplayName("secrets stay out of toString")
    void secretsRedacted() {
        assertThat(new ClientMessage.AuthByToken(1, "s3cret-token").toString()).doesNotContain("s3cret");
        assertThat(new ClientMessage.AuthProve(1, "c2lnbmF0dXJl").toString()).doesNotContain("c2lnbmF0dXJl");
    }

    // ---------------------------------------------------------------------------------------------
    // Engine → client

    private static Map<Object, Object> map(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static ServerMessage decode(Object value) {
        return ServerMessage.decode(ours(value));
    }

    static List<ServerMessage> serverSamples() {
        return List.of(
                new ServerMessage.Response(0, true, "Pong"),
                new ServerMessage.Response(U32_MAX, false, ""),
                new ServerMessage.ProcessEvent("0b8f5a4e-3d1c-4c5e-9f7a-2b6d8e9c1a3f", "stdout", "héllo 😀"),
                new ServerMessage.FileChunk("p", "hash", 0, 1, new byte[] {1, 2, 3}, null),
                new ServerMessage.FileChunk("p", "hash", 65536, Long.MAX_VALUE, new byte[0], "out.txt"),
                new ServerMessage.McpRequest(1, "p", "fs", "tools/list", "{}"),
                new ServerMessage.Unknown("model_update"));
    }

    @Test
    @DisplayName("every server message round-trips through writeTo and decode")
    void serverRoundTrip() {
        for (ServerMessage m : serverSamples()) {
            ServerMessage back = ServerMessage.decode(m.encode());
            assertThat(back).isEqualTo(m); // FileChunk compares its bytes, which stay in the encoded message
        }
    }

    @Test
    @DisplayName("keys in any order, any integer form, bin tolerated for str, trailing bytes ignored")
    void tolerantDecoding() {
        assertThat(decode(map("result", "r", "ok", false, "corr_id", 5L, "type", "response")))
                .isEqualTo(new ServerMessage.Response(5, false, "r"));
        for (String form : List.of("05", "cc05", "cd0005", "ce00000005", "cf0000000000000005", "d005", "d10005",
                "d200000005", "d30000000000000005")) {
            byte[] b = new MsgPackWriter().mapHeader(4).str("type").str("response").str("ok").bool(true)
                    .str("result").str("x").str("corr_id").raw(WireTestSupport.hex(form), 0, form.length() / 2).toByteArray();
            assertThat(ServerMessage.decode(b)).as(form).isEqualTo(new ServerMessage.Response(5, true, "x"));
        }
        assertThat(decode(map("type", "response", "corr_id", U32_MAX, "ok", true, "result", "Pong".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(new ServerMessage.Response(U32_MAX, true, "Pong"));
        byte[] trailing = Arrays.copyOf(ENGINE_PONG, ENGINE_PONG.length + 4);
        trailing[ENGINE_PONG.length] = (byte) 0xc1; // not even valid MessagePack
        trailing[ENGINE_PONG.length + 1] = (byte) 0xdd;
        assertThat(ServerMessage.decode(trailing)).isEqualTo(new ServerMessage.Response(0, true, "Pong"));
        // decode(buf, off, len) reads only its window.
        byte[] framed = new byte[ENGINE_PONG.length + 6];
        System.arraycopy(ENGINE_PONG, 0, framed, 3, ENGINE_PONG.length);
        assertThat(ServerMessage.decode(framed, 3, ENGINE_PONG.length)).isEqualTo(new ServerMessage.Response(0, true, "Pong"));
    }

    @Test
    @DisplayName("unknown keys of every type are skipped, including non-string keys, nested maps and ext")
    void unknownKeysSkipped() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put(5L, "int key");
        m.put(null, map("nil", "key"));
        m.put(true, List.of(1L, 2L));
        m.put(new byte[] {'t', 'y', 'p', 'e'}, "bin key spelling type"); // not the str key "type"
        m.put(List.of("type"), "array key");
        m.put(map("type", "x"), "map key");
        m.put("type", "process_event");
        m.put("later_field", map("deep", List.of(map("deeper", new MsgPackReader.Ext(3, new byte[] {1, 2})))));
        m.put("ext", new MsgPackReader.Ext(-1, new byte[8]));
        m.put("float", 1.5);
        m.put("big", RandomValues.nested(1000, "x"));
        m.put("process_id", "p");
        m.put("event", "stdout");
        m.put("value", "v");
        // Fields of other message types, with types this message would not accept: still just unknown keys.
        m.put("corr_id", "not a number");
        m.put("ok", 1L);
        m.put("chunk_data", new MsgPackReader.Ext(5, new byte[1]));
        m.put("name", 7L);
        assertThat(decode(m)).isEqualTo(new ServerMessage.ProcessEvent("p", "stdout", "v"));
    }

    @Test
    @DisplayName("file: name is optional, may be nil; chunk_data is bin")
    void fileOptionalName() {
        byte[] d = {1, 2, 3};
        Map<Object, Object> base = map("type", "file", "process_id", "p", "file_hash", "h", "chunk_index", 1L,
                "total_chunks", 2L, "chunk_data", d);
        assertThat(decode(base)).isEqualTo(new ServerMessage.FileChunk("p", "h", 1, 2, d, null));
        Map<Object, Object> named = new LinkedHashMap<>(base);
        named.put("name", "a.txt");
        assertThat(decode(named)).isEqualTo(new ServerMessage.FileChunk("p", "h", 1, 2, d, "a.txt"));
        Map<Object, Object> nilName = new LinkedHashMap<>(base);
        nilName.put("name", null);
        assertThat(decode(nilName)).isEqualTo(new ServerMessage.FileChunk("p", "h", 1, 2, d, null));
    }

    @Test
    @DisplayName("an unknown type gives Unknown, whatever else the map holds")
    void unknownType() {
        assertThat(decode(map("type", "model_update", "corr_id", "x", "data", List.of(1L))))
                .isEqualTo(new ServerMessage.Unknown("model_update"));
        assertThat(decode(map("type", "Response", "corr_id", 1L, "ok", true, "result", "")))
                .as("type names are case-sensitive").isEqualTo(new ServerMessage.Unknown("Response"));
    }

    static Stream<Arguments> badMessages() {
        Map<Object, Object> ok = map("type", "response", "corr_id", 1L, "ok", true, "result", "r");
        byte[] badUtf8 = {(byte) 0xc3, 0x28};
        return Stream.of(
                Arguments.of("an array", ours(List.of("response", 1L, true, "r"))),
                Arguments.of("an integer", ours(1L)),
                Arguments.of("a string", ours("response")),
                Arguments.of("nil", ours(null)),
                Arguments.of("empty input", new byte[0]),
                Arguments.of("no type", ours(map("corr_id", 1L, "ok", true, "result", "r"))),
                Arguments.of("nil type", ours(map("type", null, "corr_id", 1L, "ok", true, "result", "r"))),
                Arguments.of("integer type", ours(map("type", 1L))),
                Arguments.of("missing result", ours(map("type", "response", "corr_id", 1L, "ok", true))),
                Arguments.of("missing corr_id", ours(map("type", "response", "ok", true, "result", "r"))),
                Arguments.of("nil on required ok", ours(map("type", "response", "corr_id", 1L, "ok", null, "result", "r"))),
                Arguments.of("missing chunk_data", ours(map("type", "file", "process_id", "p", "file_hash", "h",
                        "chunk_index", 1L, "total_chunks", 2L))),
                Arguments.of("missing params", ours(map("type", "mcp_request", "corr_id", 1L, "process_id", "p",
                        "server_name", "s", "method", "m"))),
                Arguments.of("missing event", ours(map("type", "process_event", "process_id", "p", "value", "v"))),
                Arguments.of("string corr_id", ours(with(ok, "corr_id", "1"))),
                Arguments.of("float corr_id", ours(with(ok, "corr_id", 1.0))),
                Arguments.of("int ok", ours(with(ok, "ok", 1L))),
                Arguments.of("int result", ours(with(ok, "result", 5L))),
                Arguments.of("negative corr_id", ours(with(ok, "corr_id", -1L))),
                Arguments.of("corr_id 2^32", ours(with(ok, "corr_id", U32_MAX + 1))),
                Arguments.of("uint64 above long chunk_index", new MsgPackWriter().mapHeader(6).str("type").str("file")
                        .str("process_id").str("p").str("file_hash").str("h").str("chunk_index").unsigned64(-1L)
                        .str("total_chunks").integer(1).str("chunk_data").bin(new byte[0]).toByteArray()),
                Arguments.of("negative total_chunks", ours(map("type", "file", "process_id", "p", "file_hash", "h",
                        "chunk_index", 0L, "total_chunks", -1L, "chunk_data", new byte[0]))),
                Arguments.of("ext chunk_data", ours(map("type", "file", "process_id", "p", "file_hash", "h",
                        "chunk_index", 0L, "total_chunks", 1L, "chunk_data", new MsgPackReader.Ext(1, new byte[4])))),
                Arguments.of("invalid UTF-8 in result", new MsgPackWriter().mapHeader(4).str("type").str("response")
                        .str("corr_id").integer(1).str("ok").bool(true).str("result").strHeader(2).raw(badUtf8, 0, 2).toByteArray()),
                Arguments.of("invalid UTF-8 in type", new MsgPackWriter().mapHeader(1).str("type").strHeader(2)
                        .raw(badUtf8, 0, 2).toByteArray()),
                Arguments.of("invalid UTF-8 in a key", new MsgPackWriter().mapHeader(2).str("type").str("response")
                        .strHeader(2).raw(badUtf8, 0, 2).integer(1).toByteArray()),
                Arguments.of("str8 longer than the data", WireTestSupport.hex("81 a4 74797065 d9 c8 72 65 73")),
                Arguments.of("str32 length 2^32-1", WireTestSupport.hex("81 a4 74797065 db ffffffff 72 65 73")),
                Arguments.of("bin32 length 2^32-1", WireTestSupport.hex("82 a4 74797065 a4 66696c65 aa 6368756e6b5f64617461 c6 ffffffff 00")),
                Arguments.of("unknown array32 of 2^32-1", WireTestSupport.hex("81 a1 78 dd ffffffff 00 00")),
                Arguments.of("unknown map32 of 2^32-1", WireTestSupport.hex("81 a1 78 df ffffffff 00 00")),
                Arguments.of("unknown ext32 of 2^32-1", WireTestSupport.hex("81 a1 78 c9 ffffffff 01 00")),
                Arguments.of("map16 larger than the data", WireTestSupport.hex("de 00 05 a4 74797065 a4 70696e67")),
                Arguments.of("map32 of 2^32-1", WireTestSupport.hex("df ffffffff a4 74797065 a4 70696e67")),
                Arguments.of("reserved byte 0xc1 as a value", WireTestSupport.hex("82 a4 74797065 a4 70696e67 a1 78 c1")),
                Arguments.of("duplicate type", dup("type", "process_event")),
                Arguments.of("duplicate corr_id", dup("corr_id", 2L)));
    }

    private static Map<Object, Object> with(Map<Object, Object> m, Object k, Object v) {
        Map<Object, Object> out = new LinkedHashMap<>(m);
        out.put(k, v);
        return out;
    }

    /** A valid response with one field given a second time (a Java map cannot hold that, so write it by hand). */
    private static byte[] dup(String key, Object second) {
        MsgPackWriter w = new MsgPackWriter().mapHeader(5).str("type").str("response").str("corr_id").integer(1)
                .str("ok").bool(true).str("result").str("r").str(key);
        return w.value(second).toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMessages")
    @DisplayName("malformed engine messages throw MsgPackException, never anything else")
    void malformedThrowsMsgPackException(String what, byte[] bytes) {
        assertThatThrownBy(() -> ServerMessage.decode(bytes)).as(what + ": " + hex(bytes))
                .isExactlyInstanceOf(MsgPackException.class);
    }

    @Test
    @DisplayName("every truncation of every valid server message throws MsgPackException")
    void everyPrefixThrows() {
        List<byte[]> valid = new ArrayList<>();
        for (ServerMessage m : serverSamples()) valid.add(m.encode());
        valid.add(ENGINE_PONG);
        valid.add(ours(map("type", "response", "x", map("a", List.of(1L, "b", new byte[3], 1.5, new MsgPackReader.Ext(1, new byte[3]))),
                "corr_id", 70000L, "ok", false, "result", "r".repeat(300))));
        int checked = 0;
        for (byte[] full : valid) {
            ServerMessage.decode(full); // the whole message is fine
            for (int n = 0; n < full.length; n++) {
                byte[] prefix = Arrays.copyOf(full, n);
                assertThatThrownBy(() -> ServerMessage.decode(prefix)).as("prefix of %d bytes of %s", n, hex(full))
                        .isExactlyInstanceOf(MsgPackException.class);
                checked++;
            }
        }
        assertThat(checked).as("prefixes checked").isGreaterThan(700);
    }
}
