package org.pieproject.client.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pieproject.client.auth.KeyTools.run;

import java.io.File;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.testsupport.Children;

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
        // A child that outlives its deadline is killed, not left running after the test failed.
        Children.Finished child = Children.run(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                QuietParsingMain.class.getName(), dir.toString(), PASSPHRASE))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))), Duration.ofSeconds(45));

        assertThat(child.stdout()).as("child stdout").isEmpty();
        assertThat(child.stderr()).as("child stderr").isEmpty();
        assertThat(child.exitCode()).as("child exit code (3: BouncyCastle registered, 2: a key misbehaved)").isZero();
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

}
