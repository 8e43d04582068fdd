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

    /**
     * The process id: a lowercase, hyphenated version-4 UUID.
     *
     * @return the process id: a lowercase, hyphenated version-4 UUID
     */
    String processId();

    /**
     * The program this process runs, as {@code name@version}.
     *
     * @return the program, {@code name@version}
     */
    String program();

    /**
     * The input string exactly as the client sent it at launch.
     *
     * @return the input, as the client sent it
     */
    String input();

    /**
     * The user who owns this process (the session's user at launch).
     *
     * @return the user name
     */
    String username();

    /**
     * Writes to the process's stdout: one {@code stdout} event. Thrown away when the process was launched
     * with {@code capture_outputs=false}; buffered for replay while no client is attached.
     *
     * @param text the text, sent as it is
     */
    void stdout(String text);

    /**
     * Writes to the process's stderr: one {@code stderr} event, with the same rules as {@link #stdout}.
     *
     * @param text the text, sent as it is
     */
    void stderr(String text);

    /**
     * Sends a {@code message} event to the attached client; thrown away if none is attached (never buffered).
     *
     * @param text the message
     */
    void message(String text);

    /**
     * Sends a file to the attached client as {@code file} chunks of 262 144 bytes with its BLAKE3 hash.
     * Thrown away if no client is attached; an empty file produces no message at all.
     *
     * @param data the file's bytes
     */
    void sendFile(byte[] data);

    /**
     * As {@link #sendFile(byte[])}, with the optional file name of the 0.5 protocol on every chunk.
     *
     * @param data the file's bytes
     * @param name the suggested file name
     */
    void sendFile(byte[] data, String name);

    /**
     * Waits for the next message sent with {@code signal_process}; messages are kept in order until read.
     *
     * @throws InterruptedException if the process is terminated while waiting
     * @return the message
     */
    String receiveSignal() throws InterruptedException;

    /**
     * As {@link #receiveSignal()}, giving up after {@code timeout}.
     *
     * @param timeout how long to wait
     * @throws InterruptedException if the process is terminated while waiting
     * @return the message, or empty if none came in time
     */
    Optional<String> receiveSignal(Duration timeout) throws InterruptedException;

    /**
     * Waits for a file sent with {@code transfer_file}. As in the engine, only a file whose upload completes
     * while this wait is registered is delivered, and only through the client that was attached when the
     * wait began; a newer wait replaces an older one. A file with a wrong hash is dropped.
     *
     * @return the file's bytes
     * @throws InterruptedException if the process is terminated while waiting
     */
    byte[] receiveFile() throws InterruptedException;

    /**
     * As {@link #receiveFile()}, giving up after {@code timeout}.
     *
     * @param timeout how long to wait
     * @throws InterruptedException if the process is terminated while waiting
     * @return the file's bytes, or empty if none came in time
     */
    Optional<byte[]> receiveFile(Duration timeout) throws InterruptedException;

    /**
     * The names of the MCP servers the attached client has registered (empty if none is attached).
     *
     * @return the server names (empty if no client is attached)
     */
    List<String> mcpServers();

    /**
     * Asks the attached client to relay an MCP call ({@code mcp_request}) and waits, without a time limit,
     * for its {@code mcp_response}. Interrupted by {@code terminate_process}. With no client attached, or if
     * that client disconnects first, the result is a failure with a JSON error object of code -32000.
     *
     * @param serverName the name the client registered the MCP server under
     * @param method     the MCP method, e.g. {@code tools/call}
     * @param paramsJson the JSON text of the parameters
     * @return the client's answer
     * @throws InterruptedException if the process is terminated while waiting
     */
    McpResult mcp(String serverName, String method, String paramsJson) throws InterruptedException;
}
