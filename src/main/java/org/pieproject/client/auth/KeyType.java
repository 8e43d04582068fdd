package org.pieproject.client.auth;

/**
 * A key type the engine accepts: the scheme and, for RSA, the modulus size.
 *
 * @param scheme the signature scheme the key is used with
 * @param bits   the key size in bits (the modulus for RSA, the curve's field size otherwise)
 */
public record KeyType(KeyScheme scheme, int bits) {

    /**
     * A short, non-secret name: {@code RSA-3072}, {@code Ed25519}, {@code ECDSA-P256}, {@code ECDSA-P384}.
     *
     * @return the name
     */
    public String label() {
        return switch (scheme) {
            case RSA -> "RSA-" + bits;
            case ED25519 -> "Ed25519";
            case ECDSA_P256 -> "ECDSA-P256";
            case ECDSA_P384 -> "ECDSA-P384";
        };
    }
}
