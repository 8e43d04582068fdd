package org.pieproject.client.mcp;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ends the child processes the bridge started: politely on request, and at JVM exit any that are still
 * alive, so a forgotten {@code close()} does not leave MCP servers running after the application.
 */
final class ChildReaper {

    private static final System.Logger LOG = System.getLogger(ChildReaper.class.getName());
    static final Duration GRACE = Duration.ofSeconds(1);

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOK_ADDED = new AtomicBoolean();

    private ChildReaper() {}

    /** Remembers a started child until it exits; the first call installs the JVM shutdown hook. */
    static void track(Process process) {
        if (HOOK_ADDED.compareAndSet(false, true)) {
            try {
                Runtime.getRuntime().addShutdownHook(
                        Thread.ofPlatform().name("pie-mcp-reaper").unstarted(ChildReaper::reapAtExit));
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: no hook will run, so this child goes now.
                process.destroyForcibly();
                return;
            }
        }
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
    }

    /**
     * Ends one child the way the official clients do: after its stdin was closed, wait up to 1 s for it to
     * leave on its own, then SIGTERM, wait 1 s, then SIGKILL. Processes it had started itself (a wrapper
     * such as {@code npx} or {@code sh -c}) get the same treatment, so they are not left behind as orphans.
     *
     * @param descendants the child's descendants, captured before its stdin was closed (they are
     *                    re-parented, and so no longer findable, once the child exits)
     */
    static void stop(Process process, List<ProcessHandle> descendants) {
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroy();
                descendants.forEach(ProcessHandle::destroy);
                if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.DEBUG, "MCP server process {0} ignored SIGTERM; killing it",
                            process.pid());
                    process.destroyForcibly();
                }
            }
            endLeftovers(descendants);
            process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private static void endLeftovers(List<ProcessHandle> descendants) throws InterruptedException {
        List<ProcessHandle> alive = descendants.stream().filter(ProcessHandle::isAlive).toList();
        if (alive.isEmpty()) {
            return;
        }
        alive.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (ProcessHandle handle : alive) {
            long left = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
    }

    /** Runs in the shutdown hook: no stdin courtesy, just SIGTERM, a short wait, then SIGKILL. */
    private static void reapAtExit() {
        List<Process> alive = List.copyOf(LIVE);
        if (alive.isEmpty()) {
            return;
        }
        List<ProcessHandle> descendants = alive.stream().flatMap(Process::descendants).toList();
        alive.forEach(Process::destroy);
        descendants.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (Process process : alive) {
            try {
                long left = deadline - System.nanoTime();
                if (!process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
