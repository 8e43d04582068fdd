package org.pieproject.client.testkit;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The engine's public-key check (protocol.md §4.2): which JCA scheme each registered key uses, the strict
 * base64 of signatures, and challenge generation.
 */
final class Authenticator {
    static final int CHALLENGE_BYTES = 48;

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private final Map<String, List<PublicKey>> users;
    private final SecureRandom random = new SecureRandom();

    Authenticator(Map<String, List<PublicKey>> users) {
        this.users = Map.copyOf(users);
    }

    boolean knows(String username) {
        return users.containsKey(username);
    }

    byte[] newChallenge() {
        byte[] challenge = new byte[CHALLENGE_BYTES];
        random.nextBytes(challenge);
        return challenge;
    }

    /** Whether any key registered for {@code username} verifies {@code signature} over {@code challenge}. */
    boolean verify(String username, byte[] challenge, byte[] signature) {
        for (PublicKey key : users.getOrDefault(username, List.of())) {
            try {
                Signature verifier = Signature.getInstance(schemeFor(key));
                verifier.initVerify(key);
                verifier.update(challenge);
                if (verifier.verify(signature)) return true;
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // A signature of the wrong shape for this key simply does not verify; try the next key.
            }
        }
        return false;
    }

    /**
     * The JCA signature algorithm the engine applies for this kind of key.
     *
     * @throws IllegalArgumentException for keys the engine refuses to register
     */
    static String schemeFor(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < 2048 || bits > 4096) {
                throw new IllegalArgumentException("RSA keys must have 2048 to 4096 bits, not " + bits);
            }
            return "SHA256withRSA";
        }
        if (key instanceof ECPublicKey ec) {
            int bits = ec.getParams().getCurve().getField().getFieldSize();
            return switch (bits) {
                case 256 -> "SHA256withECDSA";
                case 384 -> "SHA384withECDSA";
                default -> throw new IllegalArgumentException("only the P-256 and P-384 curves are supported, not a "
                        + bits + "-bit curve");
            };
        }
        if (key instanceof EdECPublicKey ed && ed.getParams().getName().equals("Ed25519")) {
            return "Ed25519";
        }
        throw new IllegalArgumentException("unsupported public key type " + key.getAlgorithm()
                + " (RSA, Ed25519, EC P-256 and P-384 are supported)");
    }

    /**
     * Decodes standard base64 as strictly as the engine: canonical padding, no whitespace, no URL-safe
     * characters, no stray bits in the last symbol. The message of the exception is the decoder detail.
     */
    static byte[] decodeStrict(String text) {
        int firstPad = text.indexOf('=');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean padding = c == '=' && firstPad >= 0 && i >= firstPad;
            if (ALPHABET.indexOf(c) < 0 && !padding) {
                throw new IllegalArgumentException("Invalid symbol " + (int) c + ", offset " + i + ".");
            }
            if (c != '=' && firstPad >= 0 && i > firstPad) {
                throw new IllegalArgumentException("Invalid symbol " + (int) c + ", offset " + i + ".");
            }
        }
        if (text.length() % 4 != 0) {
            throw new IllegalArgumentException(firstPad >= 0 ? "Invalid padding" : "Invalid input length: " + text.length());
        }
        if (firstPad >= 0 && text.length() - firstPad > 2) throw new IllegalArgumentException("Invalid padding");
        byte[] bytes = Base64.getDecoder().decode(text);
        if (!Base64.getEncoder().encodeToString(bytes).equals(text)) {
            int last = (firstPad >= 0 ? firstPad : text.length()) - 1;
            throw new IllegalArgumentException("Invalid last symbol " + (int) text.charAt(last) + ", offset " + last + ".");
        }
        return bytes;
    }
}
