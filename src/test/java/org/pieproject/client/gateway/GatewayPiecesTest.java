package org.pieproject.client.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.PieRequestException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.session.PendingRequests;
import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.session.ProcessRegistry;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/** The gateway's control frames, the attribution of its error frames, and the SSE reader, piece by piece. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GatewayPiecesTest {
    private static final String PID_A = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String PID_B = "bbbbbbbb-0000-4000-8000-000000000002";

    private final PendingRequests pending = new PendingRequests();
    private final ProcessRegistry processes = new ProcessRegistry(100, 10);
    private final AtomicInteger listings = new AtomicInteger();
    private volatile List<String> live = List.of();
    private final GatewayTurns turns = new GatewayTurns(pending, processes, () -> {
        listings.incrementAndGet();
        return live;
    });

    private CompletableFuture<Response> request(String op, ClientMessage.Request m) {
        CompletableFuture<Response> f = new CompletableFuture<>();
        long id = pending.register(new PendingRequests.Pending(f, null));
        turns.opened(id, op, m.withCorrId(id));
        return f;
    }

    private ProcessQueue stream(String pid) {
        CompletableFuture<Response> f = new CompletableFuture<>();
        long id = pending.register(new PendingRequests.Pending(f, null));
        turns.opened(id, "launch_process", new ClientMessage.LaunchProcess(id, "p@1.0.0", "{}", true, null));
        ProcessQueue q = processes.open(pid);
        Response r = new Response(id, true, pid);
        pending.complete(r);
        turns.answered(r, s -> s);
        return q;
    }

    @Test
    void controlFramesAreReadAndAnythingElseIsKeptApart() {
        assertThat(ControlFrame.parse("{\"type\":\"turn_done\"}")).isEqualTo(new ControlFrame.TurnDone());
        assertThat(ControlFrame.parse("{\"type\":\"error\",\"message\":\"stream aborted\"}"))
                .isEqualTo(new ControlFrame.Error("stream aborted"));
        assertThat(ControlFrame.parse("{\"type\":\"error\"}")).isEqualTo(new ControlFrame.Error(""));
        assertThat(ControlFrame.parse("cancel")).isInstanceOf(ControlFrame.Unknown.class);
        assertThat(ControlFrame.parse("{\"type\":\"new_thing\"}")).isInstanceOf(ControlFrame.Unknown.class);
        assertThat(ControlFrame.parse("[1,2")).isInstanceOf(ControlFrame.Unknown.class);
    }

    @Test
    void anErrorThatIsNotAnAbortFailsTheOldestWaitingRequest() {
        CompletableFuture<Response> first = request("ping", new ClientMessage.Ping(0));
        CompletableFuture<Response> second = request("list_processes", new ClientMessage.ListProcesses(0));
        turns.control(new ControlFrame.Error("bad client frame: missing field `corr_id`"));
        assertThat(first).isCompletedExceptionally();
        assertThatThrownBy(first::join).hasCauseInstanceOf(PieRequestException.class)
                .hasMessageContaining("ping failed: bad client frame");
        assertThat(second).isNotDone();
    }

    @Test
    void anAbortEndsTheOnlyStreamEvenWhileARequestWaits() throws InterruptedException {
        ProcessQueue q = stream(PID_A);
        processes.route(PID_A, new ProcessEvent.Stdout("kept"));
        CompletableFuture<Response> ping = request("ping", new ClientMessage.Ping(0));
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("kept"));
        assertThatThrownBy(() -> q.poll(0)).isInstanceOf(PieConnectionException.class).hasMessageContaining("stream aborted");
        assertThat(ping).isNotDone();
        assertThat(listings).hasValue(0);
    }

    @Test
    void anAbortAmongSeveralStreamsEndsTheOnesTheGatewayNoLongerLists() throws InterruptedException {
        ProcessQueue a = stream(PID_A);
        ProcessQueue b = stream(PID_B);
        live = List.of(PID_A);
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        assertThatThrownBy(() -> b.poll(TimeUnit.SECONDS.toNanos(10))).isInstanceOf(PieConnectionException.class);
        assertThat(a.poll(0)).isNull(); // still open
        assertThat(listings).hasValue(1);
    }

    @Test
    void anAbortNobodyCanPlaceStillEndsTheOldestStream() throws InterruptedException {
        ProcessQueue a = stream(PID_A);
        ProcessQueue b = stream(PID_B);
        live = List.of(PID_A, PID_B);
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        assertThatThrownBy(() -> a.poll(TimeUnit.SECONDS.toNanos(10))).isInstanceOf(PieConnectionException.class);
        assertThat(b.poll(0)).isNull(); // still open
    }

    @Test
    void aStreamWhoseHandleWasClosedCanStillBeTheAbortedOne() throws InterruptedException {
        stream(PID_A);
        ProcessQueue b = stream(PID_B);
        processes.release(PID_A); // the caller closed A's handle; its process still runs on the gateway
        live = List.of(PID_B);
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        // Had A been left out, B would be the only candidate and end here and now.
        assertThat(b.poll(0)).isNull();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (listings.get() == 0 && System.nanoTime() - deadline < 0) Thread.onSpinWait();
        assertThat(listings).as("the gateway was asked which stream it was").hasValue(1);
    }

    @Test
    void aFinishedStreamIsNoLongerACandidate() throws InterruptedException {
        ProcessQueue a = stream(PID_A);
        ProcessQueue b = stream(PID_B);
        processes.route(PID_A, new ProcessEvent.Return("done"));
        turns.ended(PID_A);
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        assertThatThrownBy(() -> b.poll(0)).isInstanceOf(PieConnectionException.class);
        assertThat(a.poll(0)).isEqualTo(new ProcessEvent.Return("done"));
        assertThat(listings).hasValue(0);
    }

    @Test
    void cancelEndsEverythingAndSwallowsOneAbortPerTurn() throws InterruptedException {
        ProcessQueue a = stream(PID_A);
        CompletableFuture<Response> ping = request("ping", new ClientMessage.Ping(0));
        // A refused launch: the gateway keeps its turn open, so a cancel aborts it too.
        CompletableFuture<Response> refused = request("launch_process", new ClientMessage.LaunchProcess(0, "x@1.0.0", "{}", true, null));
        Response no = new Response(lastId(), false, "Failed to download");
        pending.complete(no);
        turns.answered(no, s -> s);
        AtomicInteger sent = new AtomicInteger();
        turns.cancel(sent::incrementAndGet);
        assertThat(sent).hasValue(1);
        assertThat(ping).isCompletedExceptionally();
        assertThatThrownBy(() -> a.poll(0)).isInstanceOf(PieException.class).hasMessageContaining("cancelled");
        assertThat(refused.join().ok()).isFalse();
        CompletableFuture<Response> after = request("ping", new ClientMessage.Ping(0));
        for (int i = 0; i < 3; i++) turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED));
        assertThat(after).isNotDone();
        turns.control(new ControlFrame.Error(ControlFrame.STREAM_ABORTED)); // one more than the cancel explains
        assertThat(after).isCompletedExceptionally();
    }

    private long lastId() {
        long id = pending.register(new PendingRequests.Pending(new CompletableFuture<>(), null));
        pending.remove(id);
        return id - 1;
    }

    @Test
    void sseEventsAreSplitOnAnyLineEndWithCommentsAndMultiLineData() throws IOException {
        String stream = ": keep-alive\r\n\r\ndata: one\n\ndata:two\rdata: lines\r\r"
                + "event: error\ndata: stream aborted\n\nid: 7\n\ndata: cut off";
        SseReader r = new SseReader(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)), 1024);
        List<SseReader.Event> events = new ArrayList<>();
        for (SseReader.Event e; (e = r.next()) != null; ) events.add(e);
        assertThat(events).containsExactly(new SseReader.Event("message", "one"),
                new SseReader.Event("message", "two\nlines"), new SseReader.Event("error", "stream aborted"));
    }

    @Test
    void anOverlongSseEventIsAClearErrorNotAnUnboundedBuffer() {
        String big = "data: " + "x".repeat(5000) + "\n\n";
        SseReader r = new SseReader(new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)), 1024);
        assertThatThrownBy(r::next).isInstanceOf(PieException.class).hasMessageContaining("longer than 1024");
    }

    @Test
    void theVocabularyIsTheTwelveMessagesOfDev() {
        assertThat(GatewayVocabulary.accepts("launch_process")).isTrue();
        assertThat(GatewayVocabulary.accepts("launch_processes")).isFalse();
        assertThat(GatewayVocabulary.accepts("auth_by_token")).isFalse();
        assertThat(GatewayVocabulary.refusal("launch_daemon")).contains("gateway").contains("launch_daemon");
    }
}
