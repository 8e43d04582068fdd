package org.pieproject.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pieproject.client.auth.KeyTools.run;

import java.io.File;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.ParsedPrivateKey;

/**
 * Key parsing prints nothing and changes no global JCA state. SLF4J (on this class path, without a
 * provider) would print "No SLF4J providers were found" to stderr if anything woke it; BouncyCastle must
 * never be added to the JVM's provider list. Both are checked in a fresh JVM, since either can happen
 * only once per JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuietParsingTest {
    private static final String PASSPHRASE = "quiet please";

    @TempDir
    Path dir;

    @Test
    void parsingEveryKindOfKeyInAFreshJvmPrintsNothing() throws Exception {
        KeyTools.requireTool("ssh-keygen");
        KeyTools.requireTool("openssl");
        run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", PASSPHRASE, "-f", "ed25519");
        run(dir, "ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", "rsa");
        run(dir, "ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", "ecdsa");
        run(dir, "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "pkcs8.pem");
        run(dir, "openssl", "pkey", "-in", "pkcs8.pem", "-pubout", "-out", "pkcs8.pub.pem");
        run(dir, "openssl", "ec", "-in", "pkcs8.pem", "-out", "sec1.pem");
        run(dir, "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "pkcs8.pem", "-passout", "pass:" + PASSPHRASE,
                "-out", "pkcs8.enc.pem");
        run(dir, "openssl", "genrsa", "-traditional", "-aes128", "-passout", "pass:" + PASSPHRASE, "-out",
                "pkcs1.enc.pem", "2048");

        String java = ProcessHandle.current().info().command().orElseGet(
                () -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                QuietParsingMain.class.getName(), dir.toString(), PASSPHRASE))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var stdout = CompletableFuture.supplyAsync(() -> drain(child.getInputStream()));
        var stderr = CompletableFuture.supplyAsync(() -> drain(child.getErrorStream()));
        assertThat(child.waitFor(45, TimeUnit.SECONDS)).as("child JVM finished").isTrue();

        assertThat(stdout.get(5, TimeUnit.SECONDS)).as("child stdout").isEmpty();
        assertThat(stderr.get(5, TimeUnit.SECONDS)).as("child stderr").isEmpty();
        assertThat(child.exitValue()).as("child exit code (3: BouncyCastle registered, 2: a key misbehaved)").isZero();
    }

    @Test
    void bouncyCastleIsNeverRegisteredInThisJvm(@TempDir Path keys) {
        KeyTools.requireTool("openssl");
        run(keys, "openssl", "genpkey", "-algorithm", "ED25519", "-out", "k.pem");
        run(keys, "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "k.pem", "-passout", "pass:x1", "-out",
                "k.enc.pem");
        assertThat(ParsedPrivateKey.fromFile(keys.resolve("k.enc.pem"), "x1".toCharArray()).algorithm()).isEqualTo("Ed25519");
        assertThat(Security.getProvider("BC")).isNull();
    }

    private static String drain(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
