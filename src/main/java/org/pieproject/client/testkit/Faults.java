package org.pieproject.client.testkit;

/**
 * Misbehaviour on demand, for testing how a client copes with a difficult engine. Obtain it from
 * {@link PieTestServer#faults()}; every switch applies to all sessions at once and can be changed at any
 * time. Messages that are sent "later" join each session's ordered output queue, so they arrive after
 * what the session has already queued.
 */
public final class Faults {
    private final TestEngine engine;
    private volatile int fragments = 1;
    private volatile boolean silent;

    Faults(TestEngine engine) {
        this.engine = engine;
    }

    /**
     * Splits every message sent from now on into {@code framesPerMessage} WebSocket frames (a binary frame
     * and continuation frames, some possibly empty). 1 or less sends each message as one frame again.
     *
     * @param framesPerMessage how many frames each message is split into
     * @return these switches
     */
    public Faults fragmentMessages(int framesPerMessage) {
        this.fragments = Math.max(1, framesPerMessage);
        return this;
    }

    /**
     * Goes silent (or speaks again): requests are still read and carried out, but nothing is sent back,
     * neither responses nor process output. Raw frames from {@link #sendRawToAll} still go out.
     *
     * @param silent true to stop answering, false to answer again
     * @return these switches
     */
    public Faults silent(boolean silent) {
        this.silent = silent;
        return this;
    }

    /**
     * Sends {@code bytes} as one binary message to every connected session, e.g. garbage that is not MessagePack.
     *
     * @param bytes the message (copied)
     * @return these switches
     */
    public Faults sendRawToAll(byte[] bytes) {
        byte[] copy = bytes.clone();
        for (Session s : engine.sessions) s.sendRawLater(copy);
        return this;
    }

    /**
     * Sends a text message to every connected session; the protocol says clients ignore it.
     *
     * @param text the message
     * @return these switches
     */
    public Faults sendTextToAll(String text) {
        for (Session s : engine.sessions) s.sendTextLater(text);
        return this;
    }

    /**
     * Closes every connection at once at the TCP level, without a WebSocket Close frame.
     *
     * @return these switches
     */
    public Faults dropAllConnections() {
        for (Session s : engine.sessions) s.dropConnection();
        return this;
    }

    /**
     * Closes every connection with a normal WebSocket close handshake (code 1001, going away).
     *
     * @return these switches
     */
    public Faults closeAllConnections() {
        for (Session s : engine.sessions) s.closeConnection();
        return this;
    }

    int fragments() {
        return fragments;
    }

    boolean isSilent() {
        return silent;
    }
}
