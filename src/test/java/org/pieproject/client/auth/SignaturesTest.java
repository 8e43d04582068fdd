package org.pieproject.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieException;

/** The engine's schemes on JDK-made keys: what verifies, and the malformed signatures that must not. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SignaturesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static KeyPair rsa;
    private static KeyPair ed25519;
    private static KeyPair p256;
    private static KeyPair p384;
    private static byte[] challenge;

    @BeforeAll
    static void keys() throws Exception {
        var rsaGenerator = KeyPairGenerator.getInstance("RSA");
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        p256 = ec("secp256r1");
        p384 = ec("secp384r1");
        challenge = new byte[48];
        RANDOM.nextBytes(challenge);
    }

    private static KeyPair ec(String curve) throws Exception {
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    private static byte[] sign(KeyPair pair) {
        return Signatures.sign(pair.getPrivate(), PublicKeys.typeOf(pair.getPublic()).scheme(), challenge);
    }

    @Test
    void eachSchemeVerifiesItsOwnSignatureOnly() {
        for (KeyPair pair : new KeyPair[] {rsa, ed25519, p256, p384}) {
            byte[] signature = sign(pair);
            assertThat(Signatures.verify(pair.getPublic(), challenge, signature)).as(pair.getPublic().getAlgorithm()).isTrue();
            byte[] other = challenge.clone();
            other[10] ^= 1;
            assertThat(Signatures.verify(pair.getPublic(), other, signature)).isFalse();
            byte[] flipped = signature.clone();
            flipped[flipped.length - 1] ^= 1;
            assertThat(Signatures.verify(pair.getPublic(), challenge, flipped)).isFalse();
        }
        assertThat(Signatures.verify(p256.getPublic(), challenge, sign(p384))).isFalse();
        assertThat(Signatures.verify(ed25519.getPublic(), challenge, sign(rsa))).isFalse();
    }

    @Test
    void signatureSizesAreTheEngines() {
        assertThat(sign(rsa)).hasSize(256);
        assertThat(sign(ed25519)).hasSize(64);
        assertThat(sign(p256)[0]).as("DER SEQUENCE").isEqualTo((byte) 0x30);
        assertThat(sign(p384)[0]).as("DER SEQUENCE").isEqualTo((byte) 0x30);
    }

    @Test
    void rawEcdsaSignaturesAreRefusedLikeTheEngineDoes() throws Exception {
        Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format");
        p1363.initSign(p256.getPrivate());
        p1363.update(challenge);
        byte[] raw = p1363.sign();
        assertThat(raw).hasSize(64);
        assertThat(Signatures.verify(p256.getPublic(), challenge, raw)).isFalse();
    }

    @Test
    void p384UsesSha384() throws Exception {
        Signature sha256 = Signature.getInstance("SHA256withECDSA");
        sha256.initSign(p384.getPrivate());
        sha256.update(challenge);
        assertThat(Signatures.verify(p384.getPublic(), challenge, sha256.sign())).isFalse();
    }

    @Test
    void truncatedOrPaddedSignaturesDoNotVerify() {
        byte[] rsaSignature = sign(rsa);
        assertThat(Signatures.verify(rsa.getPublic(), challenge, Arrays.copyOf(rsaSignature, 255))).isFalse();
        byte[] padded = new byte[257];
        System.arraycopy(rsaSignature, 0, padded, 1, 256);
        assertThat(Signatures.verify(rsa.getPublic(), challenge, padded)).isFalse();
        assertThat(Signatures.verify(ed25519.getPublic(), challenge, Arrays.copyOf(sign(ed25519), 65))).isFalse();
        assertThat(Signatures.verify(p256.getPublic(), challenge, new byte[0])).isFalse();
    }

    @Test
    void keysTheEngineRefusesAreRefusedHere() throws Exception {
        var rsa1024 = KeyPairGenerator.getInstance("RSA");
        rsa1024.initialize(1024);
        var weak = rsa1024.generateKeyPair().getPublic();
        assertThat(catchThrowableOfType(PieException.class, () -> Signatures.verify(weak, challenge, new byte[128])))
                .hasMessageContaining("too weak");
        var p521 = ec("secp521r1").getPublic();
        assertThat(catchThrowableOfType(PieException.class, () -> Signatures.verify(p521, challenge, new byte[10])))
                .hasMessageContaining("P-521");
        var ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPublic();
        assertThat(catchThrowableOfType(PieException.class, () -> Signatures.verify(ed448, challenge, new byte[114])))
                .hasMessageContaining("Ed448");
    }
}
