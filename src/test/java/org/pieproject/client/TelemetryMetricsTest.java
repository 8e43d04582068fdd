package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;

/** The metrics listener gets every counter and timer with its tags; one that throws changes nothing else. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TelemetryMetricsTest {

    /** One callback, as the listener saw it. */
    record Reading(String kind, String name, long amount, Duration duration, Map<String, String> tags) {}

    /** Keeps every callback. */
    static final class Readings implements PieMetricsListener {
        final ConcurrentLinkedQueue<Reading> all = new ConcurrentLinkedQueue<>();

        @Override
        public void count(String name, long amount, Map<String, String> tags) {
            all.add(new Reading("count", name, amount, Duration.ZERO, Map.copyOf(tags)));
        }

        @Override
        public void time(String name, Duration duration, Map<String, String> tags) {
            all.add(new Reading("time", name, 0, duration, Map.copyOf(tags)));
        }

        List<Reading> named(String name) {
            return all.stream().filter(r -> r.name().equals(name)).toList();
        }
    }

    private static PieTestServer engine() {
        byte[] file = new byte[3000];
        new Random(3).nextBytes(file);
        return PieTestServer.builder()
                .inferlet("chatty@0.1.0", ctx -> {
                    ctx.stdout("a");
                    ctx.stdout("b");
                    ctx.sendFile(file, "f.bin");
                    return "done";
                })
                .start();
    }

    @Test
    void requestsProcessesTransfersAndConnectionsAreCountedAndTimed(@TempDir Path dir) throws Exception {
        Path wasm = Files.write(dir.resolve("p.wasm"), new byte[100]);
        Path notAManifest = Files.writeString(dir.resolve("Pie.toml"), "this is not a manifest");
        Readings readings = new Readings();
        try (PieTestServer server = engine()) {
            try (PieClient client = PieClient.builder().uri(server.uri()).metricsListener(readings).build()) {
                client.authenticate("alice");
                assertThat(client.launchProcess("chatty@0.1.0", "{}").result()).isEqualTo("done");
                assertThatThrownBy(() -> client.launchProcess("missing@1.0.0", "{}")).isInstanceOf(PieRequestException.class);
                assertThatThrownBy(() -> client.addProgram(wasm, notAManifest, false)).isInstanceOf(PieRequestException.class);
            }
            int closedPort = server.port();
            server.close();
            assertThatThrownBy(() -> PieClient.builder().uri("ws://127.0.0.1:" + closedPort).metricsListener(readings).build())
                    .isInstanceOf(PieConnectionException.class);
        }

        assertThat(readings.named("pie.client.requests")).extracting(r -> r.tags().get("type") + ":" + r.tags().get("outcome"))
                .containsExactly("auth_identify:ok", "launch_process:ok", "launch_process:refused", "add_program:refused");
        assertThat(readings.named("pie.client.requests")).allSatisfy(r -> {
            assertThat(r.kind()).isEqualTo("time");
            assertThat(r.duration()).isPositive();
        });
        assertThat(readings.named("pie.client.processes")).singleElement().satisfies(r -> {
            assertThat(r.tags()).isEqualTo(Map.of("inferlet", "chatty@0.1.0", "outcome", "return"));
            assertThat(r.duration()).isPositive();
        });
        assertThat(readings.named("pie.client.process.events")).singleElement().satisfies(r -> {
            assertThat(r.amount()).isEqualTo(4); // two stdout, the file, the return
            assertThat(r.tags()).isEqualTo(Map.of("inferlet", "chatty@0.1.0"));
        });
        assertThat(readings.named("pie.client.transfer.bytes")).singleElement().satisfies(r -> {
            assertThat(r.amount()).isEqualTo(3000);
            assertThat(r.tags()).isEqualTo(Map.of("direction", "download", "kind", "file"));
        });
        assertThat(readings.named("pie.client.transfers")).extracting(Reading::tags).containsExactly(
                Map.of("direction", "download", "kind", "file", "outcome", "ok"),
                Map.of("direction", "upload", "kind", "program", "outcome", "refused"));
        assertThat(readings.named("pie.client.connections")).extracting(r -> r.tags().get("event"))
                .containsExactly("opened", "closed", "failed");
    }

    @Test
    void aThrowingListenerIsLoggedAndKept() {
        AtomicInteger calls = new AtomicInteger();
        PieMetricsListener throwing = new PieMetricsListener() {
            @Override
            public void count(String name, long amount, Map<String, String> tags) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener broke");
            }

            @Override
            public void time(String name, Duration duration, Map<String, String> tags) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener broke");
            }
        };
        try (PieTestServer server = engine();
             PieClient client = PieClient.builder().uri(server.uri()).metricsListener(throwing).build()) {
            client.authenticate("alice");
            for (int i = 0; i < 3; i++) assertThat(client.launchProcess("chatty@0.1.0", "{}").result()).isEqualTo("done");
            client.ping();
        }
        // opened, auth, 3 x (launch, process time, process events, download time, download bytes), ping, closed
        assertThat(calls.get()).isEqualTo(1 + 1 + 3 * 5 + 1 + 1);
    }
}
