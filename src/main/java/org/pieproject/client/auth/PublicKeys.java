package org.pieproject.client.auth;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.pieproject.client.PieException;

/**
 * Public keys as the engine registers them (protocol §4.3): OpenSSH one-line keys ({@code ssh-rsa},
 * {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ecdsa-sha2-nistp384}), PEM
 * {@code BEGIN PUBLIC KEY} (SPKI) and PEM {@code BEGIN RSA PUBLIC KEY} (PKCS#1). Keys the engine would
 * refuse (RSA under 2048 or over 4096 bits, P-521, DSA, anything else) are refused here with the reason.
 */
public final class PublicKeys {
    private static final Set<String> SUPPORTED_SSH_TYPES =
            Set.of("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384");

    private PublicKeys() {
    }

    /**
     * Parses one public key.
     *
     * @param text an OpenSSH public key line ({@code type base64 [comment]}, authorized_keys options allowed)
     *             or a PEM public key
     * @return the JDK public key
     * @throws PieException if the text holds no supported public key, or more than one
     */
    public static PublicKey parse(String text) {
        List<PublicKey> keys = parseAll(text);
        if (keys.size() != 1) {
            throw new PieException("expected one public key, found " + keys.size());
        }
        return keys.get(0);
    }

    /**
     * Parses a PEM public key, or every key line of an authorized_keys-style text (blank lines and
     * {@code #} comments skipped).
     *
     * @param text the PEM or authorized_keys text
     * @return the keys, in order
     * @throws PieException for the first line that is not a supported public key (its line number is given)
     */
    public static List<PublicKey> parseAll(String text) {
        if (text == null || text.isBlank()) {
            throw new PieException("no public key: the text is empty");
        }
        if (text.contains("PRIVATE KEY-----")) {
            throw new PieException("this is a private key (BEGIN " + PemKeys.label(text) + "), not a public key: "
                    + "give the public key (e.g. id_ed25519.pub, or the output of: openssl pkey -pubout -in KEY)");
        }
        if (text.contains("-----BEGIN ")) {
            return List.of(toJdk(PemKeys.readPublic(text)));
        }
        if (text.contains("---- BEGIN SSH2 PUBLIC KEY ----")) {
            throw new PieException("RFC 4716 (SSH2) public keys are not supported; convert with: ssh-keygen -i -f KEY.pub");
        }
        List<PublicKey> keys = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                keys.add(parseOpenSshLine(line));
            } catch (PieException e) {
                throw lines.length == 1 ? e : new PieException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(keys);
    }

    /**
     * The engine's type for a JDK public key.
     *
     * @param key the key
     * @return its type
     * @throws PieException if the engine would refuse the key
     */
    public static KeyType typeOf(PublicKey key) {
        return KeyPolicy.check(JdkKeys.fromJdkPublic(key));
    }

    /**
     * The OpenSSH one-line form ({@code type base64}), as an authorized_keys line without a comment.
     *
     * @param key the key
     * @return the line
     */
    public static String toOpenSsh(PublicKey key) {
        byte[] blob = openSshBlob(key);
        return sshTypeName(blob) + " " + Base64.getEncoder().encodeToString(blob);
    }

    /**
     * The SHA-256 fingerprint as {@code ssh-keygen -l} prints it: {@code SHA256:} and unpadded base64.
     *
     * @param key the key
     * @return the fingerprint
     */
    public static String fingerprint(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(openSshBlob(key));
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Checks the public key blob of an OpenSSH key (public line or private key file) against the policy. */
    static KeyType checkOpenSshBlob(byte[] blob) {
        return KeyPolicy.check(parseOpenSshBlob(blob));
    }

    private static PublicKey parseOpenSshLine(String line) {
        String[] tokens = line.split("\\s+");
        // authorized_keys lines may start with options; the key starts at the first known type name.
        int at = 0;
        while (at < tokens.length && !looksLikeSshType(tokens[at])) {
            at++;
        }
        if (at >= tokens.length - 1) {
            throw new PieException("not an OpenSSH public key: expected 'TYPE BASE64 [COMMENT]' with TYPE one of "
                    + String.join(", ", SUPPORTED_SSH_TYPES.stream().sorted().toList()));
        }
        String type = tokens[at];
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(tokens[at + 1]);
        } catch (IllegalArgumentException e) {
            throw new PieException("the " + OpenSshPrivateKeys.printable(type) + " public key is not valid base64");
        }
        String inner = sshTypeName(blob);
        if (!inner.equals(type)) {
            throw new PieException("the public key line says " + OpenSshPrivateKeys.printable(type)
                    + " but its data holds " + OpenSshPrivateKeys.printable(inner));
        }
        return toJdk(parseOpenSshBlob(blob));
    }

    static boolean looksLikeSshType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-sha2-") || token.startsWith("sk-")
                || token.startsWith("rsa-sha2-");
    }

    private static AsymmetricKeyParameter parseOpenSshBlob(byte[] blob) {
        String type = sshTypeName(blob);
        if (!SUPPORTED_SSH_TYPES.contains(type)) {
            throw unsupportedSshType(type);
        }
        try {
            return OpenSSHPublicKeyUtil.parsePublicKey(blob);
        } catch (RuntimeException e) {
            throw new PieException("the " + type + " public key is damaged", e);
        }
    }

    private static PieException unsupportedSshType(String type) {
        if (type.equals("ssh-dss")) {
            return KeyPolicy.unsupported("DSA");
        }
        if (type.equals("ecdsa-sha2-nistp521")) {
            return new PieException("ECDSA keys on curve P-521 are not supported (" + KeyPolicy.SUPPORTED + ")");
        }
        if (type.startsWith("sk-")) {
            return new PieException("security-key (FIDO) keys are not supported (" + KeyPolicy.SUPPORTED + ")");
        }
        if (type.contains("-cert-v01@openssh.com")) {
            return new PieException("OpenSSH certificates are not supported; give the plain key ("
                    + KeyPolicy.SUPPORTED + ")");
        }
        return new PieException("OpenSSH key type '" + OpenSshPrivateKeys.printable(type) + "' is not supported ("
                + KeyPolicy.SUPPORTED + ")");
    }

    private static String sshTypeName(byte[] blob) {
        return new SshWireReader(blob, "OpenSSH public key").readName();
    }

    private static byte[] openSshBlob(PublicKey key) {
        AsymmetricKeyParameter parameters = JdkKeys.fromJdkPublic(key);
        KeyPolicy.check(parameters);
        try {
            return OpenSSHPublicKeyUtil.encodePublicKey(parameters);
        } catch (IOException | RuntimeException e) {
            throw new PieException("cannot encode this " + key.getAlgorithm() + " key in OpenSSH form", e);
        }
    }

    private static PublicKey toJdk(AsymmetricKeyParameter parameters) {
        if (parameters.isPrivate()) {
            throw new PieException("this is a private key, not a public key");
        }
        return JdkKeys.toJdkPublic(parameters, KeyPolicy.check(parameters));
    }
}
