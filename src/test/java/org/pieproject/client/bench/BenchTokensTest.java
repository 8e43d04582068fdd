package org.pieproject.client.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

/**
 * W8 of scripts/bench at a small scale: the Node load engine's bench-tokens processes (scripts/bench-engine)
 * and the benchmark's three readers of them (the client, the raw client and the raw client's blocking
 * reference). Every event must arrive, in order, stamped with a send time on the clock this JVM reads, or
 * W8's latencies mean nothing. Also W4's blocking reference, which must read every event it times.
 *
 * <p>Needs {@code node} on the PATH and {@code npm ci --prefix scripts/bench-engine}. Without them the class is
 * skipped, except under {@code CI=true}, where it fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchTokensTest {
    private static final int PROCESSES = 20;
    private static final int EVENTS = 15;
    private static final int INTERVAL_MS = 4;

    private static Process engine;
    /** Where the benchmark's sources are compiled, once for all the tests that load them. */
    @TempDir
    static Path classes;
    private static URLClassLoader benchLoader;
    private static URI uri;

    @BeforeAll
    static void startEngine() throws Exception {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path dir = base.resolve("scripts/bench-engine");
        Optional<Path> node = findOnPath("node");
        String missing = node.isEmpty() ? "node is not on the PATH"
                : Files.isRegularFile(dir.resolve("node_modules/ws/package.json")) ? null : dir + "/node_modules lacks ws";
        if (missing != null) {
            String fix = "run: npm ci --prefix scripts/bench-engine --no-audit --no-fund";
            if ("true".equals(System.getenv("CI"))) fail("the bench engine cannot run under CI: " + missing + "; " + fix);
            Assumptions.assumeTrue(false, "BenchTokensTest skipped: " + missing + "; " + fix);
        }
        engine = new ProcessBuilder(node.get().toString(), dir.resolve("engine.js").toString(), "--parent-pipe")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // the class's deadline bounds this
        if (line == null || !line.startsWith("LISTENING ")) fail("the bench engine did not start: " + line);
        uri = URI.create("ws://127.0.0.1:" + line.substring("LISTENING ".length()).trim());
    }

    @AfterAll
    static void stopEngine() throws Exception {
        if (benchLoader != null) benchLoader.close();
        if (engine == null) return;
        engine.destroy();
        if (!engine.waitFor(5, TimeUnit.SECONDS)) engine.destroyForcibly();
    }

    @Test
    void everyTokenOfEveryProcessArrivesInOrderWithASendTimeOnThisJvmsClock() throws Exception {
        String input = "{\"events\":" + EVENTS + ",\"intervalMs\":" + INTERVAL_MS + ",\"startMs\":0}";
        try (PieClient client = PieClient.builder().uri(uri).requestTimeout(Duration.ofSeconds(20)).build();
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            client.authenticate("bench");
            List<Future<List<String>>> streams = new ArrayList<>();
            for (int i = 0; i < PROCESSES; i++) {
                streams.add(ex.submit(() -> {
                    PieProcess p = client.launchProcess("bench-tokens@0.1.0", input);
                    List<String> stamps = new ArrayList<>();
                    long previousSent = -1;
                    while (true) {
                        ProcessEvent e = p.recv();
                        long now = System.nanoTime() / 1000;
                        if (e instanceof ProcessEvent.Return) return stamps;
                        String stamp = assertInstanceOf(ProcessEvent.Stdout.class, e).text();
                        assertTrue(stamp.matches("[0-9a-f]{16}"), stamp);
                        long sent = Long.parseLong(stamp.substring(0, 12), 16);
                        assertTrue(sent <= now, "sent at " + sent + " µs, after it was received at " + now);
                        assertTrue(sent >= previousSent, "send times go back: " + previousSent + " then " + sent);
                        previousSent = sent;
                        stamps.add(stamp.substring(12));
                    }
                }));
            }
            List<String> expected = Stream.iterate(0, k -> k + 1).limit(EVENTS).map(k -> String.format("%04x", k)).toList();
            for (Future<List<String>> f : streams) assertEquals(expected, f.get(30, TimeUnit.SECONDS));
        }
    }

    /** The benchmark's own W8 code (scripts/Bench*.java, compiled here): its client and raw readers count every event. */
    @Test
    void theBenchmarksReadersCountEveryTokenAndNoneOutOfOrder() throws Exception {
        Method once = benchClasses().loadClass("Bench").getMethod("tokensOnce", String.class, int.class, int.class, int.class);
        long[][] sides = (long[][]) once.invoke(null, uri.toString(), PROCESSES, EVENTS, INTERVAL_MS);
        String[] names = {"client", "raw", "blocking reference"};
        assertEquals(names.length, sides.length);
        for (int i = 0; i < sides.length; i++) {
            long[] s = sides[i]; // expected, received, reordered, highest latency µs
            assertEquals((long) PROCESSES * EVENTS, s[0], names[i]);
            assertEquals(s[0], s[1], names[i] + ": events received");
            assertEquals(0, s[2], names[i] + ": events out of order");
            assertTrue(s[3] >= 0 && s[3] < 20_000_000, names[i] + ": highest latency " + s[3] + " µs");
        }
    }

    /** W4's blocking reference (scripts/BenchRaw.java): each process's reader gets every one of its events. */
    @Test
    void theW4ReferenceReadsEveryEventOfEveryProcess() throws Exception {
        Method once = benchClasses().loadClass("Bench").getMethod("blockingFanInOnce", String.class, int.class, int.class);
        long[] run = (long[]) once.invoke(null, uri.toString(), PROCESSES, 50);
        assertEquals((long) PROCESSES * 50, run[0], "events expected");
        assertEquals(run[0], run[1], "events read");
    }

    /** scripts/Bench*.java, compiled once for the class with the test class path, then loaded. */
    private static URLClassLoader benchClasses() throws Exception {
        if (benchLoader != null) return benchLoader;
        Path scripts = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "scripts");
        List<String> args = new ArrayList<>(List.of("--release", "21", "-proc:none", "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path")));
        try (Stream<Path> files = Files.list(scripts)) {
            files.filter(f -> f.getFileName().toString().matches("Bench.*\\.java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        boolean compiled = javac.getTask(errors, null, null, args.subList(0, 7), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                        .getJavaFileObjectsFromStrings(args.subList(7, args.size()))).call();
        assertTrue(compiled, "scripts/Bench*.java do not compile:\n" + errors);
        benchLoader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, BenchTokensTest.class.getClassLoader());
        return benchLoader;
    }

    private static Optional<Path> findOnPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) return Optional.of(Path.of(dir, command));
        }
        return Optional.empty();
    }
}
