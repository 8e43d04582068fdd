package org.pieproject.client.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.pieproject.client.PieException;

/**
 * Turns BouncyCastle's parsed key parameters into the JDK's own key objects, so signing runs on the
 * JDK's providers and BouncyCastle never has to be a registered JCA provider.
 */
final class JdkKeys {
    private JdkKeys() {
    }

    /** The public half of a parsed private key, derived from the private values. */
    static AsymmetricKeyParameter publicHalf(AsymmetricKeyParameter privateKey) {
        if (privateKey instanceof RSAPrivateCrtKeyParameters rsa) {
            return new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
        }
        if (privateKey instanceof Ed25519PrivateKeyParameters ed) {
            return ed.generatePublicKey();
        }
        if (privateKey instanceof ECPrivateKeyParameters ec) {
            ECDomainParameters domain = ec.getParameters();
            var q = new FixedPointCombMultiplier().multiply(domain.getG(), ec.getD()).normalize();
            return new ECPublicKeyParameters(q, domain);
        }
        if (privateKey instanceof RSAKeyParameters) {
            throw new PieException("this RSA private key lacks its public exponent and CRT values; "
                    + "convert it with: openssl pkey -in KEY -out KEY.pem");
        }
        throw new IllegalArgumentException("not a supported private key: " + privateKey.getClass().getSimpleName());
    }

    static PrivateKey toJdkPrivate(AsymmetricKeyParameter key, KeyType type) {
        try {
            return switch (type.scheme()) {
                case RSA -> {
                    var rsa = (RSAPrivateCrtKeyParameters) key;
                    yield KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(
                            rsa.getModulus(), rsa.getPublicExponent(), rsa.getExponent(), rsa.getP(), rsa.getQ(),
                            rsa.getDP(), rsa.getDQ(), rsa.getQInv()));
                }
                case ED25519 -> {
                    byte[] seed = ((Ed25519PrivateKeyParameters) key).getEncoded();
                    try {
                        // The spec keeps its own copy, so ours can be wiped at once.
                        yield KeyFactory.getInstance("Ed25519")
                                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
                    } finally {
                        Arrays.fill(seed, (byte) 0);
                    }
                }
                case ECDSA_P256, ECDSA_P384 -> {
                    BigInteger d = ((ECPrivateKeyParameters) key).getD();
                    yield KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, curve(type)));
                }
            };
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new PieException("the JDK could not load this " + type.label() + " private key", e);
        }
    }

    static PublicKey toJdkPublic(AsymmetricKeyParameter key, KeyType type) {
        try {
            return switch (type.scheme()) {
                case RSA -> {
                    var rsa = (RSAKeyParameters) key;
                    yield KeyFactory.getInstance("RSA")
                            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getExponent()));
                }
                case ED25519 -> {
                    var ed = (Ed25519PublicKeyParameters) key;
                    byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(ed).getEncoded();
                    yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
                }
                case ECDSA_P256, ECDSA_P384 -> {
                    var q = ((ECPublicKeyParameters) key).getQ().normalize();
                    var point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                    yield KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve(type)));
                }
            };
        } catch (GeneralSecurityException | IOException | ClassCastException e) {
            throw new PieException("the JDK could not load this " + type.label() + " public key", e);
        }
    }

    /** BouncyCastle's view of a JDK public key, to check or encode it. */
    static AsymmetricKeyParameter fromJdkPublic(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded == null) {
            throw new PieException("this " + key.getAlgorithm() + " public key has no standard encoding");
        }
        try {
            return PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(encoded));
        } catch (IOException | RuntimeException e) {
            throw new PieException("unsupported public key (" + key.getAlgorithm() + "; " + KeyPolicy.SUPPORTED + ")",
                    e);
        }
    }

    private static ECParameterSpec curve(KeyType type) throws GeneralSecurityException {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec(KeyPolicy.jdkCurveName(type.scheme())));
        return parameters.getParameterSpec(ECParameterSpec.class);
    }
}
