package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.wire.MsgPackWriter;
import org.pieproject.client.testsupport.LogCapture;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.testsupport.Await;

/**
 * Bad input from the engine, frame by frame: whatever it is, it is dropped (and traffic goes on: a blocked
 * reader still gets the next good event and a ping still succeeds) or, where going on would be unsafe, the
 * connection fails cleanly and every waiting caller learns why. Nothing is thrown at the listener (the
 * transport would log that at ERROR; {@link LogCapture} checks it stays silent), and what is dropped is
 * logged at the level README's failures table names.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MalformedInputTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String PID = RawFaultServer.processId(1);

    private RawFaultServer server;
    private RawFaultServer.Conn conn;
    private PieClient client;
    private PieProcess process;
    private LogCapture logs;

    @BeforeEach
    void connect() {
        logs = LogCapture.fromDebug();
        server = RawFaultServer.start();
        client = PieClient.builder().uri(server.uri()).requestTimeout(WAIT).maxMessageBytes(1 << 21)
                .orphanBufferSize(1024).build();
        conn = server.nextConnection(WAIT);
        client.authenticate("alice");
        process = client.launchProcess("p@0.1.0", "{}");
        assertThat(process.id()).isEqualTo(PID);
    }

    @AfterEach
    void close() {
        client.close();
        server.close();
        logs.close();
        assertThat(logs.errors()).as("errors logged: an exception reached the listener").isEmpty();
    }

    static byte[] msg(Consumer<MsgPackWriter> body) {
        MsgPackWriter w = new MsgPackWriter();
        body.accept(w);
        return w.toByteArray();
    }

    static byte[] event(String pid, String kind, String value) {
        return new ServerMessage.ProcessEvent(pid, kind, value).encode();
    }

    private static final byte[] BAD_UTF8 = {(byte) 0xff, (byte) 0xfe, (byte) 0xc3};

    static Stream<Arguments> malformed() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("empty message", new byte[0]));
        cases.add(Arguments.of("an array, not a map", msg(w -> w.arrayHeader(3).str("response").integer(1).bool(true))));
        cases.add(Arguments.of("an integer, not a map", msg(w -> w.integer(42))));
        cases.add(Arguments.of("a string, not a map", msg(w -> w.str("process_event"))));
        cases.add(Arguments.of("nil", msg(MsgPackWriter::nil)));
        cases.add(Arguments.of("map without type", msg(w -> w.mapHeader(3).str("corr_id").integer(1).str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("type is nil", msg(w -> w.mapHeader(1).str("type").nil())));
        cases.add(Arguments.of("type is an integer", msg(w -> w.mapHeader(1).str("type").integer(7))));
        cases.add(Arguments.of("type given twice", msg(w -> w.mapHeader(2).str("type").str("response").str("type").str("response"))));
        cases.add(Arguments.of("unknown type", msg(w -> w.mapHeader(2).str("type").str("surprise").str("corr_id").integer(1))));
        cases.add(Arguments.of("response without corr_id", msg(w -> w.mapHeader(3).str("type").str("response").str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("response with string corr_id", msg(w -> w.mapHeader(4).str("type").str("response").str("corr_id").str("1").str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("response with negative corr_id", msg(w -> w.mapHeader(4).str("type").str("response").str("corr_id").integer(-1).str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("response with corr_id above u32", msg(w -> w.mapHeader(4).str("type").str("response").str("corr_id").integer(1L << 32).str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("response with integer ok", msg(w -> w.mapHeader(4).str("type").str("response").str("corr_id").integer(1).str("ok").integer(1).str("result").str("x"))));
        cases.add(Arguments.of("response with float corr_id", msg(w -> w.mapHeader(4).str("type").str("response").str("corr_id").float64(1.0).str("ok").bool(true).str("result").str("x"))));
        cases.add(Arguments.of("event without value", msg(w -> w.mapHeader(3).str("type").str("process_event").str("process_id").str(PID).str("event").str("stdout"))));
        cases.add(Arguments.of("event with nil value", msg(w -> w.mapHeader(4).str("type").str("process_event").str("process_id").str(PID).str("event").str("stdout").str("value").nil())));
        cases.add(Arguments.of("event with integer value", msg(w -> w.mapHeader(4).str("type").str("process_event").str("process_id").str(PID).str("event").str("stdout").str("value").integer(3))));
        cases.add(Arguments.of("event with array process_id", msg(w -> w.mapHeader(4).str("type").str("process_event").str("process_id").arrayHeader(0).str("event").str("stdout").str("value").str("v"))));
        cases.add(Arguments.of("event of unknown kind", event(PID, "telepathy", "v")));
        cases.add(Arguments.of("value not UTF-8", msg(w -> w.mapHeader(4).str("type").str("process_event").str("process_id").str(PID).str("event").str("stdout").str("value").strHeader(3).raw(BAD_UTF8, 0, 3))));
        cases.add(Arguments.of("key not UTF-8", msg(w -> w.mapHeader(2).strHeader(3).raw(BAD_UTF8, 0, 3).integer(1).str("type").str("ping"))));
        cases.add(Arguments.of("str32 longer than the frame", msg(w -> w.mapHeader(4).str("type").str("process_event").str("process_id").str(PID).str("event").str("stdout").str("value").raw(new byte[] {(byte) 0xdb, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 'a', 'b'}, 0, 7))));
        cases.add(Arguments.of("bin32 longer than the frame", msg(w -> w.mapHeader(6).str("type").str("file").str("process_id").str(PID).str("file_hash").str("00").str("chunk_index").integer(0).str("total_chunks").integer(1).str("chunk_data").raw(new byte[] {(byte) 0xc6, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2}, 0, 7))));
        cases.add(Arguments.of("map32 with 2^31 entries declared", msg(w -> w.raw(new byte[] {(byte) 0xdf, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xa4, 't', 'y', 'p', 'e'}, 0, 10))));
        cases.add(Arguments.of("array32 with 2^32-1 elements under an unknown key", msg(w -> w.mapHeader(2).str("type").str("response").str("junk").raw(new byte[] {(byte) 0xdd, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, 0, 5))));
        cases.add(Arguments.of("file chunk with ext data", msg(w -> w.mapHeader(6).str("type").str("file").str("process_id").str(PID).str("file_hash").str("00").str("chunk_index").integer(0).str("total_chunks").integer(1).str("chunk_data").ext(1, new byte[] {1, 2, 3}))));
        cases.add(Arguments.of("file chunk with negative index", msg(w -> w.mapHeader(6).str("type").str("file").str("process_id").str(PID).str("file_hash").str("00").str("chunk_index").integer(-5).str("total_chunks").integer(1).str("chunk_data").bin(new byte[] {1}))));
        cases.add(Arguments.of("mcp_request without params", msg(w -> w.mapHeader(5).str("type").str("mcp_request").str("corr_id").integer(9).str("process_id").str(PID).str("server_name").str("s").str("method").str("m"))));
        cases.add(Arguments.of("reserved byte 0xc1", new byte[] {(byte) 0xc1}));
        cases.add(Arguments.of("truncated event", Arrays.copyOf(event(PID, "stdout", "truncated"), 20)));
        byte[] deep = new byte[200_000];
        Arrays.fill(deep, (byte) 0x91); // an array holding an array holding ... 200,000 deep
        cases.add(Arguments.of("200,000 nested arrays", msg(w -> w.mapHeader(2).str("type").str("response").str("x").raw(deep, 0, deep.length))));
        byte[] random = new byte[4096];
        new Random(5).nextBytes(random);
        cases.add(Arguments.of("4 KiB of random bytes", random));
        return cases.stream();
    }

    /** README's failures table: these two are logged at DEBUG (later engines may add them), the rest at WARNING. */
    private static final Map<String, String> AT_DEBUG = Map.of(
            "unknown type", "ignoring a message of unknown type surprise",
            "key not UTF-8", "ignoring a message of unknown type ping", // an unknown key is skipped, whatever its bytes
            "event of unknown kind", "ignoring an event of unknown kind telepathy");

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedMessageIsDroppedLoggedAndTrafficGoesOn(String name, byte[] bad) throws Exception {
        CompletableFuture<ProcessEvent> blocked = Await.blockedIn(process::recv);
        logs.clear();
        conn.sendBinary(bad);
        conn.sendBinary(event(PID, "stdout", "after " + name));
        assertThat(blocked.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(new ProcessEvent.Stdout("after " + name));
        client.ping();
        assertThat(client.isOpen()).isTrue();
        assertThat(process.tryRecv()).isEmpty();
        // The listener logged the drop before it routed the next event, so the record is there by now.
        List<LogCapture.Entry> logged = logs.entries().stream()
                .filter(e -> e.level().getSeverity() >= System.Logger.Level.DEBUG.getSeverity()).toList();
        if (AT_DEBUG.containsKey(name)) {
            assertThat(logged).singleElement().satisfies(e -> {
                assertThat(e.level()).isEqualTo(System.Logger.Level.DEBUG);
                assertThat(e.text()).isEqualTo(AT_DEBUG.get(name));
            });
        } else {
            assertThat(logged).singleElement().satisfies(e -> {
                assertThat(e.level()).isEqualTo(System.Logger.Level.WARNING);
                assertThat(e.text()).startsWith("dropping a message that does not decode ("
                        + java.text.NumberFormat.getIntegerInstance().format(bad.length) + " bytes): ");
            });
        }
    }

    @Test
    void responsesForUnknownAndAlreadyAnsweredCorrIdsAreDropped() throws Exception {
        client.ping();
        Map<String, Object> first = conn.nextRequest("ping", WAIT);
        long answered = (Long) first.get("corr_id");
        conn.sendMessage(new ServerMessage.Response(answered, false, "stale duplicate"));
        conn.sendMessage(new ServerMessage.Response(answered + 1000, false, "nobody asked"));
        conn.sendMessage(new ServerMessage.Response(0xFFFF_FFFFL, true, "max id"));
        // The next request gets its own answer, not one of the strays.
        client.ping();
        Map<String, Object> second = conn.nextRequest("ping", WAIT);
        assertThat((Long) second.get("corr_id")).isNotEqualTo(answered);
        client.ping();
    }

    @Test
    void eventsAfterTheTerminalEventAreDropped() {
        conn.sendBinary(event(PID, "stdout", "a"));
        conn.sendBinary(event(PID, "return", "done"));
        conn.sendBinary(event(PID, "stdout", "straggler"));
        conn.sendBinary(event(PID, "error", "Signal"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("a"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Return("done"));
        client.ping(); // the stragglers have been routed by now
        assertThatThrownBy(process::recv).isInstanceOf(PieException.class).hasMessageContaining("has ended");
    }

    @Test
    void eventsForUnknownProcessesAreKeptInABoundedBufferOldestDroppedFirst() {
        String unknown = RawFaultServer.processId(0xabc);
        for (int i = 0; i < 5000; i++) conn.sendBinary(event(unknown, "stdout", Integer.toString(i)));
        client.ping();
        PieProcess late = client.attachProcess(unknown);
        // orphanBufferSize is 1024: the first 5000 - 1024 were dropped, the rest come in order.
        for (int i = 5000 - 1024; i < 5000; i++) assertThat(late.recv()).isEqualTo(new ProcessEvent.Stdout(Integer.toString(i)));
        assertThat(late.tryRecv()).isEmpty();
    }

    @Test
    void brokenFileTransfersAreDroppedAndAGoodOneStillArrives() {
        byte[] file = new byte[3 * PieClient.CHUNK_SIZE - 100];
        new Random(3).nextBytes(file);
        String hash = PieClient.hashBlob(file);
        // Out of order: chunk 1 before chunk 0, then the rest.
        sendChunk(hash, file, 1, 3);
        sendChunk(hash, file, 0, 3);
        sendChunk(hash, file, 2, 3);
        // A total that changes half-way.
        sendChunk(hash, file, 0, 3);
        sendChunk(hash, file, 1, 2);
        // A hash that does not match the bytes.
        String wrong = PieClient.hashBlob(new byte[] {1});
        sendChunk(wrong, file, 0, 3);
        sendChunk(wrong, file, 1, 3);
        sendChunk(wrong, file, 2, 3);
        // A chunk index past the total.
        sendChunk(hash, file, 0, 1);
        // And a good one.
        for (int i = 0; i < 3; i++) sendChunk(hash, file, i, 3);
        conn.sendBinary(event(PID, "stdout", "end"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.File(file, "f.bin"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("end"));
        client.ping();
        // Each broken file was dropped whole and logged, at WARNING, saying why.
        assertThat(logs.at(System.Logger.Level.WARNING)).extracting(LogCapture.Entry::text).satisfiesExactly(
                t -> assertThat(t).isEqualTo("dropping file chunk 1 of " + hash + ": no download started at chunk 0"),
                t -> assertThat(t).isEqualTo("dropping file " + hash + " of process " + PID + ": expected chunk 1, got 2"),
                t -> assertThat(t).isEqualTo("dropping file " + hash + " of process " + PID + ": total_chunks changed from 3 to 2"),
                t -> assertThat(t).isEqualTo("dropping file of process " + PID + ": BLAKE3 " + hash + " does not match " + wrong),
                // one chunk claiming to be the whole file: its bytes are not the file the hash names
                t -> assertThat(t).startsWith("dropping file of process " + PID + ": BLAKE3 ").endsWith(" does not match " + hash));
    }

    @Test
    void aFileOverMaxFileBytesIsDroppedWholeAndLoggedAndTheNextOneArrives() {
        client.close();
        client = PieClient.builder().uri(server.uri()).requestTimeout(WAIT).maxFileBytes(1000).build();
        conn = server.nextConnection(WAIT);
        client.authenticate("alice");
        process = client.launchProcess("p@0.1.0", "{}");
        String pid = process.id(); // this connection's own
        byte[] over = new byte[1001];
        new Random(1).nextBytes(over);
        String overHash = PieClient.hashBlob(over);
        // Two chunks that fit on their own and not together: the file goes when the second would pass the cap.
        conn.sendMessage(new ServerMessage.FileChunk(pid, overHash, 0, 2, Arrays.copyOfRange(over, 0, 600), "big.bin"));
        conn.sendMessage(new ServerMessage.FileChunk(pid, overHash, 1, 2, Arrays.copyOfRange(over, 600, 1001), "big.bin"));
        byte[] fits = Arrays.copyOf(over, 1000);
        conn.sendMessage(new ServerMessage.FileChunk(pid, PieClient.hashBlob(fits), 0, 1, fits, "f.bin"));
        conn.sendBinary(event(pid, "stdout", "end"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.File(fits, "f.bin"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("end"));
        assertThat(logs.at(System.Logger.Level.WARNING)).extracting(LogCapture.Entry::text).containsExactly(
                "dropping file " + overHash + " of process " + pid + ": larger than maxFileBytes (1000)");
    }

    @Test
    void abandonedDownloadsDoNotAccumulate() {
        // A hostile engine starts many files and never finishes them. The protocol sends one file's chunks
        // back to back, so a new file abandons an unfinished one; the heap must not grow by 64 x 256 KiB.
        byte[] chunk = new byte[PieClient.CHUNK_SIZE];
        long before = Heap.usedAfterGc();
        for (int i = 0; i < 64; i++) {
            conn.sendMessage(new ServerMessage.FileChunk(PID, String.format("%064x", i), 0, 2, chunk, null));
        }
        client.ping();
        long growth = Heap.usedAfterGc() - before;
        assertThat(growth).as("heap growth after 64 unfinished 256 KiB downloads").isLessThan(4L << 20);
        byte[] file = {1, 2, 3};
        sendChunk(PieClient.hashBlob(file), file, 0, 1);
        assertThat(process.recv()).isEqualTo(new ProcessEvent.File(file, "f.bin"));
    }

    private void sendChunk(String hash, byte[] file, int index, int total) {
        int from = Math.min(file.length, index * PieClient.CHUNK_SIZE);
        int to = Math.min(file.length, from + PieClient.CHUNK_SIZE);
        conn.sendMessage(new ServerMessage.FileChunk(PID, hash, index, total, Arrays.copyOfRange(file, from, to), "f.bin"));
    }

    @Test
    void textMessagesAreIgnored() {
        conn.sendText("hello");
        conn.send(RawFaultServer.frame(false, RawFaultServer.OP_TEXT, "frag".getBytes(StandardCharsets.UTF_8)));
        conn.send(RawFaultServer.frame(true, RawFaultServer.OP_CONTINUATION, "mented".getBytes(StandardCharsets.UTF_8)));
        conn.sendBinary(event(PID, "stdout", "binary"));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("binary"));
        client.ping();
    }

    @Test
    void aOneMebibyteFrameArrivesWhole() {
        String big = "x".repeat(1 << 20);
        conn.sendBinary(event(PID, "stdout", big));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout(big));
        client.ping();
    }

    @Test
    void aMessageSplitAtEveryByteArrivesWhole() {
        byte[] whole = event(PID, "stdout", "split me anywhere");
        for (int cut = 0; cut <= whole.length; cut++) conn.sendFragmented(whole, cut);
        int[] everyByte = new int[whole.length - 1];
        for (int i = 0; i < everyByte.length; i++) everyByte[i] = i + 1;
        conn.sendFragmented(whole, everyByte);
        conn.sendFragmented(whole, 0, 0, 5, 5, whole.length, whole.length); // empty fragments too
        // Control frames may come between fragments (RFC 6455 §5.4).
        conn.send(RawFaultServer.frame(false, RawFaultServer.OP_BINARY, whole, 0, 10));
        conn.send(RawFaultServer.frame(true, RawFaultServer.OP_PING, new byte[] {1, 2}));
        conn.send(RawFaultServer.frame(true, RawFaultServer.OP_CONTINUATION, whole, 10, whole.length - 10));
        int expected = whole.length + 1 + 1 + 1 + 1;
        for (int i = 0; i < expected; i++) {
            assertThat(process.recv()).as("copy %d", i).isEqualTo(new ProcessEvent.Stdout("split me anywhere"));
        }
        byte[] big = event(PID, "stdout", "y".repeat(1 << 20));
        Random rnd = new Random(11);
        int[] cuts = rnd.ints(5, 0, big.length).sorted().toArray();
        conn.sendFragmented(big, cuts);
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("y".repeat(1 << 20)));
        client.ping();
    }

    @Test
    void aMessageOverMaxMessageBytesFailsTheConnection() throws Exception {
        CompletableFuture<ProcessEvent> blocked = Await.blockedIn(process::recv);
        byte[] tooBig = event(PID, "stdout", "z".repeat((1 << 21) + 1));
        int[] cuts = {1 << 19, 1 << 20, 3 << 19}; // over the cap only in the last fragment
        long t0 = System.nanoTime();
        conn.sendFragmented(tooBig, cuts);
        assertThatThrownBy(() -> blocked.get(1, TimeUnit.SECONDS)).cause()
                .isInstanceOf(PieConnectionException.class).hasMessageContaining("maxMessageBytes");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(client::ping).isInstanceOf(PieConnectionException.class).hasMessageContaining("maxMessageBytes");
    }

    static Stream<Arguments> brokenFraming() {
        return Stream.of(
                Arguments.of("reserved opcode 0x3", RawFaultServer.frame(true, 0x3, new byte[] {1})),
                Arguments.of("RSV1 set without an extension", new byte[] {(byte) 0xC2, 0x01, 0x00}),
                Arguments.of("masked frame from the server", new byte[] {(byte) 0x82, (byte) 0x81, 1, 2, 3, 4, 5}),
                Arguments.of("continuation without a start", RawFaultServer.frame(true, RawFaultServer.OP_CONTINUATION, new byte[] {1})),
                Arguments.of("fragmented ping", RawFaultServer.frame(false, RawFaultServer.OP_PING, new byte[] {1})),
                Arguments.of("ping longer than 125 bytes", RawFaultServer.frame(true, RawFaultServer.OP_PING, new byte[200])),
                Arguments.of("binary frame inside a fragmented message", concat(
                        RawFaultServer.frame(false, RawFaultServer.OP_BINARY, new byte[] {1}),
                        RawFaultServer.frame(true, RawFaultServer.OP_BINARY, new byte[] {2}))),
                Arguments.of("64-bit length with the top bit set", new byte[] {(byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1}),
                Arguments.of("HTTP text instead of frames", "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFraming")
    void brokenFramingFailsTheConnectionCleanly(String name, byte[] garbage) throws Exception {
        conn.sendBinary(event(PID, "stdout", "before"));
        client.ping();
        assertThat(conn.nextRequest("ping", WAIT)).isNotNull();
        server.answerOnly(); // the next ping stays unanswered: it must fail with the connection
        CompletableFuture<Void> pendingPing = Await.blockedIn(() -> {
            client.ping();
            return null;
        });
        assertThat(conn.nextRequest("ping", WAIT)).isNotNull();
        long t0 = System.nanoTime();
        conn.send(garbage);
        assertThatThrownBy(() -> pendingPing.get(2, TimeUnit.SECONDS)).cause()
                .isInstanceOf(PieConnectionException.class).hasMessageContaining("connection lost");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(process.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        assertThatThrownBy(process::recv).isInstanceOf(PieConnectionException.class);
        assertThat(client.isOpen()).isFalse();
    }
}
