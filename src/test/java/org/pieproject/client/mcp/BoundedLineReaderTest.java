package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BoundedLineReaderTest {

    private static List<String> readAll(InputStream in, int max) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(in, max);
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hands out at most one byte per read, so lines and UTF-8 characters span many reads. */
    private static InputStream trickle(String text) {
        InputStream all = bytes(text);
        return new InputStream() {
            @Override
            public int read() throws IOException {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return all.read(b, off, Math.min(len, 1));
            }
        };
    }

    @Test
    void splitsOnNewlineDropsCarriageReturnAndKeepsAnUnterminatedLastLine() throws IOException {
        assertThat(readAll(bytes("one\ntwo\r\n\nthré\nlast"), 100)).containsExactly("one", "two", "", "thré", "last");
        assertThat(readAll(trickle("one\ntwo\r\n\nthré\nlast"), 100))
                .containsExactly("one", "two", "", "thré", "last");
        assertThat(readAll(bytes(""), 100)).isEmpty();
        assertThat(readAll(bytes("a\n"), 100)).containsExactly("a");
    }

    @Test
    void aLineOfExactlyTheLimitPassesOneByteMoreFails() throws IOException {
        assertThat(readAll(bytes("x".repeat(10) + "\nok\n"), 10)).containsExactly("x".repeat(10), "ok");
        BoundedLineReader reader = new BoundedLineReader(bytes("ok\n" + "x".repeat(11) + "\n"), 10);
        assertThat(reader.readLine()).isEqualTo("ok");
        assertThatThrownBy(reader::readLine).isInstanceOf(BoundedLineReader.LineTooLongException.class)
                .hasMessage("a line longer than 10 bytes");
    }

    @Test
    void linesLongerThanTheReadBufferAreJoined() throws IOException {
        String big = "y".repeat(300_000);
        assertThat(readAll(bytes(big + "\n" + big), 1_000_000)).containsExactly(big, big);
    }
}
