package org.pieproject.client.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieException;

/**
 * Run in a child JVM by {@link QuietParsingTest}: loads every kind of key, including the failing paths, and
 * must print nothing at all. Exit codes tell the parent what went wrong without printing.
 */
public final class QuietParsingMain {
    static final int BC_REGISTERED = 3;
    static final int UNEXPECTED = 2;

    private QuietParsingMain() {
    }

    /** @param args the key directory, then the passphrase of its encrypted keys */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        char[] passphrase = args[1].toCharArray();
        try {
            for (String plain : new String[] {"rsa", "ecdsa", "sec1.pem", "pkcs8.pem"}) {
                check(ParsedPrivateKey.fromFile(dir.resolve(plain)));
            }
            for (String encrypted : new String[] {"ed25519", "pkcs8.enc.pem", "pkcs1.enc.pem"}) {
                check(ParsedPrivateKey.fromFile(dir.resolve(encrypted), passphrase));
                expectRefusal(dir.resolve(encrypted), "wrong-passphrase".toCharArray());
                expectRefusal(dir.resolve(encrypted), null);
            }
            expectRefusal(dir.resolve("ed25519.pub"), null);
            PublicKeys.parse(Files.readString(dir.resolve("ed25519.pub")));
            PublicKeys.parse(Files.readString(dir.resolve("pkcs8.pub.pem")));
        } catch (RuntimeException e) {
            System.exit(UNEXPECTED);
        }
        System.exit(Security.getProvider("BC") != null ? BC_REGISTERED : 0);
    }

    private static void check(ParsedPrivateKey key) {
        if (!Signatures.verify(key.publicKey(), new byte[48], key.sign(new byte[48]))) {
            throw new IllegalStateException("signature did not verify");
        }
    }

    private static void expectRefusal(Path file, char[] passphrase) {
        try {
            ParsedPrivateKey.fromFile(file, passphrase);
        } catch (PieException expected) {
            return;
        }
        throw new IllegalStateException("accepted");
    }
}
