package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;
import org.pieproject.client.testsupport.Children;

/**
 * A program that uses the client prints nothing it did not ask for: connecting, authenticating (with
 * authentication disabled, and with a key), launching, reading events and closing, in a fresh JVM whose
 * stdout and stderr must both stay empty. The engines run in this JVM, since the test kit's WebSocket
 * server logs through SLF4J; only the client side is checked. Key parsing on its own is covered, for
 * every format, by {@code auth.QuietParsingTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuietClientTest {

    @TempDir
    Path dir;

    @Test
    void aWholeSessionInAFreshJvmPrintsNothing() throws Exception {
        KeyPair alice = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path key = dir.resolve("alice.pem");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(alice.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        try (PieTestServer open = engine().start();
             PieTestServer guarded = engine().user("alice", alice.getPublic()).start()) {
            String java = ProcessHandle.current().info().command().orElseGet(
                    () -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
            Children.Finished child = Children.run(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    QuietClientMain.class.getName(), open.uri().toString(), guarded.uri().toString(), key.toString()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), Duration.ofSeconds(45));

            assertThat(child.stdout()).as("child stdout").isEmpty();
            assertThat(child.stderr()).as("child stderr").isEmpty();
            assertThat(child.exitCode()).as("child exit code (2: a session did not go as expected)").isZero();
            // The child really talked to both engines: each ran its process.
            assertThat(open.receivedMessages()).anyMatch(m -> "launch_process".equals(m.get("type")));
            assertThat(guarded.receivedMessages()).anyMatch(m -> "auth_prove".equals(m.get("type")))
                    .anyMatch(m -> "launch_process".equals(m.get("type")));
        }
    }

    private static PieTestServer.Builder engine() {
        return PieTestServer.builder().inferlet("chatty@0.1.0", ctx -> {
            ctx.stdout("one ");
            ctx.stderr("two ");
            ctx.message("three");
            ctx.sendFile(new byte[300_000], "four.bin");
            return "{\"five\":5}";
        });
    }

}
