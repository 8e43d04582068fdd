package org.pieproject.client.faults;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap measurements for bounded-memory assertions. */
public final class Heap {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private Heap() {
    }

    /**
     * Used heap after full collections: the smallest of a few readings, since one System.gc() may leave
     * some garbage (reference processing, a concurrent cycle still finishing).
     */
    public static long usedAfterGc() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            min = Math.min(min, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return min;
    }
}
