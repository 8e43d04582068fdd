// Soak benchmark: one client reads N small stdout events (default 10,000,000) of one process, streamed by
// the raw fault server from the test sources (a pre-built frame written over and over, so the server
// costs little), while pings keep being answered. Prints events/s, the peak heap used (sampled every
// 10 ms; it includes garbage not yet collected) and the live heap after a full GC at the end.
// Run with scripts/soak [events].
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.faults.RawFaultServer;
import org.pieproject.client.wire.ServerMessage;

public class Soak {
    /**
     * The server writes far faster than one thread reads, so the queue runs full whatever its size; with the
     * default (100,000) a GC pause can put the reader behind by that much and events are dropped. A larger
     * cap keeps the soak lossless; what it costs shows in the peak heap.
     */
    private static final int QUEUE = 1_000_000;

    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (RawFaultServer server = RawFaultServer.start();
             PieClient client = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMinutes(2))
                     .maxQueuedEvents(QUEUE).build()) {
            RawFaultServer.Conn conn = server.nextConnection(Duration.ofSeconds(10));
            client.authenticate("soak");
            PieProcess process = client.launchProcess("soak@0.1.0", "{}");
            byte[] frame = RawFaultServer.binaryFrame(
                    new ServerMessage.ProcessEvent(process.id(), "stdout", "0123456789abcdef").encode());
            System.gc();
            long liveBefore = memory.getHeapMemoryUsage().getUsed();
            peak.set(liveBefore);

            long t0 = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                conn.sendRepeated(frame, events);
                conn.sendMessage(new ServerMessage.ProcessEvent(process.id(), "return", "done"));
            }, Thread::startVirtualThread);
            CompletableFuture<Long> pinger = CompletableFuture.supplyAsync(() -> {
                long pings = 0;
                while (!writer.isDone()) {
                    client.ping();
                    pings++;
                }
                return pings;
            }, Thread::startVirtualThread);
            long seen = 0;
            long reportEvery = Math.max(1, events / 10);
            while (!(process.recv() instanceof ProcessEvent.Return)) {
                if (++seen % reportEvery == 0) {
                    System.out.printf("  %,d events, %,.0f events/s so far%n", seen, seen / ((System.nanoTime() - t0) / 1e9));
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            writer.join();
            long pings = pinger.join();
            if (seen != events) throw new IllegalStateException("expected " + events + " events, got " + seen);
            System.gc();
            long liveAfter = memory.getHeapMemoryUsage().getUsed();
            System.out.printf("queue   : maxQueuedEvents %,d%n", QUEUE);
            System.out.printf("soak    : %,d stdout events of 16 bytes through one client in %.1f s = %,.0f events/s"
                    + " (%,d pings answered meanwhile)%n", seen, secs, seen / secs, pings);
            System.out.printf("heap    : peak used %.0f MB (sampled, garbage included; -Xmx %.0f MB); live after GC"
                    + " %.1f MB before, %.1f MB after%n", peak.get() / 1e6, memory.getHeapMemoryUsage().getMax() / 1e6,
                    liveBefore / 1e6, liveAfter / 1e6);
        } finally {
            sampler.interrupt();
        }
    }
}
