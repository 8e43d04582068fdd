package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Await;

/**
 * The JDK's WebSocket client sometimes never reads the end of a connection the server has dropped (the
 * socket sits in CLOSE_WAIT with nothing delivered; about 1 drop in 30 on these machines). Only the
 * client's liveness probe finds those, so repeat the drop often enough that a missing probe shows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AbruptDropTest {

    @Test
    void everyAbruptDropReleasesABlockedReaderWithinASecond() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("up");
                    never.await();
                    return "unreachable";
                })
                .start()) {
            for (int round = 0; round < 150; round++) {
                try (PieClient client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(30)).build()) {
                    client.authenticate("alice");
                    PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
                    assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("up"));
                    CompletableFuture<Throwable> failure = new CompletableFuture<>();
                    Thread reader = Thread.ofVirtual().start(() -> {
                        try {
                            failure.complete(new AssertionError("recv returned " + p.recv()));
                        } catch (RuntimeException e) {
                            failure.complete(e);
                        }
                    });
                    Await.parked(reader); // drop while the reader is blocked in recv(), not before it gets there
                    server.faults().dropAllConnections();
                    assertThat(failure.get(1, TimeUnit.SECONDS)).as("round %d", round)
                            .isInstanceOf(PieConnectionException.class);
                }
            }
        }
    }
}
