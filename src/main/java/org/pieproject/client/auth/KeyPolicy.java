package org.pieproject.client.auth;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.DSAKeyParameters;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.Ed448PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed448PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.bouncycastle.crypto.params.X448PrivateKeyParameters;
import org.bouncycastle.crypto.params.X448PublicKeyParameters;
import org.pieproject.client.PieException;

/**
 * Which keys the engine can check (protocol §4.3), and the message that says why any other key is refused.
 * Applied the same way to private and public keys so a key the client loads is one the engine accepts.
 */
final class KeyPolicy {
    static final String SUPPORTED =
            "supported: RSA (2048 to 4096 bits), Ed25519, ECDSA P-256 and ECDSA P-384";
    static final int MIN_RSA_BITS = 2048;
    // The engine's comments speak of 8192, but its RSA library refuses moduli over 4096 bits.
    static final int MAX_RSA_BITS = 4096;

    private static final X9ECParameters P256 = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp256r1);
    private static final X9ECParameters P384 = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp384r1);
    private static final X9ECParameters P521 = ECNamedCurveTable.getByOID(SECObjectIdentifiers.secp521r1);

    private KeyPolicy() {
    }

    /** The type of a supported key, or a {@link PieException} naming what was found and what is supported. */
    static KeyType check(AsymmetricKeyParameter key) {
        if (key instanceof RSAKeyParameters rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                // The first sentence is the official clients' text, so users can search for either.
                throw new PieException("RSA key is too weak: " + bits + " bits (minimum required: "
                        + MIN_RSA_BITS + " bits); " + SUPPORTED);
            }
            if (bits > MAX_RSA_BITS) {
                throw new PieException("RSA key of " + bits + " bits is too large: the engine accepts at most "
                        + MAX_RSA_BITS + " bits (" + SUPPORTED + ")");
            }
            return new KeyType(KeyScheme.RSA, bits);
        }
        if (key instanceof Ed25519PrivateKeyParameters || key instanceof Ed25519PublicKeyParameters) {
            return new KeyType(KeyScheme.ED25519, 255);
        }
        if (key instanceof ECKeyParameters ec) {
            return checkCurve(ec.getParameters());
        }
        if (key instanceof DSAKeyParameters) {
            throw unsupported("DSA");
        }
        if (key instanceof Ed448PrivateKeyParameters || key instanceof Ed448PublicKeyParameters) {
            throw unsupported("Ed448");
        }
        if (key instanceof X25519PrivateKeyParameters || key instanceof X25519PublicKeyParameters
                || key instanceof X448PrivateKeyParameters || key instanceof X448PublicKeyParameters) {
            throw new PieException("this is a key-agreement (X25519/X448) key, which cannot sign ("
                    + SUPPORTED + ")");
        }
        throw new PieException("unsupported key algorithm (" + SUPPORTED + ")");
    }

    static PieException unsupported(String what) {
        return new PieException(what + " keys are not supported (" + SUPPORTED + ")");
    }

    /** The JDK name of a supported curve, for building JDK key specs. */
    static String jdkCurveName(KeyScheme scheme) {
        return switch (scheme) {
            case ECDSA_P256 -> "secp256r1";
            case ECDSA_P384 -> "secp384r1";
            default -> throw new IllegalArgumentException(scheme + " is not an elliptic-curve scheme");
        };
    }

    private static KeyType checkCurve(ECDomainParameters domain) {
        // Compare the domain itself, not only a name: PEM keys may spell the curve out in full.
        if (sameCurve(domain, P256)) {
            return new KeyType(KeyScheme.ECDSA_P256, 256);
        }
        if (sameCurve(domain, P384)) {
            return new KeyType(KeyScheme.ECDSA_P384, 384);
        }
        if (sameCurve(domain, P521)) {
            throw new PieException("ECDSA keys on curve P-521 are not supported (" + SUPPORTED + ")");
        }
        String name = curveName(domain);
        throw new PieException("ECDSA keys on curve " + name + " are not supported (" + SUPPORTED + ")");
    }

    private static boolean sameCurve(ECDomainParameters domain, X9ECParameters named) {
        return domain.getCurve().equals(named.getCurve())
                && domain.getG().equals(named.getG())
                && domain.getN().equals(named.getN());
    }

    private static String curveName(ECDomainParameters domain) {
        if (domain instanceof ECNamedDomainParameters named) {
            ASN1ObjectIdentifier oid = named.getName();
            String name = ECNamedCurveTable.getName(oid);
            return name != null ? name : oid.getId();
        }
        return "of " + domain.getCurve().getFieldSize() + " bits";
    }
}
