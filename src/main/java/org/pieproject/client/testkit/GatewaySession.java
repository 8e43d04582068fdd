package org.pieproject.client.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.pieproject.client.gateway.GatewayVocabulary;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage;

/**
 * The gateway layer of one gateway-mode session: what Pie 0.5's gateway and its worker bridge do between a
 * client and an engine session (gateway/src/ingress/ws.rs and http.rs, worker/src/link/gateway.rs on Pie's
 * dev branch). Every client frame is a turn, and turns run concurrently. A command's turn ends at its
 * answer; a launch's or an attach's at its process's {@code return} or {@code error}; a signal, a file
 * transfer or a non-final upload chunk at once. What the engine sends for no live turn is dropped, as the
 * worker's router drops it. The end of a turn is {@code {"type":"turn_done"}} on the socket, {@code [DONE]}
 * over HTTP; an aborted turn is {@code {"type":"error","message":"stream aborted"}}, or {@code event: error}.
 *
 * <p>Two defects of the dev gateway are kept on purpose: a refused launch, a launch without captured output
 * and a failed attach leave a turn that never ends (the worker takes the reply's text as a process id).
 *
 * <p>Confined to its session's thread, like everything the session does.
 */
final class GatewaySession {
    private static final System.Logger LOG = System.getLogger(GatewaySession.class.getName());

    /** Where a turn's output goes: binary and text frames on a socket, or server-sent events. */
    interface Outlet {
        void message(ServerMessage m);

        void turnDone();

        void error(String message);

        /** The gateway gives up the connection (a turn could not be started). */
        void close();
    }

    private static final class Turn {
        final long corrId; // -1 for turns without an answer
        final boolean process;
        String processId;

        Turn(long corrId, boolean process, String processId) {
            this.corrId = corrId;
            this.process = process;
            this.processId = processId;
        }
    }

    private final TestEngine engine;
    private final GatewayControls controls;
    private final Outlet outlet;
    private final List<Turn> live = new ArrayList<>();
    private final Map<Long, Turn> byCorr = new HashMap<>();
    private final Map<String, Turn> byPid = new LinkedHashMap<>();
    private boolean started;

    GatewaySession(TestEngine engine, GatewayControls controls, Outlet outlet) {
        this.engine = engine;
        this.controls = controls;
        this.outlet = outlet;
    }

    /** The 0.5 vocabulary check of a decoded frame; returns the gateway's parse error, or null. */
    static String vocabularyError(Map<String, Object> map) {
        Object type = map.get("type");
        if (type instanceof String t && !GatewayVocabulary.accepts(t)) {
            return "bad client frame: unknown variant `" + t + "`";
        }
        return null;
    }

    /** A frame that did not parse: reported, unless no turn has opened the session yet (ws.rs ignores it then). */
    void badFrame(String detail) {
        if (started) outlet.error(detail.startsWith("bad client frame") ? detail : "bad client frame: " + detail);
    }

    /**
     * A turn arrives. Returns false when it must not reach the engine: admission refused it (the gateway
     * reports why and gives up the connection).
     */
    boolean open(ClientMessage m) {
        Optional<String> refusal = controls.admissionRefusal();
        if (refusal.isPresent()) {
            outlet.error("admission rejected: " + refusal.get());
            outlet.close();
            return false;
        }
        started = true;
        Turn turn = switch (m) {
            case ClientMessage.SignalProcess s -> null;
            case ClientMessage.TransferFile t -> null;
            case ClientMessage.AddProgram a when a.chunkIndex() + 1 < a.totalChunks() -> null;
            case ClientMessage.LaunchProcess l -> new Turn(l.corrId(), true, null);
            case ClientMessage.AttachProcess a -> new Turn(a.corrId(), true, canonical(a.processId()));
            case ClientMessage.Request r -> new Turn(r.corrId(), false, null);
            default -> null;
        };
        if (turn == null) {
            outlet.turnDone(); // nothing will come back for it: its stream ends at once
            return true;
        }
        live.add(turn);
        byCorr.put(turn.corrId, turn);
        if (turn.processId != null) byPid.put(turn.processId, turn);
        return true;
    }

    /** Everything the engine sends on this session passes here. */
    void outgoing(ServerMessage m) {
        switch (m) {
            case ServerMessage.Response r -> {
                Turn t = byCorr.remove(r.corrId());
                if (t == null) {
                    LOG.log(System.Logger.Level.DEBUG, "gateway: answer {0} matches no live turn; dropped", r.corrId());
                    return;
                }
                outlet.message(r);
                if (!t.process) {
                    end(t);
                } else if (t.processId == null && r.ok() && !r.result().isEmpty()) {
                    t.processId = r.result();
                    byPid.put(t.processId, t);
                }
                // Otherwise (a refused launch, a failed attach) the turn stays open: the dev gateway's defect.
            }
            case ServerMessage.ProcessEvent e -> {
                Turn t = byPid.get(e.processId());
                if (t == null) return;
                outlet.message(e);
                if (e.event().equals("return") || e.event().equals("error")) end(t);
            }
            case ServerMessage.FileChunk c -> {
                if (byPid.containsKey(c.processId())) outlet.message(c);
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "gateway: {0} has no place in 0.5; dropped", m);
        }
    }

    private void end(Turn t) {
        forget(t);
        outlet.turnDone();
    }

    private void forget(Turn t) {
        live.remove(t);
        byCorr.remove(t.corrId, t);
        if (t.processId != null) byPid.remove(t.processId, t);
    }

    /** The client's {@code cancel}: every live turn is aborted, its process terminated (silently to the client). */
    void cancel() {
        if (!started) return;
        for (Turn t : List.copyOf(live)) {
            forget(t);
            if (t.processId != null) process(t.processId).ifPresent(TestProcess::terminate);
            outlet.error("stream aborted");
        }
    }

    /** A test's stand-in for a worker lost after the turn sent something: the process is gone, the stream aborted. */
    boolean abortStream(String processId) {
        Turn t = byPid.get(canonical(processId));
        if (t == null) return false;
        forget(t);
        process(t.processId).ifPresent(p -> {
            p.kill();
            engine.forget(p);
        });
        outlet.error("stream aborted");
        return true;
    }

    /** The client went away (HTTP): its turns are cancelled on the worker, which terminates their processes. */
    void clientGone() {
        for (Turn t : List.copyOf(live)) {
            forget(t);
            if (t.processId != null) process(t.processId).ifPresent(TestProcess::terminate);
        }
    }

    boolean idle() {
        return live.isEmpty();
    }

    private Optional<TestProcess> process(String processId) {
        return Uuids.parse(processId).map(engine.processes::get);
    }

    private static String canonical(String id) {
        return Uuids.parse(id).map(UUID::toString).orElse(id);
    }

    /** A server message as the gateway's HTTP path writes it: serde_json of the same enum. */
    static String json(ServerMessage m) {
        JsonObject o = new JsonObject();
        switch (m) {
            case ServerMessage.Response r -> {
                o.addProperty("type", "response");
                o.addProperty("corr_id", r.corrId());
                o.addProperty("ok", r.ok());
                o.addProperty("result", r.result());
            }
            case ServerMessage.ProcessEvent e -> {
                o.addProperty("type", "process_event");
                o.addProperty("process_id", e.processId());
                o.addProperty("event", e.event());
                o.addProperty("value", e.value());
            }
            case ServerMessage.FileChunk c -> {
                o.addProperty("type", "file");
                o.addProperty("process_id", c.processId());
                o.addProperty("file_hash", c.fileHash());
                o.addProperty("chunk_index", c.chunkIndex());
                o.addProperty("total_chunks", c.totalChunks());
                JsonArray bytes = new JsonArray();
                for (int i = 0; i < c.length(); i++) bytes.add(c.data()[c.offset() + i] & 0xff);
                o.add("chunk_data", bytes);
            }
            default -> throw new IllegalArgumentException("no JSON form for " + m);
        }
        return TestEngine.GSON.toJson(o);
    }
}
