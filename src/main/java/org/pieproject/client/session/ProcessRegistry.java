package org.pieproject.client.session;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.WorkflowEvent;

/**
 * The event queues of this connection's processes, by canonical process id, and a small buffer for events
 * whose process has no queue yet (they can precede it, protocol.md §6.10; workflow children are never
 * announced at all). The buffer is bounded: when it is full the oldest orphan is dropped. While a
 * workflow handle is open, events of unknown processes go to the workflow stream instead, since that is
 * the only way the engine delivers a workflow's children (protocol.md §7.4).
 */
public final class ProcessRegistry {
    private static final System.Logger LOG = System.getLogger(ProcessRegistry.class.getName());
    private static final int RECENTLY_ENDED = 4096;

    private record Orphan(String processId, ProcessEvent event) {}

    private final int queueCapacity;
    private final int orphanCapacity;
    private final Map<String, ProcessQueue> queues = new ConcurrentHashMap<>();
    // Guards orphans, ended, and the moment a queue appears, so no event slips between buffer and queue.
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Orphan> orphans = new ArrayDeque<>();
    private final Map<String, Boolean> ended = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENTLY_ENDED;
        }
    };
    private PieException closedCause;
    private final LinkedBlockingQueue<WorkflowEvent> workflowEvents;
    private final AtomicInteger workflowHandles = new AtomicInteger();
    private static final WorkflowEvent END = new WorkflowEvent("", new ProcessEvent.Error(""));

    /**
     * Creates an empty registry.
     *
     * @param queueCapacity  unread events one process may have waiting
     * @param orphanCapacity events kept for processes that have no queue yet
     */
    public ProcessRegistry(int queueCapacity, int orphanCapacity) {
        this.queueCapacity = queueCapacity;
        this.orphanCapacity = orphanCapacity;
        this.workflowEvents = new LinkedBlockingQueue<>(queueCapacity);
    }

    /**
     * A workflow handle opened (+1) or closed (-1): while any is open, unknown processes' events are theirs.
     *
     * @param delta +1 or -1
     */
    public void workflowHandles(int delta) {
        workflowHandles.addAndGet(delta);
    }

    /**
     * The next event of a workflow child, waiting up to {@code timeoutNanos}; null on timeout.
     *
     * @param timeoutNanos how long to wait
     * @return the event, or null on timeout
     * @throws InterruptedException if the reader is interrupted
     * @throws PieConnectionException once the connection is gone and the events that came before are taken
     */
    public WorkflowEvent pollWorkflowEvent(long timeoutNanos) throws InterruptedException {
        WorkflowEvent e = workflowEvents.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        if (e == END) {
            workflowEvents.offer(END); // for the next reader
            PieException cause;
            lock.lock();
            try {
                cause = closedCause;
            } finally {
                lock.unlock();
            }
            throw new PieConnectionException("workflow events: " + cause.getMessage(), cause);
        }
        return e;
    }

    /**
     * Returns the queue for {@code processId}, creating it (with any orphans already received for it, in
     * order) when there is none.
     *
     * @param processId the canonical process id
     * @return its queue
     */
    public ProcessQueue open(String processId) {
        ProcessQueue q = queues.get(processId);
        if (q != null) return q;
        lock.lock();
        try {
            q = queues.get(processId);
            if (q != null) return q;
            q = new ProcessQueue(processId, queueCapacity);
            ended.remove(processId);
            for (Iterator<Orphan> it = orphans.iterator(); it.hasNext(); ) {
                Orphan o = it.next();
                if (o.processId.equals(processId)) {
                    it.remove();
                    deliver(q, o.event);
                }
            }
            if (closedCause != null) q.close(closedCause);
            else if (!q.ended()) queues.put(processId, q);
            return q;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The queue of a process, or null.
     *
     * @param processId the canonical process id
     * @return the queue, or null
     */
    public ProcessQueue get(String processId) {
        return queues.get(processId);
    }

    /**
     * Stops routing events to a process (after a failed attach); its later events become orphans.
     *
     * @param processId the canonical process id
     */
    public void forget(String processId) {
        queues.remove(processId);
    }

    /**
     * The handle of a process is closed: its later events are dropped, not kept as orphans.
     *
     * @param processId the canonical process id
     */
    public void release(String processId) {
        lock.lock();
        try {
            if (queues.remove(processId) != null) ended.put(processId, Boolean.TRUE);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends one process's stream although the engine sent no terminal event (a gateway aborted it, or it could
     * not be re-attached after a reconnect): its reader gets what had arrived, then {@code cause}; later
     * events of it are dropped.
     *
     * @param processId the canonical process id
     * @param cause     what the reader gets at the end
     * @return false if the process had no open stream
     */
    public boolean end(String processId, PieException cause) {
        ProcessQueue q;
        lock.lock();
        try {
            q = queues.remove(processId);
            ended.put(processId, Boolean.TRUE);
        } finally {
            lock.unlock();
        }
        if (q == null) return false;
        q.close(cause);
        return true;
    }

    /**
     * Routes one event from the engine. Listener thread only.
     *
     * @param processId the process the engine named
     * @param event     its event
     */
    public void route(String processId, ProcessEvent event) {
        ProcessQueue q = queues.get(processId);
        if (q != null) {
            deliver(q, event);
            return;
        }
        lock.lock();
        try {
            q = queues.get(processId);
            if (q != null) {
                deliver(q, event);
            } else if (ended.containsKey(processId)) {
                LOG.log(System.Logger.Level.DEBUG, "dropping an event for process {0} after its end", processId);
            } else if (workflowHandles.get() > 0) {
                if (!workflowEvents.offer(new WorkflowEvent(processId, event))) {
                    LOG.log(System.Logger.Level.WARNING, "workflow events not read in time; dropping one of {0}", processId);
                }
            } else {
                if (orphans.size() >= orphanCapacity) {
                    Orphan old = orphans.pollFirst();
                    LOG.log(System.Logger.Level.DEBUG, "orphan buffer full; dropping an event of process {0}",
                            old.processId);
                }
                orphans.addLast(new Orphan(processId, event));
            }
        } finally {
            lock.unlock();
        }
    }

    private void deliver(ProcessQueue q, ProcessEvent event) {
        if (!q.offer(event)) {
            LOG.log(System.Logger.Level.DEBUG, "dropped an event of process {0} (ended or not read in time)",
                    q.processId());
        }
        if (event.isTerminal() && queues.remove(q.processId(), q)) {
            lock.lock();
            try {
                ended.put(q.processId(), Boolean.TRUE);
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The processes that have an open queue: the ones to re-attach when a connection comes back.
     *
     * @return their canonical ids
     */
    public List<String> openIds() {
        return List.copyOf(queues.keySet());
    }

    /**
     * The connection is gone: every queue ends after what it holds, and so does every later one.
     *
     * @param cause why the connection ended
     */
    public void closeAll(PieException cause) {
        lock.lock();
        try {
            closedCause = cause;
            orphans.clear();
        } finally {
            lock.unlock();
        }
        for (ProcessQueue q : queues.values()) q.close(cause);
        queues.clear();
        // Make room for the end marker: a reader must learn of the loss even behind a full queue.
        if (!workflowEvents.offer(END)) {
            workflowEvents.poll();
            workflowEvents.offer(END);
        }
    }

    /**
     * How many processes have a queue, for {@code toString()} and tests.
     *
     * @return the number of queues
     */
    public int openQueues() {
        return queues.size();
    }

    /**
     * How many events wait for a handle, for tests.
     *
     * @return the number of orphaned events
     */
    public int orphanCount() {
        lock.lock();
        try {
            return orphans.size();
        } finally {
            lock.unlock();
        }
    }
}
