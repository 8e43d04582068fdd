package org.pieproject.client;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.pieproject.client.auth.KeyFiles;
import org.pieproject.client.auth.KeyType;
import org.pieproject.client.auth.PrivateKeys;
import org.pieproject.client.auth.PublicKeys;
import org.pieproject.client.auth.Signatures;

/**
 * A private key loaded for the engine's public-key authentication (protocol §4.2), ready to sign challenges.
 *
 * <p>Reads OpenSSH keys ({@code BEGIN OPENSSH PRIVATE KEY}, including passphrase-protected ones) and PEM keys:
 * PKCS#8 ({@code BEGIN PRIVATE KEY}, {@code BEGIN ENCRYPTED PRIVATE KEY}), PKCS#1
 * ({@code BEGIN RSA PRIVATE KEY}, also with OpenSSL's legacy encryption) and SEC1 ({@code BEGIN EC PRIVATE KEY}).
 * Accepts the key types the engine can check: RSA of 2048 to 4096 bits, Ed25519, ECDSA P-256 and P-384.
 * Anything else is refused with a {@link PieException} that says what was found and what is supported.
 *
 * <p>Instances are immutable and safe to share between threads. Neither {@link #toString()} nor any
 * exception message contains key material or the passphrase, and passphrase arrays are not kept: pass
 * yours and wipe it afterwards if you wish.
 */
public final class ParsedPrivateKey {
    private final KeyType type;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String fingerprint;

    private ParsedPrivateKey(PrivateKeys.Loaded loaded) {
        this.type = loaded.type();
        this.privateKey = loaded.privateKey();
        this.publicKey = loaded.publicKey();
        this.fingerprint = PublicKeys.fingerprint(publicKey);
    }

    /**
     * Loads an unencrypted key file.
     *
     * @param path the file; a leading {@code ~} or {@code ~/} means the user's home directory
     * @return the key, ready to sign
     * @throws PieException if the file cannot be read or holds no supported, unencrypted private key
     */
    public static ParsedPrivateKey fromFile(String path) {
        return fromFile(KeyFiles.expandHome(path), null);
    }

    /**
     * Loads a key file, encrypted or not.
     *
     * @param path       the file; a leading {@code ~} or {@code ~/} means the user's home directory
     * @param passphrase the passphrase of an encrypted key, or {@code null}
     * @return the key, ready to sign
     * @throws PieException if the file cannot be read or holds no supported private key
     */
    public static ParsedPrivateKey fromFile(String path, char @Nullable [] passphrase) {
        return fromFile(KeyFiles.expandHome(path), passphrase);
    }

    /**
     * Loads an unencrypted key file.
     *
     * @param path the file
     * @return the key, ready to sign
     * @throws PieException if the file cannot be read or holds no supported, unencrypted private key
     */
    public static ParsedPrivateKey fromFile(Path path) {
        return fromFile(path, null);
    }

    /**
     * Loads a key file, encrypted or not.
     *
     * @param path       the file
     * @param passphrase the passphrase of an encrypted key, or {@code null}
     * @return the key, ready to sign
     * @throws PieException if the file cannot be read or holds no supported private key; the message names
     *                      the path
     */
    public static ParsedPrivateKey fromFile(Path path, char @Nullable [] passphrase) {
        Objects.requireNonNull(path, "path");
        String text = KeyFiles.read(path);
        try {
            return new ParsedPrivateKey(PrivateKeys.read(text, passphrase));
        } catch (PieException e) {
            throw new PieException("key file " + path + ": " + e.getMessage(), e.getCause());
        }
    }

    /**
     * Parses an unencrypted key from its text.
     *
     * @param keyText the key file's content (PEM or OpenSSH)
     * @return the key, ready to sign
     * @throws PieException if the text holds no supported, unencrypted private key
     */
    public static ParsedPrivateKey parse(String keyText) {
        return parse(keyText, null);
    }

    /**
     * Parses a key from its text, encrypted or not.
     *
     * @param keyText    the key file's content (PEM or OpenSSH)
     * @param passphrase the passphrase of an encrypted key, or {@code null}
     * @return the key, ready to sign
     * @throws PieException if the text holds no supported private key
     */
    public static ParsedPrivateKey parse(String keyText, char @Nullable [] passphrase) {
        return new ParsedPrivateKey(PrivateKeys.read(keyText, passphrase));
    }

    /**
     * Signs data with the engine's scheme for this key type: RSA PKCS#1 v1.5 with SHA-256 (exactly the
     * modulus length), Ed25519 (64 bytes), or DER-encoded ECDSA with SHA-256 (P-256) or SHA-384 (P-384).
     *
     * @param data the bytes to sign; for authentication, the 48 decoded challenge bytes
     * @return the raw signature, to be base64-encoded for {@code auth_prove}
     */
    public byte[] sign(byte[] data) {
        Objects.requireNonNull(data, "data");
        return Signatures.sign(privateKey, type.scheme(), data);
    }

    /**
     * The key type, for logs and diagnostics.
     *
     * @return {@code RSA-2048}, {@code RSA-3072}, {@code RSA-4096}, {@code Ed25519}, {@code ECDSA-P256} or
     *         {@code ECDSA-P384}
     */
    public String algorithm() {
        return type.label();
    }

    /**
     * The public half, as the engine's user administration would register it.
     *
     * @return the public key
     */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * Identifies the key without revealing it, e.g. to check which key a program loaded.
     *
     * @return the public key's SHA-256 fingerprint, as {@code ssh-keygen -l} prints it ({@code SHA256:...})
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * The public key in the form the engine's key list takes.
     *
     * @return an OpenSSH line ({@code ssh-ed25519 AAAA...})
     */
    public String openSshPublicKey() {
        return PublicKeys.toOpenSsh(publicKey);
    }

    /** Only the type and the public fingerprint. */
    @Override
    public String toString() {
        return "ParsedPrivateKey[" + type.label() + " " + fingerprint + "]";
    }
}
