package org.pieproject.client.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.pieproject.client.gateway.GatewayIdentity;

/**
 * What a test can do to, and learn from, a {@link PieTestServer} in gateway mode
 * ({@link PieTestServer.Builder#gateway(boolean)}): refuse admission as an overloaded cluster does, abort a
 * process's stream as a lost worker does, and see the identities the gateway read. Thread-safe.
 */
public final class GatewayControls {
    private volatile String admissionRefusal;
    private final List<GatewayIdentity> identities = new CopyOnWriteArrayList<>();
    final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    GatewayControls() {
    }

    /**
     * Makes admission refuse every new turn with {@code reason}: a WebSocket then gets an error frame and is
     * closed, an HTTP generate gets 503 {@code admission: admission rejected: <reason>}.
     *
     * @param reason the refusal's text
     */
    public void refuseAdmission(String reason) {
        this.admissionRefusal = Objects.requireNonNull(reason, "reason");
    }

    /** Admits turns again (the default). */
    public void admitAll() {
        this.admissionRefusal = null;
    }

    Optional<String> admissionRefusal() {
        return Optional.ofNullable(admissionRefusal);
    }

    /**
     * Aborts the stream of a process as the gateway does when the worker running it is lost after it has
     * sent something: the process is gone (no terminal event, no longer listed) and its socket gets
     * {@code {"type":"error","message":"stream aborted"}}.
     *
     * @param processId the process
     * @return false if no gateway socket streams that process
     */
    public boolean abortStream(String processId) {
        Objects.requireNonNull(processId, "processId");
        for (Session s : sessions) {
            if (s.abortGatewayStream(processId)) return true;
        }
        return false;
    }

    /**
     * The identities the gateway read from {@code x-pie-identity}, one per accepted socket or HTTP request,
     * oldest first.
     *
     * @return a copy of them
     */
    public List<GatewayIdentity> identities() {
        return new ArrayList<>(identities);
    }

    void identified(GatewayIdentity identity) {
        identities.add(identity);
    }
}
