package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.testsupport.Await;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessRegistryTest {

    private static final String A = "00000000-0000-4000-8000-00000000000a";
    private static final String B = "00000000-0000-4000-8000-00000000000b";

    @Test
    void eventsBeforeTheQueueAreReplayedInOrderWhenItOpens() throws Exception {
        ProcessRegistry r = new ProcessRegistry(100, 10);
        r.route(A, new ProcessEvent.Stdout("1"));
        r.route(B, new ProcessEvent.Stdout("other"));
        r.route(A, new ProcessEvent.Stdout("2"));
        ProcessQueue q = r.open(A);
        r.route(A, new ProcessEvent.Return("3"));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("1"));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("2"));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Return("3"));
        assertThat(r.orphanCount()).isEqualTo(1);
    }

    @Test
    void orphanBufferIsBoundedAndDropsTheOldest() throws Exception {
        ProcessRegistry r = new ProcessRegistry(100, 3);
        for (int i = 0; i < 10; i++) r.route(A, new ProcessEvent.Stdout(Integer.toString(i)));
        assertThat(r.orphanCount()).isEqualTo(3);
        ProcessQueue q = r.open(A);
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("7"));
    }

    @Test
    void afterTheTerminalEventTheStreamEndsAndStragglersAreDropped() throws Exception {
        ProcessRegistry r = new ProcessRegistry(100, 10);
        ProcessQueue q = r.open(A);
        r.route(A, new ProcessEvent.Error("Signal"));
        r.route(A, new ProcessEvent.Stdout("late"));
        r.route(A, new ProcessEvent.Return("late too"));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Error("Signal"));
        assertThatThrownBy(() -> q.poll(-1)).isInstanceOf(PieException.class).hasMessageContaining("has ended");
        assertThat(r.orphanCount()).as("stragglers of an ended process are not orphans").isZero();
        assertThat(r.openQueues()).isZero();
    }

    @Test
    void anOverflowingQueueDropsAndSaysSoAfterWhatItKept() throws Exception {
        ProcessRegistry r = new ProcessRegistry(5, 10);
        ProcessQueue q = r.open(A);
        for (int i = 0; i < 1000; i++) r.route(A, new ProcessEvent.Stdout("x"));
        for (int i = 0; i < 5; i++) assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("x"));
        assertThatThrownBy(() -> q.poll(-1)).isInstanceOf(PieException.class)
                .hasMessageContaining("995 events were dropped");
    }

    @Test
    void closingWakesABlockedReaderAfterTheEventsItHolds() throws Exception {
        ProcessRegistry r = new ProcessRegistry(100, 10);
        ProcessQueue q = r.open(A);
        ProcessQueue holding = r.open(B);
        r.route(A, new ProcessEvent.Stdout("read"));
        assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout("read"));
        r.route(B, new ProcessEvent.Stdout("kept"));
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                outcome.set(q.poll(-1));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        // Close only once the reader is really blocked in poll, not merely started.
        Await.until("the reader parked", () -> q.parkedReaders() == 1);
        Await.parked(reader);
        r.closeAll(new PieConnectionException("gone"));
        assertThat(reader.join(java.time.Duration.ofSeconds(2))).as("blocked reader released").isTrue();
        assertThat(outcome.get()).isInstanceOfSatisfying(PieConnectionException.class,
                e -> assertThat(e).hasMessageContaining("gone"));
        // A queue holding events gives them first, then the error.
        assertThat(holding.poll(-1)).isEqualTo(new ProcessEvent.Stdout("kept"));
        assertThatThrownBy(() -> holding.poll(-1)).isInstanceOf(PieConnectionException.class).hasMessageContaining("gone");
        ProcessQueue late = r.open("00000000-0000-4000-8000-00000000000c");
        assertThatThrownBy(() -> late.poll(-1)).as("a queue opened after the loss is closed at once")
                .isInstanceOf(PieConnectionException.class);
    }
}
