package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.faults.Heap;

/**
 * README's memory figures ("an idle process handle's queue costs about 570 bytes; a queued 16-byte stdout
 * event about 77 bytes"), measured as heap after full collections over many of each, so that one stray
 * allocation elsewhere is noise. The bounds are generous (about twice the figures) so that a loaded machine
 * does not fail them, yet a queue that preallocates its capacity, or an event that keeps a copy of its
 * frame, does. The figures are printed to the test's output.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MemoryFootprintTest {
    private static final int HANDLES = 20_000, EVENTS = 200_000;

    @Test
    void anIdleProcessQueueCostsUnderAKibibyte() {
        ProcessRegistry registry = new ProcessRegistry(1_000_000, 1024); // the default maxQueuedEvents
        List<String> ids = new ArrayList<>(HANDLES);
        for (int i = 0; i < HANDLES; i++) ids.add(String.format("00000000-0000-4000-8000-%012x", i));
        List<ProcessQueue> queues = new ArrayList<>(HANDLES);
        long before = Heap.usedAfterGc();
        for (String id : ids) queues.add(registry.open(id));
        long perHandle = (Heap.usedAfterGc() - before) / HANDLES;
        System.out.printf(Locale.ROOT, "memory: an idle process queue costs %d bytes%n", perHandle);
        assertThat(queues).hasSize(HANDLES);
        assertThat(registry.openQueues()).isEqualTo(HANDLES);
        assertThat(perHandle).as("bytes per idle process queue").isPositive().isLessThan(1024);
    }

    @Test
    void aQueued16ByteStdoutEventCostsUnder160Bytes() throws Exception {
        ProcessRegistry registry = new ProcessRegistry(EVENTS + 1, 1024);
        String id = "00000000-0000-4000-8000-000000000001";
        ProcessQueue q = registry.open(id);
        long before = Heap.usedAfterGc();
        for (int i = 0; i < EVENTS; i++) registry.route(id, new ProcessEvent.Stdout(String.format("%016d", i)));
        long perEvent = (Heap.usedAfterGc() - before) / EVENTS;
        System.out.printf(Locale.ROOT, "memory: a queued 16-byte stdout event costs %d bytes%n", perEvent);
        assertThat(perEvent).as("bytes per queued 16-byte stdout event").isPositive().isLessThan(160);
        // Every event really was kept (a queue that dropped them would look cheap).
        for (int i = 0; i < EVENTS; i++) assertThat(q.poll(0)).isEqualTo(new ProcessEvent.Stdout(String.format("%016d", i)));
    }
}
