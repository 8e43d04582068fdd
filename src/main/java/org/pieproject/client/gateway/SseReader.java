package org.pieproject.client.gateway;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieException;

/**
 * Reads a {@code text/event-stream} (the HTML standard's server-sent events) one event at a time: lines end
 * with LF, CRLF or CR; {@code data:} lines join with LF; {@code event:} names the type ({@code "message"}
 * when absent); lines starting with {@code :} are comments (the gateway's keep-alives); an event ends at a
 * blank line and is dispatched only if it has data. One event may be at most {@code maxEventBytes} long.
 */
public final class SseReader {
    /**
     * One event.
     *
     * @param type its {@code event:} field, or {@code "message"}
     * @param data its {@code data:} lines, joined with LF
     */
    public record Event(String type, String data) {}

    private final InputStream in;
    private final int maxEventBytes;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lastWasCr;
    private int eventBytes;

    /**
     * Reads from {@code in}, which it buffers.
     *
     * @param in            the response body
     * @param maxEventBytes the longest event accepted
     */
    public SseReader(InputStream in, int maxEventBytes) {
        this.in = new BufferedInputStream(in, 16 << 10);
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * The next event.
     *
     * @return the event, or null at the end of the stream (an event cut off by the end is dropped)
     * @throws IOException if reading fails
     * @throws PieException if an event is longer than allowed
     */
    public @Nullable Event next() throws IOException {
        String type = null;
        StringBuilder data = null;
        eventBytes = 0;
        while (true) {
            String l = readLine();
            if (l == null) return null;
            if (l.isEmpty()) {
                if (data != null) return new Event(type == null ? "message" : type, data.toString());
                type = null;
                eventBytes = 0;
                continue;
            }
            if (l.charAt(0) == ':') continue;
            int colon = l.indexOf(':');
            String field = colon < 0 ? l : l.substring(0, colon);
            String value = colon < 0 ? "" : l.substring(colon + 1);
            if (value.startsWith(" ")) value = value.substring(1);
            switch (field) {
                case "data" -> {
                    if (data == null) data = new StringBuilder(value);
                    else data.append('\n').append(value);
                }
                case "event" -> type = value;
                default -> {
                    // id, retry and unknown fields mean nothing to a one-shot stream
                }
            }
        }
    }

    private @Nullable String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            int b = in.read();
            if (b < 0) return null;
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue; // the LF of a CRLF
            }
            lastWasCr = b == '\r';
            if (b == '\n' || b == '\r') return new String(line, 0, lineLength, StandardCharsets.UTF_8);
            if (++eventBytes > maxEventBytes) {
                throw new PieException("the server sent an event longer than " + maxEventBytes + " bytes");
            }
            if (lineLength == line.length) line = Arrays.copyOf(line, line.length * 2);
            line[lineLength++] = (byte) b;
        }
    }
}
