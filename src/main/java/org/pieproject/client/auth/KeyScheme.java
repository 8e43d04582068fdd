package org.pieproject.client.auth;

/**
 * The signature schemes the engine checks (protocol §4.2). The key type decides the scheme; there is no
 * choice to make per signature.
 */
public enum KeyScheme {
    /** RSASSA-PKCS1-v1_5 with SHA-256; the signature is exactly the modulus length. */
    RSA("SHA256withRSA"),
    /** Pure Ed25519 (RFC 8032); the signature is exactly 64 bytes. */
    ED25519("Ed25519"),
    /** ECDSA on NIST P-256 with SHA-256; the signature is ASN.1 DER. */
    ECDSA_P256("SHA256withECDSA"),
    /** ECDSA on NIST P-384 with SHA-384; the signature is ASN.1 DER. */
    ECDSA_P384("SHA384withECDSA");

    private final String jcaSignatureAlgorithm;

    KeyScheme(String jcaSignatureAlgorithm) {
        this.jcaSignatureAlgorithm = jcaSignatureAlgorithm;
    }

    /**
     * The JDK {@link java.security.Signature} algorithm name for this scheme.
     *
     * @return e.g. {@code SHA256withRSA}
     */
    public String jcaSignatureAlgorithm() {
        return jcaSignatureAlgorithm;
    }
}
