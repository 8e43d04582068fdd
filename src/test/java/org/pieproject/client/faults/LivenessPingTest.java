package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.testsupport.Await;

/**
 * README's failures table: "the client sends a WebSocket Ping every 250 ms" on a connection, even an idle
 * one, which is what finds an engine gone without the JDK noticing ({@link AbruptDropTest} shows the
 * release that follows). Seen from the engine's side of the socket.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LivenessPingTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void anIdleConnectionIsPingedAboutEveryQuarterSecond() {
        try (RawFaultServer server = RawFaultServer.start();
             PieClient client = PieClient.builder().uri(server.uri()).build()) {
            RawFaultServer.Conn conn = server.nextConnection(WAIT);
            // Nothing is sent by the test: whatever pings come are the probe's.
            Await.until("nine pings from an idle client", Duration.ofSeconds(10), () -> conn.pingTimes().size() >= 9);
            List<Long> at = conn.pingTimes();
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < at.size(); i++) gaps.add(TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1)));
            Collections.sort(gaps);
            // The median is what a loaded machine leaves of a 250 ms period: generous bounds, yet a period of
            // 100 ms or 1 s (or pings only when busy) fails.
            assertThat(gaps.get(gaps.size() / 2)).as("median gap between pings (ms), gaps %s", gaps).isBetween(150L, 500L);
            assertThat(client.isOpen()).isTrue();
            assertThat(conn.requestCount()).as("requests: the pings are WebSocket Pings, not protocol pings").isZero();
        }
    }
}
