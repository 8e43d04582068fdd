package org.pieproject.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.pieproject.client.auth.KeyTools.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pieproject.client.PieException;

/** Public keys in the forms the engine registers, made by ssh-keygen and openssl at test time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublicKeysTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void generateKeys() {
        KeyTools.requireTool("ssh-keygen");
        KeyTools.requireTool("openssl");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@example", "-f", "ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", "ecdsa256");
        run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "384", "-N", "", "-f", "ecdsa384");
        run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-b", "521", "-N", "", "-f", "ecdsa521");
        run(dir, "ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "rsa2048");
        run(dir, "ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", "rsa1024");
        KeyTools.runAllowingFailure(dir, "ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", "dsa");
        run(dir, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
        run(dir, "openssl", "pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.spki.pem");
        run(dir, "openssl", "rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-out", "rsa.pkcs1.pem");
        run(dir, "openssl", "genpkey", "-algorithm", "ED25519", "-out", "ed.pem");
        run(dir, "openssl", "pkey", "-in", "ed.pem", "-pubout", "-out", "ed.spki.pem");
        run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.pem");
        run(dir, "openssl", "pkey", "-in", "p384.pem", "-pubout", "-out", "p384.spki.pem");
        run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-out", "p521.pem");
        run(dir, "openssl", "pkey", "-in", "p521.pem", "-pubout", "-out", "p521.spki.pem");
    }

    private static String text(String file) throws Exception {
        return Files.readString(dir.resolve(file));
    }

    @ParameterizedTest
    @CsvSource({"ed25519.pub, Ed25519", "ecdsa256.pub, ECDSA-P256", "ecdsa384.pub, ECDSA-P384",
            "rsa2048.pub, RSA-2048", "rsa.spki.pem, RSA-2048", "rsa.pkcs1.pem, RSA-2048", "ed.spki.pem, Ed25519",
            "p384.spki.pem, ECDSA-P384"})
    void supportedPublicKeysParse(String file, String label) throws Exception {
        var key = PublicKeys.parse(text(file));
        assertThat(PublicKeys.typeOf(key).label()).isEqualTo(label);
        if (file.endsWith(".pub")) {
            assertThat(text(file)).startsWith(PublicKeys.toOpenSsh(key) + " ");
            assertThat(PublicKeys.fingerprint(key)).isEqualTo(run(dir, "ssh-keygen", "-l", "-f", file).split(" ")[1]);
        }
    }

    @Test
    void pkcs1AndSpkiFormsOfOneKeyAreEqual() throws Exception {
        assertThat(PublicKeys.parse(text("rsa.pkcs1.pem"))).isEqualTo(PublicKeys.parse(text("rsa.spki.pem")));
    }

    @Test
    void authorizedKeysLinesWithOptionsAndComments() throws Exception {
        String authorizedKeys = "# the team\n\n" + "restrict,command=\"true\" " + text("ed25519.pub")
                + text("rsa2048.pub") + "   \n";
        var keys = PublicKeys.parseAll(authorizedKeys);
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).isInstanceOf(EdECPublicKey.class);
        assertThat(keys.get(1)).isInstanceOf(RSAPublicKey.class);
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse(authorizedKeys)))
                .hasMessage("expected one public key, found 2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rsa1024.pub | RSA key is too weak: 1024 bits (minimum required: 2048 bits)",
        "ecdsa521.pub | ECDSA keys on curve P-521 are not supported",
        "p521.spki.pem | ECDSA keys on curve P-521 are not supported",
        "ed25519 | this is a private key",
        "rsa.pem | this is a private key (BEGIN PRIVATE KEY), not a public key",
    })
    void unsupportedOrWrongKeysAreRefused(String file, String reason) throws Exception {
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse(text(file))))
                .hasMessageContaining(reason);
    }

    @Test
    void dsaIsRefused() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir.resolve("dsa.pub")), "ssh-keygen made no DSA key");
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse(text("dsa.pub"))))
                .hasMessageContaining("DSA keys are not supported");
    }

    @Test
    void malformedLinesAreRefused() throws Exception {
        String[] ed = text("ed25519.pub").split(" ");
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse("ssh-rsa " + ed[1])))
                .hasMessageContaining("says ssh-rsa but its data holds ssh-ed25519");
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse("ssh-ed25519 !!!notbase64")))
                .hasMessageContaining("not valid base64");
        assertThat(catchThrowableOfType(PieException.class,
                () -> PublicKeys.parse("ssh-ed25519 " + ed[1].substring(0, 30))))
                .hasMessageContaining("damaged");
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse("hello world")))
                .hasMessageContaining("not an OpenSSH public key");
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.parse("  ")))
                .hasMessageContaining("empty");
    }

    @Test
    void jdkKeysAreCheckedLikeParsedOnes() throws Exception {
        var p256 = KeyPairGenerator.getInstance("EC");
        p256.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey key = (ECPublicKey) p256.generateKeyPair().getPublic();
        assertThat(PublicKeys.typeOf(key).scheme()).isEqualTo(KeyScheme.ECDSA_P256);
        assertThat(PublicKeys.parse(PublicKeys.toOpenSsh(key))).isEqualTo(key);

        var p521 = KeyPairGenerator.getInstance("EC");
        p521.initialize(new ECGenParameterSpec("secp521r1"));
        var unsupported = p521.generateKeyPair().getPublic();
        assertThat(catchThrowableOfType(PieException.class, () -> PublicKeys.typeOf(unsupported)))
                .hasMessageContaining("P-521");
    }
}
