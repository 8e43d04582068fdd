package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage.Response;

/** The authentication state machine of protocol.md §4 with real signatures. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PieTestServerAuthTest {

    private static KeyPair rsa;
    private static KeyPair ed25519;
    private static KeyPair p256;
    private static KeyPair p384;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        p256 = ec("secp256r1");
        p384 = ec("secp384r1");
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static String sign(String algorithm, PrivateKey key, String challenge) throws Exception {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(key);
        s.update(Base64.getDecoder().decode(challenge));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    private static PieTestServer server() {
        return PieTestServer.builder()
                .user("rsa", rsa.getPublic())
                .user("ed", ed25519.getPublic())
                .user("ec", p256.getPublic(), p384.getPublic())
                .token("secret-token")
                .tokenFailureDelay(Duration.ofMillis(300))
                .inferlet("echo@1.0.0", InferletContext::input)
                .inferlet("held@1.0.0", ctx -> "got " + ctx.receiveSignal())
                .start();
    }

    private static String challenge(RawEngineClient c, String user) {
        long id = c.nextId();
        Response r = c.call(new ClientMessage.AuthIdentify(id, user));
        assertThat(r.ok()).isTrue();
        assertThat(r.result()).hasSize(64).matches("[A-Za-z0-9+/]{64}");
        assertThat(Base64.getDecoder().decode(r.result())).hasSize(48);
        return r.result();
    }

    @Test
    void everyKeyTypeAuthenticatesWithItsScheme() throws Exception {
        Object[][] cases = {
                {"rsa", "SHA256withRSA", rsa},
                {"ed", "Ed25519", ed25519},
                {"ec", "SHA256withECDSA", p256},
                {"ec", "SHA384withECDSA", p384},
        };
        try (PieTestServer server = server()) {
            for (Object[] k : cases) {
                try (RawEngineClient c = RawEngineClient.connect(server.uri())) {
                    String ch = challenge(c, (String) k[0]);
                    String sig = sign((String) k[1], ((KeyPair) k[2]).getPrivate(), ch);
                    assertThat(c.call(new ClientMessage.AuthProve(7, sig))).isEqualTo(new Response(7, true, "Authenticated"));
                    assertThat(c.call(new ClientMessage.Ping(8))).isEqualTo(new Response(8, true, "Pong"));
                    assertThat(c.call(new ClientMessage.AuthIdentify(9, "rsa")))
                            .isEqualTo(new Response(9, true, "Already authenticated"));
                }
            }
        }
    }

    @Test
    void failedProofsAndTheStateMachine() throws Exception {
        try (PieTestServer server = server(); RawEngineClient c = RawEngineClient.connect(server.uri())) {
            c.send(new ClientMessage.Ping(1)); // dropped before authentication
            assertThat(c.call(new ClientMessage.AuthIdentify(2, "eve")))
                    .isEqualTo(new Response(2, false, "User 'eve' is not authorized"));
            assertThat(c.call(new ClientMessage.AuthProve(3, "AAAA")))
                    .isEqualTo(new Response(3, false, "No pending authentication"));

            // A signature by another key fails and clears the challenge.
            String ch = challenge(c, "ed");
            assertThat(c.call(new ClientMessage.AuthProve(4, sign("SHA256withRSA", rsa.getPrivate(), ch))))
                    .isEqualTo(new Response(4, false, "Signature verification failed"));
            assertThat(c.call(new ClientMessage.AuthProve(5, sign("Ed25519", ed25519.getPrivate(), ch))))
                    .isEqualTo(new Response(5, false, "No pending authentication"));

            // Non-canonical base64 is refused by the decoder.
            for (String bad : new String[] {"!!!!", "AAA", "AA==AA==", "AAF=", " AAAA", "AB-_"}) {
                challenge(c, "ed");
                Response r = c.call(new ClientMessage.AuthProve(6, bad));
                assertThat(r.ok()).as(bad).isFalse();
                assertThat(r.result()).as(bad).startsWith("Invalid signature encoding: ");
            }

            // ECDSA must be DER: the raw r||s form does not verify.
            ch = challenge(c, "ec");
            assertThat(c.call(new ClientMessage.AuthProve(7, sign("SHA256withECDSAinP1363Format", p256.getPrivate(), ch))))
                    .isEqualTo(new Response(7, false, "Signature verification failed"));

            // Quirk: a failed identify keeps the earlier challenge.
            ch = challenge(c, "rsa");
            assertThat(c.call(new ClientMessage.AuthIdentify(8, "nobody")).ok()).isFalse();
            assertThat(c.call(new ClientMessage.AuthProve(9, sign("SHA256withRSA", rsa.getPrivate(), ch))))
                    .isEqualTo(new Response(9, true, "Authenticated"));
            assertThat(c.call(new ClientMessage.AuthProve(10, "AAAA")))
                    .isEqualTo(new Response(10, false, "Already authenticated"));
            Response launched = c.call(new ClientMessage.LaunchProcess(11, "echo@1.0.0", "", true, null));
            c.next(); // its return event
            assertThat(launched.ok()).isTrue();
        }
    }

    @Test
    void tokenAuthenticatesAsInternalAndAWrongTokenHoldsUpTheSession() {
        try (PieTestServer server = server();
             RawEngineClient c = RawEngineClient.connect(server.uri())) {
            long start = System.nanoTime();
            c.send(new ClientMessage.AuthByToken(1, "wrong"));
            c.send(new ClientMessage.AuthIdentify(2, "eve"));
            assertThat(c.next()).isEqualTo(new Response(1, false, "Invalid token"));
            assertThat(c.next()).isEqualTo(new Response(2, false, "User 'eve' is not authorized"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(c.call(new ClientMessage.AuthByToken(3, server.internalToken())))
                    .isEqualTo(new Response(3, true, "Authenticated"));
            c.call(new ClientMessage.LaunchProcess(4, "held@1.0.0", "", false, null));
            // The process waits until the server closes, so the list has it, and it is internal's.
            String list = c.call(new ClientMessage.ListProcesses(5)).result();
            assertThat(JsonParser.parseString(list).getAsJsonArray().asList()).singleElement().satisfies(p ->
                    assertThat(p.getAsJsonObject().get("username").getAsString()).isEqualTo("internal"));
            assertThat(c.call(new ClientMessage.AuthByToken(6, "wrong")))
                    .isEqualTo(new Response(6, true, "Already authenticated"));
        }
    }

    @Test
    void defaultTokenDelayIsBetweenOneAndThreeSecondsAndTokensWorkWithAuthDisabled() {
        try (PieTestServer server = PieTestServer.builder().start();
             RawEngineClient c = RawEngineClient.connect(server.uri())) {
            assertThat(server.internalToken()).matches("[A-Za-z0-9_-]{64}");
            long start = System.nanoTime();
            assertThat(c.call(new ClientMessage.AuthByToken(1, "nope"))).isEqualTo(new Response(1, false, "Invalid token"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isBetween(Duration.ofMillis(1000), Duration.ofMillis(3500));
            assertThat(c.call(new ClientMessage.AuthByToken(2, server.internalToken())))
                    .isEqualTo(new Response(2, true, "Authenticated"));
        }
    }

    @Test
    void builderRefusesKeysTheEngineRefuses() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        KeyPair weak = g.generateKeyPair();
        KeyPair p521 = ec("secp521r1");
        assertThatThrownBy(() -> PieTestServer.builder().user("x", weak.getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
        assertThatThrownBy(() -> PieTestServer.builder().user("x", p521.getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
    }

    @Test
    void strictBase64MatchesTheEnginesDecoder() {
        assertThat(Authenticator.decodeStrict("AAEC")).containsExactly(0, 1, 2);
        assertThat(Authenticator.decodeStrict("AA==")).containsExactly(0);
        assertThat(Authenticator.decodeStrict("")).isEmpty();
        assertThatThrownBy(() -> Authenticator.decodeStrict("AA")).hasMessage("Invalid input length: 2");
        assertThatThrownBy(() -> Authenticator.decodeStrict("AB==")).hasMessage("Invalid last symbol 66, offset 1.");
        assertThatThrownBy(() -> Authenticator.decodeStrict("A\nAA")).hasMessage("Invalid symbol 10, offset 1.");
        assertThatThrownBy(() -> Authenticator.decodeStrict("A===")).hasMessage("Invalid padding");
    }
}
