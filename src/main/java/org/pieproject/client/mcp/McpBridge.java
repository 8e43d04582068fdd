package org.pieproject.client.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pieproject.client.PieException;

/**
 * The local MCP servers one client started, by name, and the relay of the engine's {@code mcp_request}s to
 * them. Thread-safe.
 *
 * <p>A server is started and its MCP handshake completed by {@link #register}; only after that succeeds
 * should the client announce it to the engine with {@code register_mcp_server}. Each engine
 * {@code mcp_request} then becomes one {@link #call}, whose {@link McpReply} is the {@code mcp_response}
 * payload. {@link #close} ends every child; a JVM shutdown hook ends any still alive at normal JVM exit.
 *
 * <p>Only the {@code stdio} transport is supported: the server is a child process spoken to with
 * JSON-RPC 2.0, one JSON object per line, over its stdin and stdout. Its stderr is logged at DEBUG with the
 * prefix {@code [mcp:<name>] } and never printed.
 */
public final class McpBridge implements AutoCloseable {

    /** The only transport this bridge can start. */
    public static final String STDIO = "stdio";
    /** A longer stdout line from a server is a protocol failure for that server: memory stays bounded. */
    static final int DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

    private final Duration handshakeTimeout;
    private final Duration callTimeout;
    private final int maxLineBytes;
    private final String clientVersion;
    /** Names being started or running; reserved first so that a concurrent duplicate fails at once. */
    private final Set<String> names = ConcurrentHashMap.newKeySet();
    private final Map<String, StdioMcpServer> servers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Creates a bridge with no servers.
     *
     * @param handshakeTimeout how long {@link #register} waits for a server's answer to {@code initialize}
     * @param callTimeout      how long {@link #call} waits for an answer; the engine itself waits forever,
     *                         so this is what keeps a stuck server from hanging an inferlet
     */
    public McpBridge(Duration handshakeTimeout, Duration callTimeout) {
        this(handshakeTimeout, callTimeout, DEFAULT_MAX_LINE_BYTES);
    }

    McpBridge(Duration handshakeTimeout, Duration callTimeout, int maxLineBytes) {
        this.handshakeTimeout = positive(handshakeTimeout, "handshakeTimeout");
        this.callTimeout = positive(callTimeout, "callTimeout");
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.maxLineBytes = maxLineBytes;
        this.clientVersion = libraryVersion();
    }

    private static Duration positive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + duration);
        }
        return duration;
    }

    /** The jar's Implementation-Version, or "dev" when running from classes (tests, IDE). */
    private static String libraryVersion() {
        String version = McpBridge.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? "dev" : version;
    }

    /**
     * Starts a local MCP server and completes its initialize handshake; returns only once it is ready for
     * calls.
     *
     * @param name      the name the engine and inferlets use for it; unique within this bridge
     * @param transport must be {@code "stdio"}
     * @param command   the program to run (looked up on the PATH)
     * @param args      its arguments; null means none
     * @param url       unused by the stdio transport
     * @throws PieException if the name is taken, the transport is not stdio, the command is missing, the
     *                      process does not start, or the handshake fails, times out or the process exits
     *                      first (the message then ends with the tail of the child's stderr)
     */
    public void register(String name, String transport, String command, List<String> args, String url) {
        if (name == null || name.isBlank()) {
            throw new PieException("an MCP server needs a non-blank name");
        }
        if (!STDIO.equals(transport)) {
            throw new PieException("MCP server '" + name + "': transport '" + transport
                    + "' is not supported; supported: " + STDIO);
        }
        if (command == null || command.isBlank()) {
            throw new PieException("MCP server '" + name + "': the stdio transport needs a command");
        }
        if (args != null && args.stream().anyMatch(Objects::isNull)) {
            throw new PieException("MCP server '" + name + "': its arguments must not contain null");
        }
        List<String> arguments = args == null ? List.of() : List.copyOf(args);
        if (closed) {
            throw new PieException("MCP server '" + name + "' not started: the MCP bridge is closed");
        }
        if (!names.add(name)) {
            throw new PieException("MCP server '" + name + "' is already registered");
        }
        StdioMcpServer server;
        try {
            server = StdioMcpServer.start(name, command, arguments, clientVersion, handshakeTimeout,
                    maxLineBytes);
        } catch (RuntimeException e) {
            names.remove(name);
            throw e;
        }
        servers.put(name, server);
        if (closed) {
            // close() ran while this one was starting and could not see it.
            unregister(name);
            throw new PieException("MCP server '" + name + "' not started: the MCP bridge is closed");
        }
    }

    /**
     * Stops the server registered under {@code name}, if any, and frees the name.
     *
     * @param name the server's name
     */
    public void unregister(String name) {
        StdioMcpServer server = name == null ? null : servers.remove(name);
        if (server != null) {
            server.close();
            names.remove(name);
        }
    }

    /**
     * The names of the servers that are registered and ready for calls.
     *
     * @return a snapshot of the names
     */
    public Set<String> serverNames() {
        return Set.copyOf(servers.keySet());
    }

    /**
     * Relays one engine {@code mcp_request}. Blocks until the server answers or the call timeout passes, so
     * call it on its own (virtual) thread, never on the thread that reads the engine's messages.
     *
     * @param serverName the {@code server_name} of the request
     * @param method     the JSON-RPC method, e.g. {@code tools/call}
     * @param paramsJson the {@code params} JSON text; {@code {}} is sent if it is not valid JSON
     * @return the {@code mcp_response} payload; never null. Failures on this side are {@code ok=false} with
     *         code -32000 and a message saying what happened.
     */
    public McpReply call(String serverName, String method, String paramsJson) {
        try {
            StdioMcpServer server = serverName == null ? null : servers.get(serverName);
            if (server == null) {
                return McpReply.localFailure("MCP server '" + serverName + "' is not registered locally");
            }
            if (method == null) {
                return McpReply.localFailure("MCP server '" + serverName + "': the request has no method");
            }
            return server.call(method, JsonRpc.paramsOrEmpty(paramsJson), callTimeout);
        } catch (RuntimeException e) {
            // The engine waits forever for an answer, so even a bug here must become one.
            return McpReply.localFailure("MCP server '" + serverName + "': relay failed: " + e);
        }
    }

    /** For tests: how many calls to {@code name} are waiting for an answer. */
    int pendingCalls(String name) {
        StdioMcpServer server = servers.get(name);
        return server == null ? 0 : server.pendingCalls();
    }

    /**
     * Ends every server this bridge started: each gets its stdin closed, 1 s to leave, SIGTERM, 1 s more,
     * then SIGKILL; all are ended in parallel. Calls still waiting fail with "died before response".
     * Later registrations fail; later calls get "not registered locally". Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        if (servers.isEmpty()) return; // the usual case: no stream, no threads to start and join
        List<Thread> stoppers = servers.keySet().stream()
                .map(name -> Thread.ofVirtual().name("mcp-" + name + "-close").start(() -> unregister(name)))
                .toList();
        boolean interrupted = false;
        for (Thread stopper : stoppers) {
            while (true) {
                try {
                    stopper.join();
                    break;
                } catch (InterruptedException e) {
                    // Finish the clean-up anyway: leaving children behind is worse than a late return.
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
