package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Children;
import org.pieproject.client.testsupport.Children.Finished;

/**
 * A session recorded with JDK Flight Recorder, read back from the file: every kind of event is there with
 * the fields that describe it, and no secret or private text is anywhere in the file, in any encoding.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TelemetryJfrTest {
    static final List<String> EVENTS = List.of("org.pieproject.ConnectionOpen", "org.pieproject.ConnectionClosed",
            "org.pieproject.Request", "org.pieproject.Process", "org.pieproject.Transfer",
            "org.pieproject.ReconnectAttempt");
    private static final String TOKEN = "tok-3c1f9a7e52b04d6e8a1f0c9b7d2e4f6a";
    private static final String INPUT = "{\"prompt\":\"private-input-8d7e6f5a4b3c\"}";
    private static final String STDOUT = "private-output-1a2b3c4d5e6f";
    private static final String MANIFEST = """
            [package]
            name = "uploaded"
            version = "1.0.0"
            """;

    @TempDir
    Path dir;

    @Test
    void aRecordedSessionHasEveryEventWithItsFieldsAndNoSecret() throws Exception {
        KeyPair alice = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] keyDer = alice.getPrivate().getEncoded();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(keyDer) + "\n-----END PRIVATE KEY-----\n";
        byte[] upload = new byte[PieClient.CHUNK_SIZE + 77];
        new Random(7).nextBytes(upload);
        Path wasm = Files.write(dir.resolve("p.wasm"), upload);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), MANIFEST);
        byte[] file = new byte[1000];
        new Random(8).nextBytes(file);

        Path jfr = dir.resolve("session.jfr");
        String processId;
        int port;
        try (PieTestServer server = PieTestServer.builder()
                .user("alice", alice.getPublic())
                .token(TOKEN)
                .inferlet("files@0.1.0", ctx -> {
                    ctx.message("ready");
                    byte[] got = ctx.receiveFile();
                    ctx.sendFile(got, "back.bin");
                    ctx.stdout(STDOUT);
                    return "received " + got.length;
                })
                .start();
             Recording recording = new Recording()) {
            port = server.port();
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            try (PieClient client = PieClient.connect(server.uri())) {
                client.authenticate("alice", ParsedPrivateKey.parse(pem));
                client.addProgram(wasm, manifest, false);
                PieProcess p = client.launchProcess("files@0.1.0", INPUT);
                processId = p.id();
                assertThat(p.recv()).isEqualTo(new ProcessEvent.Message("ready"));
                p.transferFile(file);
                assertThat(p.recv()).isInstanceOfSatisfying(ProcessEvent.File.class,
                        f -> assertThat(f.data()).isEqualTo(file));
                assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout(STDOUT));
                assertThat(p.result()).isEqualTo("received 1000");
                assertThatThrownBy(() -> client.launchProcess("missing@1.0.0", INPUT)).isInstanceOf(PieRequestException.class);
            }
            try (PieClient internal = PieClient.connect(server.uri())) {
                internal.authByToken(TOKEN);
                internal.ping();
            }
            recording.stop();
            recording.dump(jfr);
        }

        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        Map<String, List<RecordedEvent>> byType = events.stream()
                .collect(Collectors.groupingBy(e -> e.getEventType().getName()));

        String engine = "ws://127.0.0.1:" + port;
        assertThat(byType.get("org.pieproject.ConnectionOpen")).hasSize(2).allSatisfy(e -> {
            assertThat(e.getString("engine")).isEqualTo(engine);
            assertThat(e.getBoolean("tls")).isFalse();
            assertThat(e.getString("outcome")).isEqualTo("opened");
            assertThat(e.getEventType().getCategoryNames()).containsExactly("Pie", "Connection");
            assertThat(e.getEventType().getLabel()).isEqualTo("Pie Connection Open");
        });
        assertThat(byType.get("org.pieproject.ConnectionClosed")).hasSize(2).allSatisfy(e -> {
            assertThat(e.getString("engine")).isEqualTo(engine);
            assertThat(e.getString("cause")).isEqualTo("connection closed by the client");
            assertThat(e.getDuration("connectedFor")).isPositive();
        });

        List<String> requests = new ArrayList<>();
        for (RecordedEvent e : byType.get("org.pieproject.Request")) {
            requests.add(e.getString("type") + ":" + e.getString("outcome"));
            assertThat(e.getDuration()).isPositive();
        }
        assertThat(requests).containsExactly("auth_identify:ok", "auth_prove:ok", "add_program:ok", "launch_process:ok",
                "launch_process:refused", "auth_by_token:ok", "ping:ok");
        assertThat(byType.get("org.pieproject.Request").get(0).getEventType().getFields())
                .extracting(f -> f.getName()).doesNotContain("startNanos");

        assertThat(byType.get("org.pieproject.Process")).singleElement().satisfies(e -> {
            assertThat(e.getString("inferlet")).isEqualTo("files@0.1.0");
            assertThat(e.getString("processId")).isEqualTo(processId);
            assertThat(e.getString("outcome")).isEqualTo("return");
            assertThat(e.getLong("events")).isEqualTo(4); // message, file, stdout, return
            assertThat(e.getDuration()).isPositive();
        });

        assertThat(byType.get("org.pieproject.Transfer"))
                .extracting(e -> e.getString("direction") + " " + e.getString("kind") + " " + e.getLong("bytes") + " "
                        + e.getString("outcome"))
                .containsExactlyInAnyOrder("upload program " + upload.length + " ok", "upload file 1000 ok",
                        "download file 1000 ok");
        assertThat(byType).doesNotContainKey("org.pieproject.ReconnectAttempt"); // nothing reconnected

        byte[] recorded = Files.readAllBytes(jfr);
        assertThat(recorded.length).isGreaterThan(1000);
        List<byte[]> secrets = new ArrayList<>();
        secrets.add(keyDer);
        secrets.add(java.util.Arrays.copyOfRange(keyDer, keyDer.length - 32, keyDer.length)); // the Ed25519 seed
        for (String text : List.of(pem.lines().skip(1).findFirst().orElseThrow(), Base64.getEncoder().encodeToString(keyDer),
                HexFormat.of().formatHex(keyDer), TOKEN, "private-input-8d7e6f5a4b3c", STDOUT)) {
            secrets.add(text.getBytes(StandardCharsets.UTF_8));
            secrets.add(text.getBytes(StandardCharsets.UTF_16BE));
            secrets.add(text.getBytes(StandardCharsets.UTF_16LE));
        }
        for (byte[] secret : secrets) {
            assertThat(indexOf(recorded, secret)).as("a secret's bytes in the recording").isEqualTo(-1);
        }
        // The search itself finds what is there: the inferlet's name is recorded.
        assertThat(indexOf(recorded, "files@0.1.0".getBytes(StandardCharsets.UTF_8))).isNotNegative();
    }

    @Test
    void aLaunchIsNotTracedWhenNobodyRecordsOrListens() {
        try (PieTestServer server = PieTestServer.builder().inferlet("echo@0.1.0", ctx -> "done").start();
             PieClient client = PieClient.connect(server.uri())) {
            client.authenticate("alice");
            assertThat(client.launchProcess("echo@0.1.0", "{}").result()).isEqualTo("done");
            // Without a recording the event types are off; the launch did not trace the process.
            assertThat(new org.pieproject.client.telemetry.Telemetry(null).processStarted("echo@0.1.0")).isNull();
        }
    }

    /**
     * A program that never records does not set up Flight Recorder: no event class is loaded (the first
     * one initialized registers Flight Recorder's metadata, 50-75 ms of a short program's start). Run in a
     * JVM of its own, since this one records.
     */
    @Test
    void aSessionNobodyRecordsLoadsNoEventClass() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"),
                UnrecordedSession.class.getName());
        Finished run = Children.run(pb, Duration.ofSeconds(60));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("session done").contains("org.pieproject.client.telemetry.Telemetry ")
                .doesNotContain("org.pieproject.client.telemetry.ConnectionEvent")
                .doesNotContain("org.pieproject.client.telemetry.RequestEvent")
                .doesNotContain("org.pieproject.client.telemetry.ProcessRunEvent")
                .doesNotContain("jdk.jfr.internal.MetadataRepository");
    }

    /** Connects, authenticates, pings, launches a process and closes, with no recording and no listener. */
    static final class UnrecordedSession {
        public static void main(String[] args) {
            try (PieTestServer server = PieTestServer.builder().inferlet("echo@0.1.0", ctx -> "done").start();
                 PieClient client = PieClient.connect(server.uri())) {
                client.authenticate("alice");
                client.ping();
                client.launchProcess("echo@0.1.0", "{}").result();
            }
            System.out.println("session done");
        }
    }

    /**
     * The gate loses nothing: a recording started after the client connected (and after requests that
     * nobody recorded) records the next request. In a JVM of its own, where no recording ran before.
     */
    @Test
    void aRecordingStartedAfterConnectingRecordsTheNextRequest(@TempDir Path dir) throws Exception {
        Path jfr = dir.resolve("late.jfr");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LateRecording.class.getName(), jfr.toString());
        Finished run = Children.run(pb, Duration.ofSeconds(60));
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("recorder was not initialized before the recording");
        List<String> recorded = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (e.getEventType().getName().startsWith("org.pieproject.")) {
                recorded.add(e.getEventType().getName() + ":" + (e.hasField("type") ? e.getString("type") : ""));
            }
        }
        assertThat(recorded).containsExactly("org.pieproject.Request:ping");
    }

    /** Authenticates and pings with nobody recording, then records one more ping into the file it is given. */
    static final class LateRecording {
        public static void main(String[] args) throws Exception {
            try (PieTestServer server = PieTestServer.builder().start();
                 PieClient client = PieClient.connect(server.uri())) {
                client.authenticate("alice");
                client.ping();
                if (!jdk.jfr.FlightRecorder.isInitialized()) {
                    System.out.println("recorder was not initialized before the recording");
                }
                try (Recording recording = new Recording()) {
                    recording.enable("org.pieproject.Request").withoutThreshold();
                    recording.start();
                    client.ping();
                    recording.stop();
                    recording.dump(Path.of(args[0]));
                }
            }
        }
    }

    @Test
    void aReconnectAttemptIsRecordedWithItsFieldsForTheReconnectCodeToCall() throws Exception {
        TelemetryMetricsTest.Readings readings = new TelemetryMetricsTest.Readings();
        org.pieproject.client.telemetry.Telemetry telemetry = new org.pieproject.client.telemetry.Telemetry(readings);
        Path jfr = dir.resolve("reconnect.jfr");
        try (Recording recording = new Recording()) {
            EVENTS.forEach(name -> recording.enable(name).withoutThreshold());
            recording.start();
            var first = telemetry.reconnectAttemptStarted();
            telemetry.reconnectAttemptEnded(first, java.net.URI.create("wss://user:pw@engine.example:8443/path?token=" + TOKEN), 1,
                    Duration.ofMillis(250), new PieConnectionException("could not connect: refused"));
            var second = telemetry.reconnectAttemptStarted();
            telemetry.reconnectAttemptEnded(second, java.net.URI.create("ws://127.0.0.1:9"), 2, Duration.ofMillis(500), null);
            recording.stop();
            recording.dump(jfr);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        assertThat(events).extracting(e -> e.getEventType().getName()).containsOnly("org.pieproject.ReconnectAttempt");
        assertThat(events).extracting(e -> e.getString("engine") + " " + e.getInt("attempt") + " "
                        + e.getDuration("delay").toMillis() + " " + e.getString("outcome") + " " + e.getString("failure"))
                .containsExactly("wss://engine.example:8443 1 250 failed could not connect: refused",
                        "ws://127.0.0.1:9 2 500 connected ");
        assertThat(indexOf(Files.readAllBytes(jfr), TOKEN.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(readings.named("pie.client.reconnect.attempts")).extracting(r -> r.tags().get("outcome"))
                .containsExactly("failed", "connected");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
