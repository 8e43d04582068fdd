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
}
