package org.pieproject.client.auth;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.RSAPublicKey;
import org.pieproject.client.PieException;

/**
 * The engine's signature schemes (protocol §4.2), on the JDK's own {@link Signature}: RSA PKCS#1 v1.5 with
 * SHA-256, pure Ed25519, and DER-encoded ECDSA with SHA-256 (P-256) or SHA-384 (P-384).
 */
public final class Signatures {
    private Signatures() {
    }

    /**
     * Signs data the way the engine verifies it.
     *
     * @param key    a JDK private key of the given scheme
     * @param scheme the scheme for the key's type
     * @param data   the bytes to sign (for authentication, the 48 raw challenge bytes)
     * @return the signature bytes as they go on the wire before base64
     */
    public static byte[] sign(PrivateKey key, KeyScheme scheme, byte[] data) {
        try {
            Signature signer = Signature.getInstance(scheme.jcaSignatureAlgorithm());
            signer.initSign(key);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new PieException("signing with the " + scheme + " key failed", e);
        }
    }

    /**
     * Verifies a signature as the engine does: the key's type decides the scheme, and malformed signatures
     * (wrong length, raw r‖s instead of DER for ECDSA) simply do not verify.
     *
     * @param key       the signer's public key
     * @param data      the signed bytes
     * @param signature the signature to check
     * @return whether the signature is valid for the data under the key
     * @throws PieException if the engine would not accept the key at all
     */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        KeyScheme scheme = PublicKeys.typeOf(key).scheme();
        if (scheme == KeyScheme.ED25519 && signature.length != 64) {
            return false;
        }
        if (scheme == KeyScheme.RSA && signature.length != (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(scheme.jcaSignatureAlgorithm());
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (InvalidKeyException e) {
            throw new PieException("the JDK cannot verify with this " + key.getAlgorithm() + " key", e);
        } catch (GeneralSecurityException e) {
            throw new PieException("verifying a " + scheme + " signature failed", e);
        }
    }
}
