package org.pieproject.client.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StderrTailTest {

    private static StderrTail drained(byte[] stderr, int tailBytes) throws InterruptedException {
        StderrTail tail = new StderrTail("t", new ByteArrayInputStream(stderr), tailBytes);
        tail.start();
        assertThat(tail.awaitDrained(Duration.ofSeconds(5))).isTrue();
        return tail;
    }

    @Test
    void keepsEverythingWhileItFits() throws InterruptedException {
        assertThat(drained("line 1\nline 2\n".getBytes(StandardCharsets.UTF_8), 64).text())
                .isEqualTo("line 1\nline 2\n");
        assertThat(drained(new byte[0], 64).text()).isEmpty();
    }

    @Test
    void keepsOnlyTheLastBytesAndMarksTheCut() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            text.append(i).append('\n');
        }
        String all = text.toString();

        String tail = drained(all.getBytes(StandardCharsets.UTF_8), 1000).text();

        assertThat(tail).isEqualTo("…" + all.substring(all.length() - 1000));
    }

    @Test
    void doesNotStartWithHalfACharacter() throws InterruptedException {
        // "é" is two bytes; a 5-byte tail of "éééé" starts in the middle of one.
        String tail = drained("éééé".getBytes(StandardCharsets.UTF_8), 5).text();

        assertThat(tail).isEqualTo("…éé");
    }
}
