package org.pieproject.client.transport;

/**
 * What a {@link WebSocketTransport} delivers to. Both methods are called on the transport's listener
 * thread, one call at a time, and must not block.
 */
public interface FrameHandler {

    /**
     * One complete binary message: {@code buf[0, length)}. The array is reused for the next message as
     * soon as this returns, so the handler must copy whatever it keeps.
     *
     * @param buf    the message bytes (and more)
     * @param length how many bytes of {@code buf} the message has
     */
    void onMessage(byte[] buf, int length);

    /**
     * One complete text message. Engines up to 0.4 send none; a Pie 0.5 gateway sends small JSON control
     * frames. By default ignored.
     *
     * @param text the whole message
     */
    default void onText(String text) {
    }

    /**
     * The connection is gone for good; called exactly once, after the last {@link #onMessage}.
     *
     * @param cause why it ended
     */
    void onClosed(TransportClosedException cause);
}
