package org.pieproject.client.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What an {@link Inferlet} sees of the engine while it runs: its identity and input, its output streams,
 * and the messages and files its client sends it. Output methods never block; they queue the output for
 * the attached client (or the process's replay buffer) and return.
 *
 * <p>The waiting methods are interruptible: {@code terminate_process} interrupts them.
 */
public interface InferletContext {

    /** The process id: a lowercase, hyphenated version-4 UUID. */
    String processId();

    /** The program this process runs, as {@code name@version}. */
    String program();

    /** The input string exactly as the client sent it at launch. */
    String input();

    /** The user who owns this process (the session's user at launch). */
    String username();

    /**
     * Writes to the process's stdout: one {@code stdout} event. Thrown away when the process was launched
     * with {@code capture_outputs=false}; buffered for replay while no client is attached.
     */
    void stdout(String text);

    /** Writes to the process's stderr: one {@code stderr} event, with the same rules as {@link #stdout}. */
    void stderr(String text);

    /** Sends a {@code message} event to the attached client; thrown away if none is attached (never buffered). */
    void message(String text);

    /**
     * Sends a file to the attached client as {@code file} chunks of 262 144 bytes with its BLAKE3 hash.
     * Thrown away if no client is attached; an empty file produces no message at all.
     */
    void sendFile(byte[] data);

    /** As {@link #sendFile(byte[])}, with the optional file name of the 0.5 protocol on every chunk. */
    void sendFile(byte[] data, String name);

    /** Waits for the next message sent with {@code signal_process}; messages are kept in order until read. */
    String receiveSignal() throws InterruptedException;

    /** As {@link #receiveSignal()}, giving up after {@code timeout}. */
    Optional<String> receiveSignal(Duration timeout) throws InterruptedException;

    /**
     * Waits for a file sent with {@code transfer_file}. As in the engine, only a file whose upload completes
     * while this wait is registered is delivered, and only through the client that was attached when the
     * wait began; a newer wait replaces an older one. A file with a wrong hash is dropped.
     */
    byte[] receiveFile() throws InterruptedException;

    /** As {@link #receiveFile()}, giving up after {@code timeout}. */
    Optional<byte[]> receiveFile(Duration timeout) throws InterruptedException;

    /** The names of the MCP servers the attached client has registered (empty if none is attached). */
    List<String> mcpServers();

    /**
     * Asks the attached client to relay an MCP call ({@code mcp_request}) and waits, without a time limit,
     * for its {@code mcp_response}. Interrupted by {@code terminate_process}. With no client attached, or if
     * that client disconnects first, the result is a failure with a JSON error object of code -32000.
     *
     * @param serverName the name the client registered the MCP server under
     * @param method     the MCP method, e.g. {@code tools/call}
     * @param paramsJson the JSON text of the parameters
     */
    McpResult mcp(String serverName, String method, String paramsJson) throws InterruptedException;
}
