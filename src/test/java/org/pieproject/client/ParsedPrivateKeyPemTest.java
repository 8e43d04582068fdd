package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.pieproject.client.auth.KeyTools.assertNoSecrets;
import static org.pieproject.client.auth.KeyTools.everything;
import static org.pieproject.client.auth.KeyTools.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pieproject.client.auth.KeyScheme;
import org.pieproject.client.auth.KeyTools;
import org.pieproject.client.auth.PublicKeys;
import org.pieproject.client.auth.Signatures;

/**
 * Keys made by openssl at test time in every PEM form the client reads: PKCS#8 (plain and encrypted),
 * PKCS#1 (plain and legacy-encrypted) and SEC1; and the ones it must refuse.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParsedPrivateKeyPemTest {
    private static final String PASSPHRASE = "pem pass phrase 7";
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path dir;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyTools.requireTool("openssl");
        CompletableFuture<String> rsaTooLarge = KeyTools.runAsync(dir, "openssl", "genpkey", "-algorithm", "RSA",
                "-pkeyopt", "rsa_keygen_bits:4160", "-out", "rsa4160.pem");
        genpkey("rsa2048.pem", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048");
        genpkey("ed25519.pem", "-algorithm", "ED25519");
        genpkey("p256.pem", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256");
        genpkey("p384.pem", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384");
        run(dir, "openssl", "genrsa", "-traditional", "-out", "rsa3072.pkcs1.pem", "3072");
        run(dir, "openssl", "ec", "-in", "p256.pem", "-out", "p256.sec1.pem");
        run(dir, "openssl", "ec", "-in", "p384.pem", "-out", "p384.sec1.pem");
        // `openssl ecparam -genkey` puts a BEGIN EC PARAMETERS block before the key.
        run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", "p256.ecparam.pem");
        run(dir, "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "ed25519.pem", "-passout",
                "pass:" + PASSPHRASE, "-out", "ed25519.enc.pem");
        run(dir, "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "rsa2048.pem", "-passout",
                "pass:" + PASSPHRASE, "-out", "rsa2048.enc.pem");
        run(dir, "openssl", "rsa", "-in", "rsa2048.pem", "-traditional", "-aes256", "-passout", "pass:" + PASSPHRASE,
                "-out", "rsa2048.pkcs1.enc.pem");
        run(dir, "openssl", "ec", "-in", "p384.pem", "-aes128", "-passout", "pass:" + PASSPHRASE,
                "-out", "p384.sec1.enc.pem");
        // Refused kinds.
        genpkey("rsa1024.pem", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024");
        genpkey("p521.pem", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521");
        genpkey("secp256k1.pem", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1");
        genpkey("ed448.pem", "-algorithm", "ED448");
        genpkey("x25519.pem", "-algorithm", "X25519");
        run(dir, "openssl", "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024",
                "-out", "dsa.params");
        run(dir, "openssl", "genpkey", "-paramfile", "dsa.params", "-out", "dsa.pem");
        run(dir, "openssl", "pkey", "-in", "p256.pem", "-pubout", "-out", "p256.pub.pem");
        run(dir, "openssl", "rsa", "-in", "rsa2048.pem", "-RSAPublicKey_out", "-out", "rsa2048.pkcs1.pub.pem");
        for (String name : new String[] {"rsa2048", "ed25519", "p256", "p384"}) {
            run(dir, "openssl", "pkey", "-in", name + ".pem", "-pubout", "-out", name + ".pub.pem");
        }
        run(dir, "openssl", "pkey", "-in", "rsa3072.pkcs1.pem", "-pubout", "-out", "rsa3072.pub.pem");
        rsaTooLarge.get(50, TimeUnit.SECONDS);
    }

    private static void genpkey(String out, String... options) {
        String[] command = new String[options.length + 4];
        command[0] = "openssl";
        command[1] = "genpkey";
        System.arraycopy(options, 0, command, 2, options.length);
        command[options.length + 2] = "-out";
        command[options.length + 3] = out;
        run(dir, command);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rsa2048.pem |  | RSA-2048 | rsa2048.pub.pem | BEGIN PRIVATE KEY",
        "ed25519.pem |  | Ed25519 | ed25519.pub.pem | BEGIN PRIVATE KEY",
        "p256.pem |  | ECDSA-P256 | p256.pub.pem | BEGIN PRIVATE KEY",
        "p384.pem |  | ECDSA-P384 | p384.pub.pem | BEGIN PRIVATE KEY",
        "rsa3072.pkcs1.pem |  | RSA-3072 | rsa3072.pub.pem | BEGIN RSA PRIVATE KEY",
        "p256.sec1.pem |  | ECDSA-P256 | p256.pub.pem | BEGIN EC PRIVATE KEY",
        "p384.sec1.pem |  | ECDSA-P384 | p384.pub.pem | BEGIN EC PRIVATE KEY",
        "p256.ecparam.pem |  | ECDSA-P256 |  | BEGIN EC PARAMETERS",
        "ed25519.enc.pem | pp | Ed25519 | ed25519.pub.pem | BEGIN ENCRYPTED PRIVATE KEY",
        "rsa2048.enc.pem | pp | RSA-2048 | rsa2048.pub.pem | BEGIN ENCRYPTED PRIVATE KEY",
        "rsa2048.pkcs1.enc.pem | pp | RSA-2048 | rsa2048.pub.pem | Proc-Type: 4,ENCRYPTED",
        "p384.sec1.enc.pem | pp | ECDSA-P384 | p384.pub.pem | Proc-Type: 4,ENCRYPTED",
    })
    void acceptedKeysSignAsOpensslExpects(String file, String usePassphrase, String algorithm, String publicPem,
            String formatMarker) throws Exception {
        Path path = dir.resolve(file);
        assertThat(Files.readString(path)).as("the file is in the form under test").contains(formatMarker);
        char[] passphrase = usePassphrase == null ? null : PASSPHRASE.toCharArray();
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(path, passphrase);
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertNoSecrets(key.toString(), path, PASSPHRASE);

        byte[] challenge = new byte[48];
        RANDOM.nextBytes(challenge);
        byte[] signature = key.sign(challenge);
        KeyScheme scheme = PublicKeys.typeOf(key.publicKey()).scheme();
        if (scheme == KeyScheme.ED25519) {
            assertThat(signature).hasSize(64);
        } else if (scheme == KeyScheme.RSA) {
            assertThat(signature).hasSize(((RSAPublicKey) key.publicKey()).getModulus().bitLength() / 8);
        }
        if (publicPem == null) {
            // No separate export: let openssl derive the public key from the private file itself.
            publicPem = file + ".pub.pem";
            run(dir, "openssl", "pkey", "-in", file, "-pubout", "-out", publicPem);
        }
        Path publicPath = dir.resolve(publicPem);
        assertThat(PublicKeys.parse(Files.readString(publicPath))).isEqualTo(key.publicKey());
        assertThat(KeyTools.opensslVerifies(dir, publicPath, scheme, challenge, signature)).as("openssl verifies").isTrue();
        assertThat(Signatures.verify(key.publicKey(), challenge, signature)).isTrue();
        challenge[47] ^= 0x40;
        assertThat(KeyTools.opensslVerifies(dir, publicPath, scheme, challenge, signature)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"ed25519.enc.pem", "rsa2048.enc.pem", "rsa2048.pkcs1.enc.pem", "p384.sec1.enc.pem"})
    void encryptedPemKeysTellMissingFromWrongPassphrase(String file) {
        String missing = assertRefused(file, null, "this key is encrypted; give a passphrase");
        String wrong = assertRefused(file, "pem pass phrase 8".toCharArray(), "wrong passphrase");
        assertThat(missing).doesNotContain("wrong");
        assertThat(wrong).doesNotContain("give a passphrase");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "rsa1024.pem | RSA key is too weak: 1024 bits (minimum required: 2048 bits)",
        "rsa4160.pem | RSA key of 4160 bits is too large: the engine accepts at most 4096 bits",
        "p521.pem | ECDSA keys on curve P-521 are not supported",
        "secp256k1.pem | ECDSA keys on curve secp256k1 are not supported",
        "ed448.pem | Ed448 keys are not supported",
        "x25519.pem | key-agreement",
        "dsa.pem | DSA keys are not supported",
        "p256.pub.pem | public key or certificate (BEGIN PUBLIC KEY), not a private key",
        "rsa2048.pkcs1.pub.pem | public key or certificate (BEGIN RSA PUBLIC KEY), not a private key",
    })
    void unsupportedKeysAreRefusedWithTheReason(String file, String reason) {
        String message = assertRefused(file, null, reason);
        if (!file.contains(".pub.")) {
            assertThat(message).contains("supported: RSA (2048 to 4096 bits), Ed25519, ECDSA P-256 and ECDSA P-384");
        }
    }

    @Test
    void damagedPemBodyIsRefusedWithoutEchoingIt() throws Exception {
        String text = Files.readString(dir.resolve("p256.sec1.pem"));
        String[] lines = text.split("\n");
        lines[2] = new StringBuilder(lines[2]).reverse().toString();
        Path damaged = dir.resolve("damaged.pem");
        Files.writeString(damaged, String.join("\n", lines));
        assertRefused("damaged.pem", null, "damaged");
        assertNoSecrets(everything(catchThrowableOfType(PieException.class,
                () -> ParsedPrivateKey.parse(String.join("\n", lines)))), dir.resolve("p256.sec1.pem"), null);
    }

    private static String assertRefused(String file, char[] passphrase, String reason) {
        Path path = dir.resolve(file);
        PieException error = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.fromFile(path, passphrase));
        assertThat(error).as("refusal of " + file).isNotNull();
        assertThat(error.getMessage()).startsWith("key file " + path + ": ").contains(reason);
        assertNoSecrets(everything(error), path, PASSPHRASE);
        if (passphrase != null) {
            assertNoSecrets(everything(error), path, new String(passphrase));
        }
        return error.getMessage();
    }
}
