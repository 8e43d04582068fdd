package org.pieproject.client.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated UTF-8 lines from a stream, refusing any line longer than a fixed number of
 * bytes, so that a misbehaving child cannot make us buffer without limit. Not thread-safe: one reader thread.
 */
final class BoundedLineReader {

    /** A line went past the limit; the stream is no longer at a line boundary and cannot be read on. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(int maxLineBytes) {
            super("a line longer than " + maxLineBytes + " bytes");
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private int lineLength;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive");
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * The next line without its terminator (a trailing {@code \r} is dropped too), or null at the end of the
     * stream. An unterminated last line is still returned.
     */
    String readLine() throws IOException {
        lineLength = 0;
        while (true) {
            if (position == limit) {
                int read = in.read(buffer);
                if (read < 0) {
                    return lineLength == 0 ? null : takeLine();
                }
                position = 0;
                limit = read;
            }
            int end = position;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            append(position, end - position);
            if (end < limit) {
                position = end + 1;
                return takeLine();
            }
            position = limit;
        }
    }

    private void append(int from, int count) throws LineTooLongException {
        if (count > maxLineBytes - lineLength) {
            throw new LineTooLongException(maxLineBytes);
        }
        if (lineLength + count > line.length) {
            int grown = (int) Math.min(maxLineBytes, Math.max((long) line.length * 2, (long) lineLength + count));
            line = Arrays.copyOf(line, grown);
        }
        System.arraycopy(buffer, from, line, lineLength, count);
        lineLength += count;
    }

    private String takeLine() {
        int length = lineLength;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        String text = new String(line, 0, length, StandardCharsets.UTF_8);
        // A huge line's buffer is not kept for the (usually small) lines that follow.
        if (line.length > 1024 * 1024) {
            line = new byte[1024];
        }
        lineLength = 0;
        return text;
    }
}
