package org.pieproject.client.gateway;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieRequestException;
import org.pieproject.client.session.PendingRequests;
import org.pieproject.client.session.ProcessRegistry;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/**
 * The turns open on one socket to a Pie 0.5 gateway, as far as this client can see them, so that an error
 * frame (which names no turn) ends the call it belongs to instead of leaving that call to its deadline.
 *
 * <p>What the gateway does (gateway/src/ingress/ws.rs, gateway/src/session.rs and
 * worker/src/link/gateway.rs on Pie's dev branch): every client frame is one turn, and turns run
 * concurrently. A command's turn ends at its answer; a launch's or an attach's turn ends at its process's
 * {@code return} or {@code error}. An {@code error} frame says {@code "bad client frame: ..."} (a frame that
 * started no turn), the reason a turn could not be started (the gateway then closes the socket), or
 * {@code "stream aborted"} (a live turn lost its stream: a {@code cancel}, or its worker went away after the
 * turn had sent something; a turn that has sent nothing yet is dispatched again instead).
 *
 * <p>The rule, therefore:
 * <ul>
 *   <li>{@code "stream aborted"} belongs to a process stream. With exactly one open, it ends that stream.
 *       With several, the client asks {@code list_processes} and ends every one of them the gateway no
 *       longer lists (an aborted turn's process is terminated or gone with its worker); if all are still
 *       listed, the oldest is ended, so that no handle waits forever. With none, it fails the oldest
 *       request still waiting for its answer.</li>
 *   <li>Any other error belongs to a frame that produced no turn: it fails the oldest request still
 *       waiting for its answer, in send order.</li>
 *   <li>{@code cancel()} aborts every live turn on the gateway, which then sends one
 *       {@code "stream aborted"} per turn: the client ends those calls itself at once and swallows as many
 *       of those errors as turns it cancelled. Turns the gateway keeps open forever (a launch it refused, a
 *       failed attach, a query it never answers) count too, because a cancel aborts them as well.</li>
 * </ul>
 * Thread-safe; the listener thread feeds it answers, terminal events and control frames.
 */
public final class GatewayTurns {
    private static final System.Logger LOG = System.getLogger(GatewayTurns.class.getName());

    private enum Kind { REQUEST, LAUNCH, ATTACH }

    private record Waiting(long corrId, String op, Kind kind, @Nullable String processId) {}

    private final PendingRequests pending;
    private final ProcessRegistry processes;
    private final Supplier<List<String>> liveProcesses;
    private final ReentrantLock lock = new ReentrantLock();
    /** Requests sent and not answered yet, in send order. */
    private final Map<Long, Waiting> waiting = new LinkedHashMap<>();
    /** Processes whose launch or attach was answered and whose stream has not ended, oldest first. */
    private final LinkedHashSet<String> streams = new LinkedHashSet<>();
    /** Turns the gateway keeps open although nothing more will come for them. */
    private int neverEnding;
    /** {@code "stream aborted"} errors a cancel has already accounted for. */
    private int expectedAborts;
    private long turnsDone;

    /**
     * Creates the bookkeeping of one connection.
     *
     * @param pending       the connection's waiting requests
     * @param processes     the connection's process streams
     * @param liveProcesses asks the gateway which processes still run (canonical ids); called off the
     *                      listener thread
     */
    public GatewayTurns(PendingRequests pending, ProcessRegistry processes, Supplier<List<String>> liveProcesses) {
        this.pending = pending;
        this.processes = processes;
        this.liveProcesses = liveProcesses;
    }

    /**
     * A request is about to be sent: it opens a turn.
     *
     * @param corrId  its correlation id
     * @param op      what the caller asked, for messages
     * @param request the message
     */
    public void opened(long corrId, String op, ClientMessage.Request request) {
        Kind kind = request instanceof ClientMessage.LaunchProcess ? Kind.LAUNCH
                : request instanceof ClientMessage.AttachProcess ? Kind.ATTACH : Kind.REQUEST;
        String pid = request instanceof ClientMessage.AttachProcess a ? a.processId() : null;
        opened(new Waiting(corrId, op, kind, pid));
    }

    /**
     * An upload is about to be sent: its chunks share one id and one answer.
     *
     * @param corrId the upload's correlation id
     */
    public void openedUpload(long corrId) {
        opened(new Waiting(corrId, "add_program", Kind.REQUEST, null));
    }

    private void opened(Waiting w) {
        lock.lock();
        try {
            waiting.put(w.corrId(), w);
        } finally {
            lock.unlock();
        }
    }

    /**
     * An answer arrived (listener thread).
     *
     * @param r the answer
     * @param canonicalId turns an engine process id into the form events carry
     */
    public void answered(Response r, java.util.function.UnaryOperator<String> canonicalId) {
        lock.lock();
        try {
            Waiting w = waiting.remove(r.corrId());
            if (w == null) return;
            switch (w.kind()) {
                case REQUEST -> {
                }
                case LAUNCH -> {
                    // The gateway's worker takes the reply's result as the process id either way, so a refused
                    // launch (or one without captured output) leaves a turn that never ends.
                    if (r.ok() && !r.result().isEmpty()) streams.add(canonicalId.apply(r.result()));
                    else neverEnding++;
                }
                case ATTACH -> {
                    if (r.ok()) streams.add(canonicalId.apply(w.processId()));
                    else neverEnding++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A process sent its terminal event (listener thread): its turn is over.
     *
     * @param processId the canonical process id
     */
    public void ended(String processId) {
        lock.lock();
        try {
            streams.remove(processId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A text frame from the gateway (listener thread).
     *
     * @param frame what it said
     */
    public void control(ControlFrame frame) {
        switch (frame) {
            case ControlFrame.TurnDone d -> {
                lock.lock();
                try {
                    turnsDone++;
                } finally {
                    lock.unlock();
                }
            }
            case ControlFrame.Error e -> error(e.message());
            case ControlFrame.Unknown u -> LOG.log(System.Logger.Level.DEBUG, "ignoring a text frame: {0}", u.text());
        }
    }

    private void error(String message) {
        List<String> candidates;
        lock.lock();
        try {
            boolean aborted = message.equals(ControlFrame.STREAM_ABORTED);
            if (aborted && expectedAborts > 0) {
                expectedAborts--;
                return;
            }
            candidates = aborted ? openStreams() : List.of();
            if (candidates.size() == 1) {
                endStream(candidates.get(0), message);
                return;
            }
            if (candidates.isEmpty()) {
                if (!failOldestWaiting(message, aborted)) {
                    LOG.log(System.Logger.Level.WARNING, "the gateway reported an error that matches no open call: {0}",
                            message);
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        reconcile(candidates, message);
    }

    /**
     * Every stream the gateway still has open, oldest first, including those whose handle the caller has
     * closed: such a stream can be the aborted one, and ending it then costs nothing.
     */
    private List<String> openStreams() {
        return new ArrayList<>(streams);
    }

    /**
     * Fails the oldest waiting request. A request whose caller already gave up cannot be failed; for an
     * abort it is still the likeliest owner (its turn stays open on the gateway), otherwise it is skipped.
     */
    private boolean failOldestWaiting(String message, boolean includeAbandoned) {
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            it.remove();
            if (pending.fail(w.corrId(), new PieRequestException(w.op(), message)) || includeAbandoned) return true;
        }
        return false;
    }

    private void endStream(String pid, String message) {
        streams.remove(pid);
        // The queue puts "process <id>: " in front of it.
        processes.end(pid, new PieConnectionException("the gateway aborted its stream (" + message + ")"));
    }

    /** Several streams could be the aborted one: ask the gateway which processes still run. */
    private void reconcile(List<String> candidates, String message) {
        Thread.ofVirtual().name("pie-gateway-reconcile").start(() -> {
            List<String> live = null;
            try {
                live = liveProcesses.get();
            } catch (PieException e) {
                LOG.log(System.Logger.Level.DEBUG, "list_processes for an aborted stream failed: {0}", e.getMessage());
            }
            lock.lock();
            try {
                List<String> gone = new ArrayList<>();
                if (live != null) for (String pid : candidates) if (!live.contains(pid)) gone.add(pid);
                if (gone.isEmpty()) {
                    // Nothing tells which one it was; end the oldest still open so that none waits forever.
                    for (String pid : openStreams()) {
                        if (candidates.contains(pid)) {
                            gone.add(pid);
                            break;
                        }
                    }
                }
                for (String pid : gone) endStream(pid, message);
            } finally {
                lock.unlock();
            }
        });
    }

    /**
     * The client sends {@code cancel}: the gateway aborts every live turn. Ends every call this client has
     * open on the socket with {@code cause} and expects one {@code "stream aborted"} per live turn.
     *
     * @param send sends the cancel frame; run under the lock, so no turn is counted without being cancelled
     */
    public void cancel(Runnable send) {
        lock.lock();
        try {
            expectedAborts += waiting.size() + streams.size() + neverEnding;
            neverEnding = 0;
            for (Waiting w : waiting.values()) {
                pending.fail(w.corrId(), new PieRequestException(w.op(), "cancelled (the client sent the gateway a cancel)"));
            }
            waiting.clear();
            for (String pid : streams) {
                processes.end(pid, new PieException("its stream was cancelled (the client sent the gateway a cancel;"
                        + " the gateway terminates the process)"));
            }
            streams.clear();
            send.run();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The socket is gone, and every turn with it: the gateway ends a closed socket's turns, and a new socket
     * starts with none. The waiting calls fail through the connection; process handles stay open, since a
     * reconnect attaches them again (each attach opens a new turn).
     */
    public void socketLost() {
        lock.lock();
        try {
            waiting.clear();
            streams.clear();
            neverEnding = 0;
            expectedAborts = 0;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "GatewayTurns[waiting=" + waiting.size() + ", streams=" + streams.size() + ", done=" + turnsDone + "]";
        } finally {
            lock.unlock();
        }
    }
}
