package org.pieproject.client.auth;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.pieproject.client.PieException;

/**
 * Reads a private key from its text in any supported format and hands back JDK key objects. The single
 * entry point behind {@link org.pieproject.client.ParsedPrivateKey}.
 */
public final class PrivateKeys {
    private static final byte[] SELF_CHECK = "pie private key self-check".getBytes(StandardCharsets.US_ASCII);

    private PrivateKeys() {
    }

    /**
     * A loaded key pair, ready to sign.
     *
     * @param type       the engine's type for the key
     * @param privateKey the JDK private key
     * @param publicKey  the JDK public key, derived from the private one
     */
    public record Loaded(KeyType type, PrivateKey privateKey, PublicKey publicKey) {
        @Override
        public String toString() {
            return "Loaded[" + type.label() + "]";
        }
    }

    /**
     * Reads a private key, whatever its format, and checks that it can sign.
     *
     * @param text       the key file's text
     * @param passphrase the passphrase for an encrypted key, or {@code null}; only copies of it are used,
     *                   and they are wiped before this returns
     * @return the key pair
     * @throws PieException saying what was found and what is supported, without any key material
     */
    public static Loaded read(String text, char[] passphrase) {
        if (text == null || text.isBlank()) {
            throw new PieException("no private key: the key text is empty");
        }
        AsymmetricKeyParameter parsed;
        KeyType type;
        if (text.contains(OpenSshPrivateKeys.BEGIN)) {
            OpenSshPrivateKeys.Parsed key = OpenSshPrivateKeys.read(text, passphrase);
            parsed = key.privateKey();
            type = key.type();
        } else if (text.contains("-----BEGIN ")) {
            parsed = PemKeys.readPrivate(text, passphrase);
            if (!parsed.isPrivate()) {
                throw new PieException("this is a public key, not a private key");
            }
            type = KeyPolicy.check(parsed);
        } else {
            throw notAKey(text);
        }
        PrivateKey privateKey = JdkKeys.toJdkPrivate(parsed, type);
        PublicKey publicKey = JdkKeys.toJdkPublic(JdkKeys.publicHalf(parsed), type);
        selfCheck(type, privateKey, publicKey);
        return new Loaded(type, privateKey, publicKey);
    }

    /**
     * A damaged key can still decode (an RSA key whose exponents do not belong together): one signature
     * now turns that into a clear error here instead of a "Signature verification failed" from the engine.
     */
    private static void selfCheck(KeyType type, PrivateKey privateKey, PublicKey publicKey) {
        byte[] signature = Signatures.sign(privateKey, type.scheme(), SELF_CHECK);
        if (!Signatures.verify(publicKey, SELF_CHECK, signature)) {
            throw new PieException("the " + type.label() + " private key is damaged: its signatures do not verify");
        }
    }

    private static PieException notAKey(String text) {
        String first = text.strip().lines().findFirst().orElse("");
        String firstToken = first.split("\\s+", 2)[0];
        if (PublicKeys.looksLikeSshType(firstToken)) {
            return new PieException("this is an OpenSSH public key (" + OpenSshPrivateKeys.printable(firstToken)
                    + "), not a private key: give the private key file (e.g. id_ed25519, not id_ed25519.pub)");
        }
        if (first.startsWith("---- BEGIN SSH2")) {
            return new PieException("this is an RFC 4716 (SSH2) key, which is not supported; give an OpenSSH or PEM "
                    + "private key");
        }
        if (first.startsWith("PuTTY-User-Key-File-")) {
            return new PieException("PuTTY .ppk keys are not supported; convert with: "
                    + "puttygen KEY.ppk -O private-openssh-new -o KEY");
        }
        return new PieException("not a private key: expected a PEM or OpenSSH key (BEGIN OPENSSH PRIVATE KEY, "
                + "BEGIN PRIVATE KEY, BEGIN ENCRYPTED PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }
}
