package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pieproject.client.auth.KeyTools;
import org.pieproject.client.auth.PublicKeys;
import org.pieproject.client.testkit.PieTestServer;

/**
 * Challenge-response and token authentication of PieClient against the test engine with authentication
 * on. Keys come from ssh-keygen; the engine side trusts the .pub line ssh-keygen wrote, not our parse of
 * the private key.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthenticationTest {

    private static final String TOKEN = "the-internal-token";
    @TempDir
    static Path dir;
    private static PieTestServer server;

    @BeforeAll
    static void start() throws Exception {
        KeyTools.requireTool("ssh-keygen");
        PieTestServer.Builder b = PieTestServer.builder().token(TOKEN).tokenFailureDelay(Duration.ofMillis(1200))
                .inferlet("whoami@0.1.0", ctx -> ctx.username());
        for (String[] k : new String[][] {
                {"ed25519", "", "-t", "ed25519"}, {"rsa2048", "", "-t", "rsa", "-b", "2048"},
                {"ecdsa256", "", "-t", "ecdsa", "-b", "256"}, {"ecdsa384", "", "-t", "ecdsa", "-b", "384"},
                {"locked", "open sesame", "-t", "ed25519"}}) {
            String name = k[0];
            List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-f", dir.resolve(name).toString(),
                    "-N", k[1], "-C", name + "@test"));
            cmd.addAll(Arrays.asList(k).subList(2, k.length));
            KeyTools.run(dir, cmd.toArray(String[]::new));
            b.user(name, PublicKeys.parse(Files.readString(dir.resolve(name + ".pub"))));
        }
        server = b.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static PieClient connect() {
        return PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofSeconds(5)).build();
    }

    @ParameterizedTest
    @CsvSource({"ed25519", "rsa2048", "ecdsa256", "ecdsa384"})
    void everyKeyTypeAuthenticates(String name) {
        try (PieClient c = connect()) {
            c.authenticate(name, ParsedPrivateKey.fromFile(dir.resolve(name)));
            assertThat(c.user()).isEqualTo(name);
            assertThat(c.launchProcess("whoami@0.1.0", "{}").result()).isEqualTo(name);
        }
    }

    @Test
    void aPassphraseProtectedKeyAuthenticates() {
        try (PieClient c = connect()) {
            c.authenticate("locked", ParsedPrivateKey.fromFile(dir.resolve("locked"), "open sesame".toCharArray()));
            c.ping();
        }
    }

    @Test
    void aWrongKeyIsRejectedWithTheEnginesReasonAndTheNextAttemptStartsAfresh() {
        try (PieClient c = connect()) {
            assertThatThrownBy(() -> c.authenticate("ed25519", ParsedPrivateKey.fromFile(dir.resolve("rsa2048"))))
                    .isInstanceOfSatisfying(PieRequestException.class,
                            e -> assertThat(e.reason()).isEqualTo("Signature verification failed"));
            c.authenticate("ed25519", ParsedPrivateKey.fromFile(dir.resolve("ed25519")));
            c.ping();
        }
    }

    @Test
    void anUnknownUserIsRejected() {
        try (PieClient c = connect()) {
            assertThatThrownBy(() -> c.authenticate("mallory", ParsedPrivateKey.fromFile(dir.resolve("ed25519"))))
                    .isInstanceOfSatisfying(PieRequestException.class,
                            e -> assertThat(e.reason()).isEqualTo("User 'mallory' is not authorized"));
        }
    }

    @Test
    void noKeyForAnEngineThatWantsOneIsAClearErrorAndLeavesNothingStuck() {
        try (PieClient c = connect()) {
            assertThatThrownBy(() -> c.authenticate("ed25519"))
                    .isInstanceOf(PieException.class).hasMessageContaining("requires a private key");
            c.authenticate("ed25519", ParsedPrivateKey.fromFile(dir.resolve("ed25519")));
            c.ping();
        }
    }

    @Test
    void commandsBeforeAuthenticationAreDroppedAndTheTimeoutSaysWhy() {
        try (PieClient c = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMillis(400)).build()) {
            assertThatThrownBy(c::ping).isInstanceOf(PieTimeoutException.class)
                    .hasMessageContaining("may not be authenticated");
            assertThatThrownBy(c::listProcesses).isInstanceOf(PieTimeoutException.class);
        }
    }

    @Test
    void tokenAuthenticationWorksAndAWrongTokenIsAnsweredLateWithoutTrippingTheTimeout() {
        try (PieClient c = PieClient.builder().uri(server.uri()).requestTimeout(Duration.ofMillis(500)).build()) {
            // The engine delays a wrong token by 1-3 s (1.2 s here), longer than this request timeout.
            assertThatThrownBy(() -> c.authByToken("wrong"))
                    .isInstanceOfSatisfying(PieRequestException.class, e -> assertThat(e.reason()).isEqualTo("Invalid token"));
            c.authByToken(TOKEN);
            assertThat(c.user()).isEqualTo("internal");
            c.ping();
        }
    }

    @Test
    void reconnectReplaysTheSameKeyAuthentication() {
        PieClient c = connect();
        c.authenticate("ecdsa256", ParsedPrivateKey.fromFile(dir.resolve("ecdsa256")));
        try (PieClient again = c.reconnect()) {
            assertThat(again.user()).isEqualTo("ecdsa256");
            again.ping();
        }
    }

    @Test
    void secretsStayOutOfToStrings() {
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(dir.resolve("ed25519"));
        try (PieClient c = connect()) {
            c.authenticate("ed25519", key);
            KeyTools.assertNoSecrets(c.toString() + key, dir.resolve("ed25519"), "");
        }
        try (PieClient c = connect()) {
            c.authByToken(TOKEN);
            assertThat(c.toString()).doesNotContain(TOKEN);
        }
    }
}
