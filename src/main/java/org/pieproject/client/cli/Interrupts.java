package org.pieproject.client.cli;

/**
 * Where a command that streams a process registers what Ctrl-C should do (detach and say how to reattach).
 * The real command line uses JVM shutdown hooks, which SIGINT runs; tests fire the action themselves.
 */
interface Interrupts {

    /** Registers {@code action} to run on Ctrl-C until the returned registration is closed. */
    Registration onInterrupt(Runnable action);

    /** Ends a registration; closing it twice, or while the JVM is already shutting down, is harmless. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Ctrl-C as SIGINT: the JVM runs its shutdown hooks, then exits. */
    static Interrupts shutdownHooks() {
        return action -> {
            Thread hook = new Thread(action, "pie-client-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
            return () -> {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run: nothing left to undo.
                }
            };
        };
    }
}
