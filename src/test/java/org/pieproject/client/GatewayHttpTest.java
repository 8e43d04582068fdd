package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testkit.PieTestServer;

/** PieHttpClient against the test engine's gateway mode: the one-shot HTTP path of a Pie 0.5 gateway. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayHttpTest {
    private PieTestServer server;
    private PieHttpClient http;

    @BeforeEach
    void start() {
        server = PieTestServer.builder()
                .gateway(true)
                .inferlet("tokens@0.1.0", ctx -> {
                    int n = Integer.parseInt(ctx.input());
                    for (int i = 0; i < n; i++) ctx.stdout("t" + i);
                    return Integer.toString(n);
                })
                .inferlet("wait@0.1.0", ctx -> {
                    ctx.stdout("started");
                    return "got " + ctx.receiveSignal();
                })
                .inferlet("fail@0.1.0", ctx -> {
                    throw new IllegalStateException("failed on purpose");
                })
                .inferlet("files@0.1.0", ctx -> {
                    byte[] data = new byte[Integer.parseInt(ctx.input())];
                    new Random(7).nextBytes(data);
                    ctx.sendFile(data);
                    return "sent";
                })
                .start();
        http = PieHttpClient.builder().uri(server.httpUri()).identity("acme/alice").build();
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void eventsStreamInOrderAndTheStreamEndsAfterDone() {
        try (PieGeneration g = http.generate("tokens@0.1.0", "200")) {
            assertThat(g.id()).hasSize(36);
            List<ProcessEvent> events = new ArrayList<>();
            for (ProcessEvent e : g) events.add(e);
            assertThat(events).hasSize(201);
            for (int i = 0; i < 200; i++) assertThat(events.get(i)).isEqualTo(new ProcessEvent.Stdout("t" + i));
            assertThat(events.get(200)).isEqualTo(new ProcessEvent.Return("200"));
            assertThatThrownBy(g::recv).isInstanceOf(PieException.class);
        }
        assertThat(server.gateway().identities()).hasSize(1);
    }

    @Test
    void resultAndErrorsReadLikeAProcess() {
        try (PieGeneration g = http.generate("tokens@0.1.0", "3")) {
            assertThat(g.output().stdout()).isEqualTo("t0t1t2");
        }
        try (PieGeneration g = http.generate("fail@0.1.0", "{}")) {
            assertThatThrownBy(g::result).isInstanceOf(PieRequestException.class).hasMessageContaining("failed on purpose");
        }
    }

    @Test
    void filesArriveWholeAndChecked() {
        byte[] expected = new byte[300_000];
        new Random(7).nextBytes(expected);
        try (PieGeneration g = http.generate("files@0.1.0", "300000")) {
            ProcessOutput out = g.output();
            assertThat(out.files()).hasSize(1);
            assertThat(out.files().get(0).data()).isEqualTo(expected);
        }
    }

    @Test
    void anAbortedStreamEndsTheGenerationAfterWhatHadArrived() {
        try (PieGeneration g = http.generate("wait@0.1.0", "{}")) {
            assertThat(g.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
            assertThat(server.gateway().abortStream(g.id())).isTrue();
            assertThatThrownBy(g::recv).isInstanceOf(PieConnectionException.class)
                    .hasMessageContaining("aborted the stream: stream aborted");
        }
    }

    @Test
    void withoutIdentityTheGatewayAnswers401AndTheMessageNamesTheHeader() {
        try (PieHttpClient anonymous = PieHttpClient.builder().uri(server.httpUri()).build()) {
            assertThatThrownBy(() -> anonymous.generate("tokens@0.1.0", "1"))
                    .isInstanceOfSatisfying(PieHttpException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(401);
                        assertThat(e.body()).contains("missing `x-pie-identity`");
                        assertThat(e.getMessage()).contains("x-pie-identity header is missing");
                    });
        }
    }

    @Test
    void whenAdmissionRefusesTheGatewayAnswers503() {
        server.gateway().refuseAdmission("no worker available");
        assertThatThrownBy(() -> http.generate("tokens@0.1.0", "1"))
                .isInstanceOfSatisfying(PieHttpException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.body()).isEqualTo("admission: admission rejected: no worker available");
                });
        server.gateway().admitAll();
        try (PieGeneration g = http.generate("tokens@0.1.0", "1")) {
            assertThat(g.result()).isEqualTo("1");
        }
    }

    @Test
    void closingTheGenerationEarlyEndsTheRequestAndItsProcess() {
        PieGeneration g = http.generate("wait@0.1.0", "{}");
        assertThat(g.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        assertThat(server.runningProcesses()).containsExactly(g.id());
        g.close();
        GatewayWebSocketTest.await(() -> server.runningProcesses().isEmpty(), "the gateway ends the process");
        assertThatThrownBy(g::recv).isInstanceOf(PieException.class).hasMessageContaining("closed");
    }

    @Test
    void aRefusedLaunchFailsAtOnceAlthoughTheGatewayKeepsItsStreamOpen() {
        assertThatThrownBy(() -> http.generate("missing@1.0.0", "{}"))
                .isInstanceOf(PieRequestException.class).hasMessageContaining("404 Not Found");
    }

    @Test
    void aGatewayThatDoesNotAnswerTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch accepted = new CountDownLatch(1);
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    accepted.countDown();
                    s.getInputStream().readAllBytes(); // never answers; ends when the client gives up
                } catch (IOException e) {
                    // the client went away
                }
            });
            try (PieHttpClient c = PieHttpClient.builder().uri("http://127.0.0.1:" + silent.getLocalPort())
                    .identity("alice").requestTimeout(Duration.ofMillis(300)).build()) {
                assertThatThrownBy(() -> c.generate("tokens@0.1.0", "1")).isInstanceOf(PieTimeoutException.class);
            }
            assertThat(accepted.await(5, TimeUnit.SECONDS)).isTrue();
            t.join(5000);
        }
    }

    @Test
    void theTestGatewayRefusesBodiesAsAxumDoes() throws Exception {
        try (HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            assertThat(post(raw, "text/plain", "{}", true).statusCode()).isEqualTo(415);
            assertThat(post(raw, "application/json", "{not json", true).statusCode()).isEqualTo(400);
            HttpResponse<String> unknown = post(raw, "application/json", "{\"type\":\"launch_processes\",\"corr_id\":1}", true);
            assertThat(unknown.statusCode()).isEqualTo(422);
            assertThat(unknown.body()).contains("unknown variant `launch_processes`");
            // The body is checked before the identity, as the handler's extractors run in that order.
            assertThat(post(raw, "application/json", "{not json", false).statusCode()).isEqualTo(400);
            assertThat(post(raw, "application/json", "{\"type\":\"ping\",\"corr_id\":7}", false).statusCode()).isEqualTo(401);
            HttpResponse<String> ping = post(raw, "application/json", "{\"type\":\"ping\",\"corr_id\":7}", true);
            assertThat(ping.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(ping.body()).isEqualTo("data: {\"type\":\"response\",\"corr_id\":7,\"ok\":true,\"result\":\"Pong\"}\n\n"
                    + "data: [DONE]\n\n");
            HttpRequest get = HttpRequest.newBuilder(server.httpUri().resolve("/v1/generate")).GET().build();
            assertThat(raw.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
            HttpRequest other = HttpRequest.newBuilder(server.httpUri().resolve("/v2/other")).GET().build();
            assertThat(raw.send(other, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        }
    }

    private HttpResponse<String> post(HttpClient raw, String type, String body, boolean identity) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve("/v1/generate"))
                .header("content-type", type).POST(HttpRequest.BodyPublishers.ofString(body));
        if (identity) b.header("x-pie-identity", "alice");
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
