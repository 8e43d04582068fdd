package org.pieproject.client.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.pieproject.client.PieException;

/**
 * Reads {@code BEGIN OPENSSH PRIVATE KEY} files (the openssh-key-v1 format ssh-keygen writes by default).
 * The envelope is read here so the key type can be checked, and an encrypted key recognised, before any
 * decryption; BouncyCastle decrypts (bcrypt KDF and OpenSSH's ciphers) and decodes the private values.
 */
final class OpenSshPrivateKeys {
    static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String END = "-----END OPENSSH PRIVATE KEY-----";
    private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final String WHAT = "OpenSSH private key";

    /** The ciphers ssh-keygen can write and BouncyCastle can decrypt. */
    private static final Set<String> CIPHERS = Set.of(
            "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc",
            "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com");

    /**
     * ssh-keygen uses 16 rounds unless told otherwise and 100 is a common hardening. Each round costs about
     * 30 ms here, so a damaged or hostile count in the billions must not be allowed to spin for days: the
     * cap bounds the worst case to some 15 seconds.
     */
    static final long MAX_KDF_ROUNDS = 512;

    private OpenSshPrivateKeys() {
    }

    record Parsed(KeyType type, AsymmetricKeyParameter privateKey, byte[] publicBlob) {
    }

    static Parsed read(String text, char[] passphrase) {
        byte[] blob = decodeBody(text);
        SshWireReader in = new SshWireReader(blob, WHAT);
        if (!in.startsWith(MAGIC)) {
            throw new PieException("not an OpenSSH private key: the openssh-key-v1 marker is missing");
        }
        in.skip(MAGIC.length);
        String cipher = in.readName();
        String kdf = in.readName();
        byte[] kdfOptions = in.readBytes();
        long keyCount = in.readUint32();
        if (keyCount != 1) {
            throw new PieException("the OpenSSH private key file holds " + keyCount + " keys; exactly one is supported");
        }
        byte[] publicBlob = in.readBytes();
        // The public half is stored unencrypted: refuse an unusable key before asking for its passphrase.
        KeyType type = PublicKeys.checkOpenSshBlob(publicBlob);

        AsymmetricKeyParameter privateKey;
        if (cipher.equals("none")) {
            privateKey = decode(() -> OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(blob), false);
        } else {
            checkEncryption(cipher, kdf, kdfOptions);
            if (!Passphrases.given(passphrase)) {
                throw new PieException(Passphrases.NEEDED);
            }
            byte[] secret = Passphrases.utf8(passphrase);
            try {
                privateKey = decode(() -> OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(blob, secret), true);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        }
        KeyType privateType = KeyPolicy.check(privateKey);
        if (!privateType.equals(type)) {
            throw new PieException("the OpenSSH private key file is damaged: its private part does not match "
                    + "its public part");
        }
        return new Parsed(type, privateKey, publicBlob);
    }

    private static byte[] decodeBody(String text) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END, begin);
        if (begin < 0 || end < 0) {
            throw new PieException("the OpenSSH private key is truncated: its END line is missing");
        }
        try {
            // The MIME decoder skips the line breaks (and any CR) between base64 lines.
            return Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end).strip());
        } catch (IllegalArgumentException e) {
            throw new PieException("the OpenSSH private key is damaged: its body is not valid base64");
        }
    }

    private static void checkEncryption(String cipher, String kdf, byte[] kdfOptions) {
        if (!CIPHERS.contains(cipher)) {
            throw new PieException("this OpenSSH private key is encrypted with cipher '" + printable(cipher)
                    + "', which is not supported; re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f KEY");
        }
        if (!kdf.equals("bcrypt")) {
            throw new PieException("this OpenSSH private key uses key derivation '" + printable(kdf)
                    + "', which is not supported (only bcrypt is)");
        }
        SshWireReader options = new SshWireReader(kdfOptions, WHAT + "'s KDF options");
        options.readBytes(); // salt
        long rounds = options.readUint32();
        if (rounds < 1 || rounds > MAX_KDF_ROUNDS) {
            throw new PieException("this OpenSSH private key asks for " + rounds + " bcrypt rounds; 1 to "
                    + MAX_KDF_ROUNDS + " are accepted (re-encrypt it with: ssh-keygen -p -a 100 -f KEY)");
        }
    }

    private interface Decoder {
        AsymmetricKeyParameter decode();
    }

    private static AsymmetricKeyParameter decode(Decoder decoder, boolean encrypted) {
        try {
            return decoder.decode();
        } catch (RuntimeException e) {
            if (encrypted) {
                // The envelope, cipher and KDF were checked above, so a failure here is a failed
                // decryption: a wrong checksum (CTR/CBC) or authentication tag (GCM/ChaCha20-Poly1305).
                throw new PieException(Passphrases.WRONG, e);
            }
            throw new PieException("the OpenSSH private key is damaged and cannot be decoded", e);
        }
    }

    /** Names from the file go into messages only when they look like names, never as raw bytes. */
    static String printable(String name) {
        return name.matches("[A-Za-z0-9@._+-]{1,64}") ? name : "(unreadable name)";
    }
}
