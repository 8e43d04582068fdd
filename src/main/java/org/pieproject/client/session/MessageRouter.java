package org.pieproject.client.session;

import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.gateway.ControlFrame;
import org.pieproject.client.gateway.GatewayTurns;
import org.pieproject.client.transport.FrameHandler;
import org.pieproject.client.transport.TransportClosedException;
import org.pieproject.client.wire.MsgPackException;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.wire.ServerMessageDecoder;

/**
 * Decodes each message from the engine and sends it where it belongs: answers to their waiting callers,
 * events to their process queues, file chunks through reassembly, MCP calls to the bridge. Runs on the
 * transport's listener thread and never blocks; a message it cannot use is logged and dropped.
 */
public final class MessageRouter implements FrameHandler {
    private static final System.Logger LOG = System.getLogger(MessageRouter.class.getName());

    private final PendingRequests pending;
    private final ProcessRegistry processes;
    private final FileDownloads files;
    private final Consumer<ServerMessage.McpRequest> mcpRequests;
    private final ServerMessageDecoder decoder = new ServerMessageDecoder();
    private final ServerMessageDecoder.EventSink events = this::routeEvent;
    /** The turns open on a Pie 0.5 gateway socket; null for an engine up to 0.4. */
    private final @Nullable GatewayTurns turns;

    /**
     * Wires the router to the tables it fills.
     *
     * @param pending     the requests waiting for answers
     * @param processes   the process event queues
     * @param files       the files being received
     * @param mcpRequests what to do with an inferlet's MCP call; must not block
     */
    public MessageRouter(PendingRequests pending, ProcessRegistry processes, FileDownloads files,
                         Consumer<ServerMessage.McpRequest> mcpRequests) {
        this(pending, processes, files, mcpRequests, null);
    }

    /**
     * Wires the router to the tables it fills, on a socket to a Pie 0.5 gateway when {@code turns} is set.
     *
     * @param pending     the requests waiting for answers
     * @param processes   the process event queues
     * @param files       the files being received
     * @param mcpRequests what to do with an inferlet's MCP call; must not block
     * @param turns       told of answers, ends and control frames; null for an engine up to 0.4
     */
    public MessageRouter(PendingRequests pending, ProcessRegistry processes, FileDownloads files,
                         Consumer<ServerMessage.McpRequest> mcpRequests, @Nullable GatewayTurns turns) {
        this.turns = turns;
        this.pending = pending;
        this.processes = processes;
        this.files = files;
        this.mcpRequests = mcpRequests;
    }

    @Override
    public void onMessage(byte[] buf, int length) {
        ServerMessage m;
        try {
            m = decoder.decode(buf, 0, length, events);
        } catch (MsgPackException e) {
            LOG.log(System.Logger.Level.WARNING, "dropping a message that does not decode ({0} bytes): {1}",
                    length, e.getMessage());
            return;
        }
        if (m == null) return; // a process event, already routed
        switch (m) {
            case ServerMessage.Response r -> {
                pending.complete(r);
                if (turns != null) turns.answered(r, MessageRouter::canonical);
            }
            // Events reach routeEvent through the sink; a record only comes from decode() without one.
            case ServerMessage.ProcessEvent e -> routeEvent(e.processId(), e.event(), e.value());
            case ServerMessage.FileChunk c -> {
                if (processes.get(c.processId()) == null) {
                    // As the official clients do: no queue, nobody to give the file to.
                    LOG.log(System.Logger.Level.DEBUG, "ignoring a file chunk for process {0} without a handle", c.processId());
                    return;
                }
                ProcessEvent.File f = files.accept(c);
                if (f != null) processes.route(c.processId(), f);
            }
            case ServerMessage.McpRequest r -> mcpRequests.accept(r);
            case ServerMessage.Unknown u ->
                    LOG.log(System.Logger.Level.DEBUG, "ignoring a message of unknown type {0}", u.type());
        }
    }

    /**
     * The event a {@code process_event} message carries, over the WebSocket or the gateway's HTTP stream.
     *
     * @param kind  its {@code event} field: {@code stdout}, {@code stderr}, {@code message}, {@code return}
     *              or {@code error}
     * @param value its {@code value} field
     * @return the event, or null for a kind this client does not know
     */
    public static @Nullable ProcessEvent event(String kind, String value) {
        return switch (kind) {
            case "stdout" -> new ProcessEvent.Stdout(value);
            case "stderr" -> new ProcessEvent.Stderr(value);
            case "message" -> new ProcessEvent.Message(value);
            case "return" -> new ProcessEvent.Return(value);
            case "error" -> new ProcessEvent.Error(value);
            default -> null;
        };
    }

    private void routeEvent(String processId, String kind, String value) {
        ProcessEvent event = event(kind, value);
        if (event == null) {
            LOG.log(System.Logger.Level.DEBUG, "ignoring an event of unknown kind {0}", kind);
            return;
        }
        processes.route(processId, event);
        if (turns != null && event.isTerminal()) turns.ended(processId);
    }

    @Override
    public void onText(String text) {
        if (turns != null) {
            turns.control(ControlFrame.parse(text));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "ignoring a text message from the engine");
        }
    }

    /** A launch answer's id in the form the engine's events carry (lowercase, hyphenated). */
    private static String canonical(String id) {
        String s = id.strip();
        return s.length() == 36 ? s.toLowerCase(java.util.Locale.ROOT) : s;
    }

    @Override
    public void onClosed(TransportClosedException cause) {
        RequestDeadlines.unwatch(pending);
        pending.failAll(cause);
        processes.closeAll(cause);
    }
}
