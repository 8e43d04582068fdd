package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.wire.ServerMessage;

/**
 * One process floods 1,000,000 events that nobody reads while another process on the same connection keeps
 * streaming and pings keep being answered. The flooded queue stops at maxQueuedEvents, so the heap stays
 * bounded, and its reader, when it finally reads, gets what was kept and then learns of the drop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowConsumerTest {
    private static final int FLOOD = 1_000_000;
    private static final int KEPT = 10_000;
    private static final int OTHER = 1_000;
    private static final String VALUE = "v".repeat(100);

    @Test
    void anUnreadProcessCannotGrowMemoryOrStallItsNeighbours() throws Exception {
        try (RawFaultServer server = RawFaultServer.start();
             PieClient client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(10))
                     .maxQueuedEvents(KEPT).build()) {
            RawFaultServer.Conn conn = server.nextConnection(Duration.ofSeconds(5));
            client.authenticate("alice");
            PieProcess flooded = client.launchProcess("flood@0.1.0", "{}");
            PieProcess busy = client.launchProcess("busy@0.1.0", "{}");
            byte[] floodFrame = RawFaultServer.binaryFrame(new ServerMessage.ProcessEvent(flooded.id(), "stdout", VALUE).encode());
            long before = Heap.usedAfterGc();

            long t0 = System.nanoTime();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < OTHER; i++) {
                    conn.sendRepeated(floodFrame, FLOOD / OTHER);
                    conn.sendMessage(new ServerMessage.ProcessEvent(busy.id(), "stdout", Integer.toString(i)));
                }
                conn.sendMessage(new ServerMessage.ProcessEvent(flooded.id(), "return", "flood over"));
                conn.sendMessage(new ServerMessage.ProcessEvent(busy.id(), "return", "busy over"));
            }, Thread::startVirtualThread);

            // The neighbour is read while the flood runs: every one of its events arrives, in order, and
            // pings are answered in between.
            for (int i = 0; i < OTHER; i++) {
                assertThat(busy.recv(Duration.ofSeconds(10))).contains(new ProcessEvent.Stdout(Integer.toString(i)));
                if (i % 100 == 0) client.ping();
            }
            assertThat(busy.recv()).isEqualTo(new ProcessEvent.Return("busy over"));
            flood.get(30, TimeUnit.SECONDS);
            client.ping(); // everything sent before this answer has been routed
            double seconds = (System.nanoTime() - t0) / 1e9;

            long growth = Heap.usedAfterGc() - before;
            // What is kept: KEPT events of ~100 characters, each a record, a String and its byte[] (~180 B
            // with headers), ~2 MB in all. Keeping all 1,000,000 would take over 150 MB. 24 MB leaves room
            // for JIT and GC noise while still failing on any growth proportional to the flood.
            assertThat(growth).as("heap growth while %,d events were not read", FLOOD).isLessThan(24L << 20);
            System.out.printf("slow consumer: %,d events flooded in %.1f s, heap growth %.1f MB%n",
                    FLOOD, seconds, growth / 1e6);

            int read = 0;
            PieException end = null;
            try {
                while (true) {
                    assertThat(flooded.recv()).isEqualTo(new ProcessEvent.Stdout(VALUE));
                    read++;
                }
            } catch (PieException e) {
                end = e;
            }
            assertThat(read).isEqualTo(KEPT);
            assertThat(end).hasMessageContaining("dropped").hasMessageContaining(flooded.id());
            assertThatThrownBy(flooded::recv).isInstanceOf(PieException.class).hasMessageContaining("dropped");
        }
    }
}
