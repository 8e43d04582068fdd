package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.pieproject.client.auth.KeyTools.assertNoSecrets;
import static org.pieproject.client.auth.KeyTools.everything;
import static org.pieproject.client.auth.KeyTools.run;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pieproject.client.auth.KeyScheme;
import org.pieproject.client.auth.KeyTools;
import org.pieproject.client.auth.PublicKeys;
import org.pieproject.client.auth.Signatures;

/**
 * Keys made by ssh-keygen at test time: every type the engine accepts loads and signs in a way openssl
 * verifies; the ones it refuses are refused with the reason; passphrases are handled as users expect.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParsedPrivateKeyOpenSshTest {
    private static final String PASSPHRASE = "correct horse battery staple";
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    static Path dir;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyTools.requireTool("ssh-keygen");
        KeyTools.requireTool("openssl");
        // RSA-4096 takes a second or two: let it run while the others are made.
        CompletableFuture<String> rsa4096 = KeyTools.runAsync(dir, "ssh-keygen", "-q", "-t", "rsa", "-b", "4096",
                "-N", "", "-C", "test", "-f", "rsa4096");
        keygen("ed25519", "-t", "ed25519", "-N", "");
        keygen("rsa2048", "-t", "rsa", "-b", "2048", "-N", "");
        keygen("rsa3072", "-t", "rsa", "-b", "3072", "-N", "");
        keygen("ecdsa256", "-t", "ecdsa", "-b", "256", "-N", "");
        keygen("ecdsa384", "-t", "ecdsa", "-b", "384", "-N", "");
        keygen("ecdsa521", "-t", "ecdsa", "-b", "521", "-N", "");
        keygen("rsa1024", "-t", "rsa", "-b", "1024", "-N", "");
        // OpenSSH releases from 9.8 on may be built without DSA; the test for it then checks nothing.
        KeyTools.runAllowingFailure(dir, "ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", "dsa");
        // ed25519-pass has ssh-keygen's defaults (aes256-ctr, 16 bcrypt rounds); the rest use 4 rounds, as
        // bcrypt in Java costs some 30 ms a round and every wrong-passphrase check pays it again.
        keygen("ed25519-pass", "-t", "ed25519", "-N", PASSPHRASE);
        keygen("rsa-pass", "-t", "rsa", "-b", "2048", "-N", PASSPHRASE, "-a", "4");
        for (String cipher : new String[] {"aes128-ctr", "aes256-cbc", "aes256-gcm@openssh.com",
                "chacha20-poly1305@openssh.com"}) {
            keygen("ed25519-" + cipher, "-t", "ed25519", "-N", PASSPHRASE, "-Z", cipher, "-a", "4");
        }
        // Re-exports of the same keys in PEM (PKCS#1 / SEC1, also encrypted) and PKCS#8.
        export("rsa2048", "rsa2048.pkcs1", "PEM", "");
        export("ecdsa256", "ecdsa256.sec1", "PEM", "");
        export("rsa2048", "rsa2048.pkcs8", "PKCS8", "");
        export("ecdsa384", "ecdsa384.pkcs8", "PKCS8", "");
        export("rsa3072", "rsa3072.pkcs1-pass", "PEM", PASSPHRASE);
        rsa4096.get(50, TimeUnit.SECONDS);
    }

    private static void keygen(String file, String... options) {
        String[] command = new String[options.length + 6];
        command[0] = "ssh-keygen";
        command[1] = "-q";
        System.arraycopy(options, 0, command, 2, options.length);
        command[options.length + 2] = "-C";
        command[options.length + 3] = "test";
        command[options.length + 4] = "-f";
        command[options.length + 5] = file;
        run(dir, command);
    }

    private static void export(String from, String to, String format, String passphrase) throws Exception {
        Files.copy(dir.resolve(from), dir.resolve(to), StandardCopyOption.REPLACE_EXISTING);
        run(dir, "ssh-keygen", "-q", "-p", "-m", format, "-P", "", "-N", passphrase, "-f", to);
    }

    @ParameterizedTest
    @CsvSource({
        "ed25519, Ed25519, ed25519",
        "rsa2048, RSA-2048, rsa2048",
        "rsa3072, RSA-3072, rsa3072",
        "rsa4096, RSA-4096, rsa4096",
        "ecdsa256, ECDSA-P256, ecdsa256",
        "ecdsa384, ECDSA-P384, ecdsa384",
        "rsa2048.pkcs1, RSA-2048, rsa2048",
        "ecdsa256.sec1, ECDSA-P256, ecdsa256",
        "rsa2048.pkcs8, RSA-2048, rsa2048",
        "ecdsa384.pkcs8, ECDSA-P384, ecdsa384",
    })
    void acceptedKeysSignAsOpensslAndTheEngineExpect(String file, String algorithm, String original) throws Exception {
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(dir.resolve(file));

        assertThat(key.algorithm()).isEqualTo(algorithm);
        String pubLine = Files.readString(dir.resolve(original + ".pub")).strip();
        assertThat(key.fingerprint()).isEqualTo(run(dir, "ssh-keygen", "-l", "-f", original + ".pub").split(" ")[1]);
        assertThat(pubLine).startsWith(key.openSshPublicKey() + " ");
        assertThat(key.publicKey()).isEqualTo(PublicKeys.parse(pubLine));
        assertThat(key.toString()).contains(algorithm).contains(key.fingerprint());
        assertNoSecrets(key.toString(), dir.resolve(file), null);

        byte[] challenge = new byte[48];
        RANDOM.nextBytes(challenge);
        byte[] signature = key.sign(challenge);

        KeyScheme scheme = PublicKeys.typeOf(key.publicKey()).scheme();
        switch (scheme) {
            case ED25519 -> assertThat(signature).hasSize(64);
            case RSA -> assertThat(signature).hasSize(((RSAPublicKey) key.publicKey()).getModulus().bitLength() / 8);
            case ECDSA_P256, ECDSA_P384 -> assertThat(signature[0]).as("DER SEQUENCE tag").isEqualTo((byte) 0x30);
        }
        Path publicPem = dir.resolve(file + ".pub.pem");
        Files.writeString(publicPem, publicPem(original + ".pub", pubLine));
        assertThat(KeyTools.opensslVerifies(dir, publicPem, scheme, challenge, signature)).as("openssl verifies").isTrue();
        assertThat(Signatures.verify(PublicKeys.parse(pubLine), challenge, signature)).isTrue();

        // The oracle is not blind: a changed challenge fails both checks.
        challenge[0] ^= 1;
        assertThat(KeyTools.opensslVerifies(dir, publicPem, scheme, challenge, signature)).isFalse();
        assertThat(Signatures.verify(key.publicKey(), challenge, signature)).isFalse();
    }

    /**
     * The public key as PEM, straight from ssh-keygen's output: ssh-keygen converts RSA and ECDSA itself;
     * for Ed25519 (which its -e -m PKCS8 refuses) the fixed SPKI prefix of RFC 8410 goes before the 32 key
     * bytes of the .pub line.
     */
    private static String publicPem(String pubFile, String pubLine) {
        if (!pubLine.startsWith("ssh-ed25519 ")) {
            return run(dir, "ssh-keygen", "-e", "-m", "PKCS8", "-f", pubFile);
        }
        byte[] blob = Base64.getDecoder().decode(pubLine.split(" ")[1]);
        byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] der = Arrays.copyOf(spki, spki.length + 32);
        System.arraycopy(blob, blob.length - 32, der, spki.length, 32);
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }

    @Test
    void p521IsRefused() {
        assertRefused("ecdsa521", null, "P-521", "supported: RSA (2048 to 4096 bits), Ed25519, ECDSA P-256");
    }

    @Test
    void rsa1024IsRefusedAsTooWeak() {
        assertRefused("rsa1024", null, "RSA key is too weak: 1024 bits (minimum required: 2048 bits)");
    }

    @Test
    void dsaIsRefused() {
        // ssh-keygen builds without DSA cannot make the key; the refusal then cannot be shown.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir.resolve("dsa")), "ssh-keygen made no DSA key");
        assertRefused("dsa", null, "DSA keys are not supported", "supported:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ed25519.pub", "rsa2048.pub", "ecdsa384.pub"})
    void publicKeyFileGivenAsPrivateKeyIsRefused(String file) {
        assertRefused(file, null, "public key", "not a private key");
    }

    @ParameterizedTest
    @CsvSource({"ed25519-pass, Ed25519", "rsa-pass, RSA-2048", "rsa3072.pkcs1-pass, RSA-3072"})
    void encryptedKeysNeedTheRightPassphrase(String file, String algorithm) {
        Path path = dir.resolve(file);
        char[] passphrase = PASSPHRASE.toCharArray();
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(path, passphrase);
        assertThat(key.algorithm()).isEqualTo(algorithm);
        assertThat(passphrase).as("the caller's array is left as it was").isEqualTo(PASSPHRASE.toCharArray());
        assertThat(Signatures.verify(key.publicKey(), new byte[48], key.sign(new byte[48]))).isTrue();
        assertNoSecrets(key.toString(), path, PASSPHRASE);

        String missing = assertRefused(file, null, "this key is encrypted; give a passphrase");
        String empty = assertRefused(file, new char[0], "this key is encrypted; give a passphrase");
        String wrong = assertRefused(file, "Correct horse battery staple".toCharArray(), "wrong passphrase");
        assertThat(missing).isEqualTo(empty).doesNotContain("wrong passphrase");
        assertThat(wrong).doesNotContain("give a passphrase");
    }

    @ParameterizedTest
    @ValueSource(strings = {"aes128-ctr", "aes256-cbc", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"})
    void everyOpenSshCipherDecrypts(String cipher) {
        String file = "ed25519-" + cipher;
        ParsedPrivateKey key = ParsedPrivateKey.fromFile(dir.resolve(file), PASSPHRASE.toCharArray());
        assertThat(key.algorithm()).isEqualTo("Ed25519");
        assertThat(key.fingerprint()).isEqualTo(run(dir, "ssh-keygen", "-l", "-f", file + ".pub").split(" ")[1]);
        assertRefused(file, "Tr0ub4dor&3".toCharArray(), "wrong passphrase");
    }

    @Test
    void hostileKdfRoundsAndUnknownCiphersAreRefusedBeforeDecrypting() throws Exception {
        String text = Files.readString(dir.resolve("ed25519-pass"));
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] blob = Base64.getDecoder().decode(body);
        // openssh-key-v1\0, string cipher, string kdf, string kdfoptions { string salt, uint32 rounds }
        ByteBuffer in = ByteBuffer.wrap(blob);
        in.position(15);
        int cipherAt = in.position() + 4;
        in.position(in.position() + 4 + in.getInt(in.position()));
        in.position(in.position() + 4 + in.getInt(in.position()));
        in.position(in.position() + 4);
        int roundsAt = in.position() + 4 + in.getInt(in.position());
        assertThat(in.getInt(roundsAt)).as("ssh-keygen's default rounds").isEqualTo(16);

        byte[] hostile = blob.clone();
        ByteBuffer.wrap(hostile).putInt(roundsAt, Integer.MAX_VALUE);
        PieException rounds = catchThrowableOfType(PieException.class,
                () -> ParsedPrivateKey.parse(pem(hostile), PASSPHRASE.toCharArray()));
        assertThat(rounds).hasMessageContaining("asks for 2147483647 bcrypt rounds; 1 to 512 are accepted");

        byte[] unknownCipher = blob.clone();
        System.arraycopy("aes256-xyz".getBytes(StandardCharsets.US_ASCII), 0, unknownCipher, cipherAt, 10);
        PieException cipher = catchThrowableOfType(PieException.class,
                () -> ParsedPrivateKey.parse(pem(unknownCipher), PASSPHRASE.toCharArray()));
        assertThat(cipher).hasMessageContaining("cipher 'aes256-xyz', which is not supported");
    }

    private static String pem(byte[] blob) {
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(blob)
                + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    @Test
    void keyTextParsesLikeTheFile() throws Exception {
        String text = Files.readString(dir.resolve("rsa-pass"));
        ParsedPrivateKey fromText = ParsedPrivateKey.parse(text, PASSPHRASE.toCharArray());
        assertThat(fromText.fingerprint())
                .isEqualTo(run(dir, "ssh-keygen", "-l", "-f", "rsa-pass.pub").split(" ")[1]);
        PieException error = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(text));
        assertThat(error).hasMessage("this key is encrypted; give a passphrase");
    }

    @Test
    void stringPathExpandsTheHomeDirectory() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.copy(dir.resolve("ed25519"), home.resolve("id_test"), StandardCopyOption.REPLACE_EXISTING);
        String saved = System.getProperty("user.home");
        System.setProperty("user.home", home.toString());
        try {
            assertThat(ParsedPrivateKey.fromFile("~/id_test").algorithm()).isEqualTo("Ed25519");
            PieException error = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.fromFile("~"));
            assertThat(error.getMessage()).contains(home.toString()).contains("is a directory");
        } finally {
            System.setProperty("user.home", saved);
        }
    }

    /** Asserts the refusal names the file and the reason, and leaks nothing; returns the message minus the path. */
    private static String assertRefused(String file, char[] passphrase, String... fragments) {
        Path path = dir.resolve(file);
        PieException error = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.fromFile(path, passphrase));
        assertThat(error).as("refusal of " + file).isNotNull();
        assertThat(error.getMessage()).startsWith("key file " + path + ": ").contains(fragments);
        assertNoSecrets(everything(error), path, passphrase == null ? PASSPHRASE : new String(passphrase));
        assertNoSecrets(everything(error), path, PASSPHRASE);
        return error.getMessage().substring(("key file " + path + ": ").length());
    }
}
