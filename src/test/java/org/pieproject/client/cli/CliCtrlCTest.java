package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.PieClient;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Await;
import org.pieproject.client.testsupport.Children;

/**
 * A real Ctrl-C: {@code pie-client attach} runs in a child JVM, gets SIGINT, and must detach, say how to
 * reattach, and leave the process running on the engine.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliCtrlCTest {
    @TempDir
    Path home;

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void sigintWhileAttachedDetachesAndPrintsTheReattachCommand() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("wait@0.1.0", ctx -> {
                    release.await();
                    return "done";
                }).start()) {
            String id;
            try (PieClient c = PieClient.connect(server.uri())) {
                c.authenticate("tester");
                id = c.launchProcess("wait@0.1.0", "{}").id();
            }
            assertThat(server.awaitConnectedSessions(0, Duration.ofSeconds(10))).isTrue();
            Path config = home.resolve("config.toml");
            CliCommandsTest.writeConfig(config, server.port());

            List<String> command = List.of(ChildJvm.java(), "-cp", System.getProperty("java.class.path"),
                    PieCli.class.getName(), "attach", id.substring(0, 8), "--config", config.toString());
            try (ChildJvm child = ChildJvm.start(command, Map.of())) {
                child.awaitLine("Attached to instance " + id, 30);
                // "Attached" is printed before the streamer registers its Ctrl-C hook: signal only once the
                // CLI is really parked in recv() inside ProcessStreamer.run, as the thread dump shows.
                awaitParkedInTheStreamer(child.pid());
                Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).inheritIO().start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -INT finished");
                assertEquals(0, kill.exitValue());
                assertEquals(130, child.waitFor(30), child.stdout());
                assertThat(child.stdout()).contains("Detached", "Reattach with: pie-client attach " + id.substring(0, 8));
                assertThat(child.stderr()).isEmpty();
            }
            assertThat(server.runningProcesses()).contains(id);
            release.countDown();
        }
    }

    private static void awaitParkedInTheStreamer(long pid) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Await.until("the CLI parked in ProcessStreamer.run", Duration.ofSeconds(30), () -> {
            try {
                String dump = Children.run(new ProcessBuilder(jcmd, Long.toString(pid), "Thread.print"),
                        Duration.ofSeconds(20)).stdout();
                int main = dump.indexOf("\"main\"");
                int end = main < 0 ? -1 : dump.indexOf("\n\n", main);
                String stack = main < 0 ? "" : dump.substring(main, end < 0 ? dump.length() : end);
                return stack.contains("ProcessStreamer.run(") && stack.contains("ProcessQueue.await(");
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }
}
