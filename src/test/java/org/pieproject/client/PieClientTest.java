package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.InferletContext;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Await;

/** The client's calls and guarantees, against the in-process test engine. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PieClientTest {

    private static final String MANIFEST = """
            [package]
            name = "uploaded"
            version = "1.0.0"
            """;

    private PieTestServer server;
    private PieClient client;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() {
        server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout(ctx.input());
                    return "echoed";
                })
                .inferlet("tokens@0.1.0", ctx -> {
                    int n = Integer.parseInt(ctx.input());
                    for (int i = 0; i < n; i++) ctx.stdout("t" + i);
                    return Integer.toString(n);
                })
                .inferlet("wait@0.1.0", ctx -> {
                    ctx.stdout("started");
                    return "got " + ctx.receiveSignal();
                })
                .inferlet("whoami@0.1.0", InferletContext::username)
                .inferlet("fail@0.1.0", ctx -> {
                    throw new IllegalStateException("inferlet failed on purpose");
                })
                .inferlet("files@0.1.0", ctx -> {
                    byte[] data = new byte[Integer.parseInt(ctx.input())];
                    new Random(7).nextBytes(data);
                    ctx.sendFile(data, "../out/report.bin");
                    return "sent";
                })
                .inferlet("receiver@0.1.0", ctx -> {
                    ctx.message("ready");
                    byte[] got = ctx.receiveFile();
                    return PieClient.hashBlob(got);
                })
                .inferlet("pingpong@0.1.0", ctx -> {
                    // One event, then nothing until the reader answers: each event ends the listener's run.
                    int n = Integer.parseInt(ctx.input());
                    for (int i = 0; i < n; i++) {
                        ctx.stdout(Integer.toString(i));
                        ctx.receiveSignal();
                    }
                    return "done";
                })
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("before");
                    release.await();
                    return "released";
                })
                .start();
        client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(10)).build();
        client.authenticate("alice");
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private static List<ProcessEvent> drain(PieProcess p) {
        List<ProcessEvent> events = new ArrayList<>();
        while (true) {
            ProcessEvent e = p.recv();
            events.add(e);
            if (e.isTerminal()) return events;
        }
    }

    @Test
    void authenticateAgainstAnEngineWithAuthDisabledNeedsNoKey() {
        // The engine's view of who this session is, not the name the test passed in.
        assertThat(drain(client.launchProcess("whoami@0.1.0", "{}"))).containsExactly(new ProcessEvent.Return("alice"));
        assertThat(server.receivedMessages()).filteredOn(m -> "auth_identify".equals(m.get("type")))
                .singleElement().satisfies(m -> assertThat(m.get("username")).isEqualTo("alice"));
        assertThat(server.receivedMessages()).noneMatch(m -> "auth_prove".equals(m.get("type")));
        client.authenticate("alice"); // "Already authenticated" is success, not a challenge
        client.ping();
    }

    @Test
    void launchStreamsStdoutThenReturnAndRecvThrowsAfterTheEnd() {
        PieProcess p = client.launchProcess("echo@0.1.0", "{\"x\":1}");
        assertThat(p.id()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(drain(p)).containsExactly(new ProcessEvent.Stdout("{\"x\":1}"), new ProcessEvent.Return("echoed"));
        assertThatThrownBy(p::recv).isInstanceOf(PieException.class).hasMessageContaining("has ended");
        assertThatThrownBy(p::tryRecv).isInstanceOf(PieException.class);
    }

    @Test
    void manyEventsRightAfterTheLaunchReplyAreAllDeliveredInOrder() {
        PieProcess p = client.launchProcess("tokens@0.1.0", "5000");
        List<ProcessEvent> events = drain(p);
        assertThat(events).hasSize(5001);
        for (int i = 0; i < 5000; i++) assertThat(events.get(i)).isEqualTo(new ProcessEvent.Stdout("t" + i));
        assertThat(events.get(5000)).isEqualTo(new ProcessEvent.Return("5000"));
    }

    @Test
    void messagesSplitIntoContinuationFramesAreAssembled() {
        server.faults().fragmentMessages(7);
        client.ping();
        assertThat(drain(client.launchProcess("tokens@0.1.0", "50"))).hasSize(51);
        assertThat(drain(client.launchProcess("files@0.1.0", "700000")).get(0))
                .isInstanceOf(ProcessEvent.File.class);
    }

    @Test
    void anInferletErrorIsATerminalErrorEvent() {
        assertThat(drain(client.launchProcess("fail@0.1.0", "{}")))
                .containsExactly(new ProcessEvent.Error("inferlet failed on purpose"));
    }

    @Test
    void launchWithoutCaptureReturnsAHandleWithoutIdOrEvents() {
        PieProcess p = client.launchProcess("echo@0.1.0", "{}", false, 1000);
        assertThat(p.id()).isEmpty();
        assertThatThrownBy(p::recv).isInstanceOf(PieException.class).hasMessageContaining("captureOutputs=false");
        assertThatThrownBy(() -> p.signal("x")).isInstanceOf(PieException.class);
    }

    @Test
    void anInvalidIdentifierIsRefusedWithTheEnginesText() {
        assertThatThrownBy(() -> client.launchProcess("no-version", "{}"))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason())
                        .isEqualTo("Invalid program identifier 'no-version': expected 'name@major.minor.patch'"));
        assertThatThrownBy(() -> client.checkProgram("x@1.2")).isInstanceOf(PieRequestException.class);
    }

    @Test
    void anUnknownProgramIsRefusedByTheEngine() {
        assertThatThrownBy(() -> client.launchProcess("missing@9.9.9", "{}"))
                .isInstanceOf(PieRequestException.class);
    }

    @Test
    void addProgramUploadsInChunksAndCheckProgramSeesIt(@TempDir Path dir) throws Exception {
        Path wasm = dir.resolve("p.wasm");
        byte[] bytes = new byte[3 * PieClient.CHUNK_SIZE + 123];
        new Random(1).nextBytes(bytes);
        Files.write(wasm, bytes);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), MANIFEST);
        assertThat(client.checkProgram("uploaded@1.0.0")).isFalse();
        client.addProgram(wasm, manifest, false);
        assertThat(client.checkProgram("uploaded@1.0.0")).isTrue();
        assertThat(client.checkProgram("uploaded@1.0.0", wasm, manifest)).isTrue();
        assertThat(server.uploadedProgram("uploaded@1.0.0")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
    }

    @Test
    void aProgramOfMoreChunksThanAreInFlightArrivesIntact(@TempDir Path dir) throws Exception {
        // Far more chunks than an upload keeps in flight: later chunks are encoded into the buffers of earlier ones.
        byte[] bytes = new byte[25 * PieClient.CHUNK_SIZE + 7];
        new Random(2).nextBytes(bytes);
        Path wasm = Files.write(dir.resolve("big.wasm"), bytes);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), MANIFEST);
        client.addProgram(wasm, manifest, true);
        assertThat(server.uploadedProgram("uploaded@1.0.0")).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
        assertThat(client.checkProgram("uploaded@1.0.0", wasm, manifest)).isTrue();
    }

    @Test
    void anEmptyProgramIsOneEmptyChunk(@TempDir Path dir) throws Exception {
        Path wasm = Files.write(dir.resolve("empty.wasm"), new byte[0]);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), MANIFEST);
        client.addProgram(wasm, manifest, true);
        assertThat(server.uploadedProgram("uploaded@1.0.0")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }

    @Test
    void aMissingProgramFileIsAClearErrorNamingThePath(@TempDir Path dir) throws Exception {
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), MANIFEST);
        Path missing = dir.resolve("nope.wasm");
        assertThatThrownBy(() -> client.addProgram(missing, manifest, false))
                .isInstanceOf(PieException.class).hasMessageContaining(missing.toString());
        client.ping(); // nothing was left pending or half-sent
    }

    @Test
    void aBadManifestIsRefusedWithTheEnginesReason(@TempDir Path dir) throws Exception {
        Path wasm = Files.write(dir.resolve("p.wasm"), new byte[10]);
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), "this is = = not toml [");
        assertThatThrownBy(() -> client.addProgram(wasm, manifest, false))
                .isInstanceOfSatisfying(PieRequestException.class,
                        e -> assertThat(e.reason()).startsWith("Invalid manifest: Failed to parse manifest TOML"));
    }

    @Test
    void signalsReachTheInferlet() {
        PieProcess p = client.launchProcess("wait@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        p.signal("hello");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Return("got hello"));
    }

    @Test
    void aFileFromTheInferletArrivesWholeWithItsNameAndASafeName() {
        PieProcess p = client.launchProcess("files@0.1.0", "600000");
        ProcessEvent.File f = (ProcessEvent.File) p.recv();
        byte[] expected = new byte[600000];
        new Random(7).nextBytes(expected);
        assertThat(f.data()).isEqualTo(expected);
        assertThat(f.name()).isEqualTo("../out/report.bin");
        assertThat(f.safeFileName()).isEqualTo("report.bin");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Return("sent"));
    }

    @Test
    void transferFileReachesAWaitingInferlet() {
        PieProcess p = client.launchProcess("receiver@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Message("ready"));
        byte[] data = new byte[PieClient.CHUNK_SIZE * 2 + 5];
        new Random(3).nextBytes(data);
        p.transferFile(data);
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Return(PieClient.hashBlob(data)));
    }

    @Test
    void listAndTerminate() {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        assertThat(client.listProcesses()).containsExactly(p.id());
        client.terminateProcess(p.id());
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Error("Signal"));
        assertThat(client.listProcesses()).isEmpty();
        assertThatThrownBy(() -> client.terminateProcess(p.id()))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Process not found"));
        assertThatThrownBy(() -> client.terminateProcess("not-a-uuid"))
                .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Invalid process ID"));
    }

    @Test
    void attachFromAnotherConnectionReplaysWhatWasKeptThenStreams() {
        PieProcess p = client.launchProcess("wait@0.1.0", "{}");
        String id = p.id();
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("started"));
        client.close(); // the engine detaches the process; its later output is kept for the next client

        try (PieClient second = PieClient.connect(server.uri())) {
            second.authenticate("alice");
            assertThat(second.listProcesses()).containsExactly(id);
            PieProcess again = second.attachProcess(id.toUpperCase());
            assertThat(again.id()).isEqualTo(id);
            again.signal("from the second client");
            List<ProcessEvent> events = drain(again);
            assertThat(events).last().isEqualTo(new ProcessEvent.Return("got from the second client"));
        }
    }

    @Test
    void attachIsRefusedForAnotherUsersProcessAndForAnUnknownOne() {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        try (PieClient bob = PieClient.connect(server.uri())) {
            bob.authenticate("bob");
            assertThatThrownBy(() -> bob.attachProcess(p.id()))
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Permission denied"));
            assertThatThrownBy(() -> bob.attachProcess("00000000-0000-4000-8000-000000000000"))
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Process not found"));
            assertThatThrownBy(() -> bob.attachProcess("nope"))
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Invalid process_id"));
        }
        // The launching session is already attached: the engine says "Process not found", and the
        // handle it already has keeps working.
        assertThatThrownBy(() -> client.attachProcess(p.id())).isInstanceOf(PieRequestException.class);
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
    }

    @Test
    void queryAnswersModelStatusAndTimesOutOnOtherSubjects() {
        assertThat(client.query("model_status", "")).startsWith("{");
        try (PieClient impatient = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMillis(300)).build()) {
            impatient.authenticate("alice");
            assertThatThrownBy(() -> impatient.query("something_else", ""))
                    .isInstanceOf(PieTimeoutException.class).hasMessageContaining("no answer");
            impatient.ping(); // the timed-out request left nothing behind
        }
    }

    @Test
    void aRequestBeforeAuthenticationTimesOutAndSaysWhy() {
        try (PieClient fresh = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMillis(300)).build()) {
            assertThatThrownBy(fresh::ping).isInstanceOf(PieTimeoutException.class)
                    .hasMessageContaining("may not be authenticated");
        }
    }

    @Test
    void twoThousandConcurrentLaunchesFromVirtualThreadsEachGetTheirOwnProcess() throws Exception {
        int n = 2000;
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<ProcessEvent>>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String input = "{\"n\":" + i + "}";
                results.add(vt.submit(() -> drain(client.launchProcess("echo@0.1.0", input))));
            }
            for (int i = 0; i < n; i++) {
                assertThat(results.get(i).get(50, TimeUnit.SECONDS)).containsExactly(
                        new ProcessEvent.Stdout("{\"n\":" + i + "}"), new ProcessEvent.Return("echoed"));
            }
        }
    }

    @Test
    void everyEventWakesItsParkedReaderThroughTheRealListener() throws Exception {
        // The listener holds readers' wake-ups until its run of callbacks ends; here every run ends with the
        // one event a parked reader waits for, so a wake-up held and never delivered stalls a reader at once.
        int processes = 4, rounds = 200;
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int t = 0; t < processes; t++) {
                all.add(vt.submit(() -> {
                    PieProcess p = client.launchProcess("pingpong@0.1.0", Integer.toString(rounds));
                    for (int i = 0; i < rounds; i++) {
                        var e = p.recv(Duration.ofSeconds(5));
                        assertThat(e).as("event %d", i).contains(new ProcessEvent.Stdout(Integer.toString(i)));
                        p.signal("next");
                    }
                    assertThat(p.recv(Duration.ofSeconds(5))).contains(new ProcessEvent.Return("done"));
                    return rounds;
                }));
            }
            for (Future<Integer> f : all) assertThat(f.get(50, TimeUnit.SECONDS)).isEqualTo(rounds);
        }
    }

    @Test
    void manyThreadsSendingAtOnceShareTheConnection() throws Exception {
        // Many sends queued at once, most completing at once: the send queue must not recurse per item.
        int threads = 64, pings = 500;
        AtomicInteger answered = new AtomicInteger();
        try (ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(vt.submit(() -> {
                    for (int i = 0; i < pings; i++) {
                        client.ping();
                        answered.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) f.get(50, TimeUnit.SECONDS);
        }
        assertThat(answered.get()).isEqualTo(threads * pings);
        // Each ping was its own request on the wire, with its own id: none lost, none merged or repeated.
        List<Long> ids = server.receivedMessages().stream().filter(m -> "ping".equals(m.get("type")))
                .map(m -> (Long) m.get("corr_id")).toList();
        assertThat(ids).hasSize(1000).doesNotHaveDuplicates(); // the engine records the last 1000
        assertThat(client.pendingRequests()).isZero();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void garbageFromTheEngineIsDroppedAndTrafficGoesOn() {
        server.faults().sendRawToAll(new byte[] {(byte) 0xc1, 1, 2, 3});
        server.faults().sendRawToAll(new byte[] {(byte) 0x93, 1, 2, 3}); // valid MessagePack, not a map
        server.faults().sendTextToAll("hello");
        client.ping();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void aMessageOverTheLimitClosesTheConnectionCleanly() {
        try (PieClient small = PieClient.builder().uri(server.uri()).maxMessageBytes(64 * 1024).build()) {
            small.authenticate("alice");
            PieProcess p = small.launchProcess("files@0.1.0", "200000"); // a 200 KB chunk > 64 KiB
            assertThatThrownBy(() -> {
                while (true) p.recv();
            }).isInstanceOf(PieConnectionException.class).hasMessageContaining("maxMessageBytes");
            assertThat(small.isOpen()).isFalse();
            assertThatThrownBy(small::ping).isInstanceOf(PieConnectionException.class);
        }
    }

    @Test
    void connectionLossFailsBlockedCallsAndRecvWithinOneSecond() throws Exception {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        server.faults().silent(true);
        AtomicReference<Throwable> pingFailure = new AtomicReference<>();
        Thread pinger = Thread.ofVirtual().start(() -> {
            try {
                client.ping();
            } catch (Throwable t) {
                pingFailure.set(t);
            }
        });
        AtomicReference<Throwable> recvFailure = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.recv();
            } catch (Throwable t) {
                recvFailure.set(t);
            }
        });
        // Both callers really blocked: the engine has the ping, and both threads are parked in their calls.
        assertThat(server.awaitReceived(m -> "ping".equals(m.get("type")), Duration.ofSeconds(5))).isPresent();
        Await.until("the ping is pending", () -> client.pendingRequests() == 1);
        Await.parked(pinger);
        Await.parked(reader);

        long dropped = System.nanoTime();
        server.faults().dropAllConnections();
        assertThat(pinger.join(Duration.ofSeconds(2))).isTrue();
        assertThat(reader.join(Duration.ofSeconds(2))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isLessThan(Duration.ofSeconds(1));
        assertThat(pingFailure.get()).isInstanceOf(PieConnectionException.class);
        assertThat(recvFailure.get()).isInstanceOf(PieConnectionException.class);
        assertThat(client.isOpen()).isFalse();
    }

    @Test
    void closeIsIdempotentQuickAgainstASilentEngineAndLeavesNoThreads() throws Exception {
        server.faults().silent(true);
        PieClient c = PieClient.connect(server.uri());
        long start = System.nanoTime();
        c.close();
        c.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(c.isOpen()).isFalse();
        client.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("pie-ws-") || n.startsWith("HttpClient")).toList();
        } while (!left.isEmpty() && System.nanoTime() < deadline);
        assertThat(left).as("transport threads after close").isEmpty();
    }

    @Test
    void anInterruptedRecvThrowsAndKeepsTheInterruptFlag() throws Exception {
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.recv();
            } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        Await.parked(t); // interrupted while blocked in recv(), not before it
        t.interrupt();
        assertThat(t.join(Duration.ofSeconds(2))).isTrue();
        assertThat(thrown.get()).isInstanceOf(PieException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        release.countDown();
        assertThat(p.recv(Duration.ofSeconds(5))).contains(new ProcessEvent.Return("released"));
    }

    @Test
    void anInterruptedRequestThrowsKeepsTheFlagAndLeavesNothingPending() throws Exception {
        server.faults().silent(true);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        server.clearReceivedMessages();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                client.ping();
            } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        // The request is really out and waiting: the engine has it, the client holds it, the caller is parked.
        assertThat(server.awaitReceived(m -> "ping".equals(m.get("type")), Duration.ofSeconds(5))).isPresent();
        Await.until("the ping is pending", () -> client.pendingRequests() == 1);
        Await.parked(t);
        t.interrupt();
        assertThat(t.join(Duration.ofSeconds(2))).isTrue();
        assertThat(thrown.get()).isInstanceOf(PieException.class).hasMessageContaining("interrupted");
        assertThat(flag.get()).isTrue();
        assertThat(client.pendingRequests()).as("requests still pending after the interrupt").isZero();
    }

    @Test
    void identityHeaderIsSentForAGatewayThatTrustsIt() {
        try (PieTestServer gateway = PieTestServer.builder().trustIdentityHeader(true)
                .inferlet("echo@0.1.0", ctx -> ctx.username()).start();
             PieClient c = PieClient.builder().uri(gateway.uri()).identity("carol").build()) {
            c.ping(); // no authenticate(): the header did it
            assertThat(drain(c.launchProcess("echo@0.1.0", "{}"))).containsExactly(new ProcessEvent.Return("carol"));
        }
    }

    @Test
    void connectingToNothingIsAClearConnectionError() {
        assertThatThrownBy(() -> PieClient.builder().uri("ws://127.0.0.1:1").connectTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(PieConnectionException.class).hasMessageContaining("could not connect");
        assertThatThrownBy(() -> PieClient.connect("http://example")).isInstanceOf(PieException.class)
                .hasMessageContaining("ws://");
    }

    @Test
    void toStringsAreUsefulAndShowNoSecrets() {
        PieProcess p = client.launchProcess("echo@0.1.0", "{}");
        assertThat(client.toString()).contains(server.uri().toString()).contains("alice");
        assertThat(p.toString()).contains(p.id());
        String builder = PieClient.builder().header("Authorization", "Bearer s3cret").toString();
        assertThat(builder).contains("Authorization").doesNotContain("s3cret");
        assertThat(new ProcessEvent.File(new byte[5], "a.txt").toString()).isEqualTo("File[5 bytes, name=a.txt]");
    }
}
