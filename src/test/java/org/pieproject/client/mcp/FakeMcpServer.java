package org.pieproject.client.mcp;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

/**
 * A tiny, scriptable MCP server for the bridge's fault tests, run as a child JVM. {@code args[0]} picks a
 * behaviour for the handshake and the whole run; per call, the JSON-RPC method picks what happens:
 * {@code echo} returns its params, {@code fail} sends {@code params.error} as the error, {@code no-result}
 * answers without a result, {@code ignore} never answers, {@code die} exits mid-call, {@code stderr} writes
 * {@code params.bytes} to stderr first, {@code long-line} writes a {@code params.bytes}-long stdout line,
 * {@code ask-ping} pings the client and returns the client's answer, {@code init-info} returns what the
 * handshake looked like.
 */
public final class FakeMcpServer {

    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final PrintStream OUT =
            new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    private static final PrintStream ERR =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private final String mode;
    private final int reverseBatch;
    private final BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final Deque<JsonObject> held = new ArrayDeque<>();
    private JsonObject initParams;
    private JsonElement initId;
    private boolean initializedSeen;

    private FakeMcpServer(String mode, int reverseBatch) {
        this.mode = mode;
        this.reverseBatch = reverseBatch;
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "normal";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        switch (mode) {
            case "exit-at-start" -> {
                ERR.println("fatal: config file missing");
                System.exit(3);
            }
            case "stubborn" -> Runtime.getRuntime().addShutdownHook(new Thread(FakeMcpServer::blockForever));
            default -> { }
        }
        new FakeMcpServer(mode, batch).run();
        if (mode.equals("stubborn")) {
            blockForever(); // ignores the end of its input too
        }
    }

    private static void blockForever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            JsonObject message = JsonParser.parseString(line).getAsJsonObject();
            String method = message.has("method") ? message.get("method").getAsString() : "";
            JsonElement id = message.get("id");
            if (method.equals("initialize")) {
                handshake(id, message.getAsJsonObject("params"));
            } else if (method.equals("notifications/initialized")) {
                initializedSeen = true;
                if (mode.equals("exit-after-handshake")) {
                    System.exit(0);
                }
            } else if (id != null) {
                answer(id, method, message.get("params"));
            }
        }
    }

    private void handshake(JsonElement id, JsonObject params) {
        initParams = params;
        initId = id;
        switch (mode) {
            case "refuse-handshake" -> {
                ERR.println("unsupported protocol version, sorry");
                JsonObject error = new JsonObject();
                error.addProperty("code", -32602);
                error.addProperty("message", "Unsupported protocol version");
                sendError(id, error);
            }
            case "flood-then-refuse" -> {
                writeStderr(3 * 1024 * 1024);
                ERR.println("LAST WORDS");
                JsonObject error = new JsonObject();
                error.addProperty("code", -1);
                error.addProperty("message", "no");
                sendError(id, error);
            }
            case "silent-handshake" -> { }
            case "exit-in-handshake" -> {
                ERR.println("crashing during initialize");
                System.exit(4);
            }
            default -> {
                if (mode.equals("flood-stderr")) {
                    writeStderr(4 * 1024 * 1024);
                }
                JsonObject result = new JsonObject();
                result.addProperty("protocolVersion", "2024-11-05");
                result.add("capabilities", new JsonObject());
                JsonObject info = new JsonObject();
                info.addProperty("name", "fake");
                info.addProperty("version", "1");
                result.add("serverInfo", info);
                sendResult(id, result);
            }
        }
    }

    private void answer(JsonElement id, String method, JsonElement params) throws IOException {
        if (mode.equals("garbage")) {
            emitNoise();
        }
        switch (method) {
            case "echo" -> {
                if (reverseBatch > 0) {
                    JsonObject call = new JsonObject();
                    call.add("id", id);
                    call.add("params", params);
                    held.push(call);
                    if (held.size() == reverseBatch) {
                        while (!held.isEmpty()) {
                            JsonObject next = held.pop();
                            sendResult(next.get("id"), next.get("params"));
                        }
                    }
                } else {
                    sendResult(id, params);
                }
            }
            case "init-info" -> {
                JsonObject info = new JsonObject();
                info.add("initParams", initParams);
                info.add("initId", initId);
                info.addProperty("initializedSeen", initializedSeen);
                info.add("thisId", id);
                sendResult(id, info);
            }
            case "fail" -> sendError(id, params.getAsJsonObject().get("error"));
            case "no-result" -> {
                JsonObject reply = new JsonObject();
                reply.addProperty("jsonrpc", "2.0");
                reply.add("id", id);
                send(reply);
            }
            case "ignore" -> { }
            case "die" -> {
                ERR.println("dying mid-call");
                System.exit(5);
            }
            case "stderr" -> {
                int bytes = params.getAsJsonObject().get("bytes").getAsInt();
                writeStderr(bytes);
                sendResult(id, params);
            }
            case "long-line" -> {
                int bytes = params.getAsJsonObject().get("bytes").getAsInt();
                OUT.print("x".repeat(bytes));
                OUT.print('\n');
                OUT.flush();
                sendResult(id, params); // never read: the bridge stops at the long line
            }
            case "ask-ping" -> {
                JsonObject ping = new JsonObject();
                ping.addProperty("jsonrpc", "2.0");
                ping.addProperty("id", "srv-1");
                ping.addProperty("method", "ping");
                send(ping);
                JsonObject clientAnswer = JsonParser.parseString(in.readLine()).getAsJsonObject();
                JsonObject result = new JsonObject();
                result.add("clientAnswer", clientAnswer);
                sendResult(id, result);
            }
            default -> {
                JsonObject error = new JsonObject();
                error.addProperty("code", -32601);
                error.addProperty("message", "Method not found");
                sendError(id, error);
            }
        }
    }

    private void emitNoise() {
        OUT.print("this line is not JSON\n");
        OUT.print("\n");
        OUT.print("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\"}}\n");
        OUT.print("[1,2,3]\n");
        OUT.print("{\"jsonrpc\":\"2.0\",\"id\":999999,\"result\":\"stray\"}\n");
        OUT.print("{\"jsonrpc\":\"2.0\",\"id\":\"2\",\"result\":\"string id\"}\n");
        OUT.print("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"trailing\"} junk\n");
        OUT.print("{\"jsonrpc\":\"2.0\",\"id\":\n");
        OUT.flush();
    }

    private static void writeStderr(int bytes) {
        byte[] chunk = ("stderr noise " + "y".repeat(50) + "\n").getBytes(StandardCharsets.UTF_8);
        int written = 0;
        while (written < bytes) {
            int count = Math.min(chunk.length, bytes - written);
            ERR.write(chunk, 0, count);
            written += count;
        }
        ERR.println();
        ERR.flush();
    }

    private static void sendResult(JsonElement id, JsonElement result) {
        JsonObject reply = new JsonObject();
        reply.addProperty("jsonrpc", "2.0");
        reply.add("id", id);
        reply.add("result", result);
        send(reply);
    }

    private static void sendError(JsonElement id, JsonElement error) {
        JsonObject reply = new JsonObject();
        reply.addProperty("jsonrpc", "2.0");
        reply.add("id", id);
        reply.add("error", error);
        send(reply);
    }

    private static void send(JsonObject message) {
        OUT.print(GSON.toJson(message));
        OUT.print('\n');
        OUT.flush();
    }
}
