package org.pieproject.client.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Runs the command line in-process with captured output, a chosen home directory and stdin. */
final class CliRun {
    final Path home;
    final TestInterrupts interrupts = new TestInterrupts();
    String stdin = "";
    private WatchedWriter out = new WatchedWriter();
    private WatchedWriter err = new WatchedWriter();

    CliRun(Path home) {
        this.home = home;
    }

    /** Runs one command line and returns its exit code; {@link #out()} and {@link #err()} hold what it wrote. */
    int run(String... args) {
        return execute(fresh(), args);
    }

    /** Starts a command line on another thread; its output is visible through this object at once. */
    CompletableFuture<Integer> runAsync(String... args) {
        CliEnvironment env = fresh();
        return CompletableFuture.supplyAsync(() -> execute(env, args));
    }

    private static int execute(CliEnvironment env, String... args) {
        return PieCli.execute(env, args);
    }

    private CliEnvironment fresh() {
        out = new WatchedWriter();
        err = new WatchedWriter();
        return new CliEnvironment(new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader(stdin)), home, ConfigLocation.defaultFile(home, null),
                "tester", false, interrupts, "wac");
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** Waits until the running command's output contains {@code text}. */
    void awaitOut(String text, long timeoutSeconds) throws InterruptedException {
        if (!out.await(text, timeoutSeconds)) throw new AssertionError("no \"" + text + "\" in output:\n" + out);
    }

    /** A StringWriter whose readers can wait for some text to appear. */
    static final class WatchedWriter extends StringWriter {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition written = lock.newCondition();

        @Override
        public void write(String str, int off, int len) {
            super.write(str, off, len);
            signal();
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            super.write(cbuf, off, len);
            signal();
        }

        @Override
        public void write(int c) {
            super.write(c);
            signal();
        }

        private void signal() {
            lock.lock();
            try {
                written.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean await(String text, long timeoutSeconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            lock.lock();
            try {
                while (!toString().contains(text)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    written.awaitNanos(left);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Ctrl-C for tests: the registered action is handed over, and the test fires it. */
    static final class TestInterrupts implements Interrupts {
        private final BlockingQueue<Runnable> registered = new LinkedBlockingQueue<>();

        @Override
        public Registration onInterrupt(Runnable action) {
            registered.add(action);
            return () -> registered.remove(action);
        }

        /** Waits until a command has registered its Ctrl-C action, then runs it as Ctrl-C would. */
        void pressCtrlC(long timeoutSeconds) throws InterruptedException {
            Runnable action = registered.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (action == null) throw new AssertionError("no command registered for Ctrl-C");
            action.run();
        }
    }
}
