package org.pieproject.client.auth;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.NoSuchPaddingException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.bc.BcPEMDecryptorProvider;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.pieproject.client.PieException;

/**
 * Reads PEM keys with BouncyCastle: PKCS#8 ({@code BEGIN PRIVATE KEY}, {@code BEGIN ENCRYPTED PRIVATE KEY}),
 * PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, also with OpenSSL's legacy Proc-Type/DEK-Info encryption),
 * SEC1 ({@code BEGIN EC PRIVATE KEY}), and public keys ({@code BEGIN PUBLIC KEY}, {@code BEGIN RSA PUBLIC KEY}).
 */
final class PemKeys {
    private static final Pattern LABEL = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----");

    private PemKeys() {
    }

    /** The first PEM label in the text, e.g. "RSA PRIVATE KEY"; only ever this fixed-alphabet text is quoted. */
    static String label(String text) {
        Matcher matcher = LABEL.matcher(text);
        return matcher.find() ? matcher.group(1) : null;
    }

    static AsymmetricKeyParameter readPrivate(String text, char[] passphrase) {
        String label = label(text);
        boolean sawPublic = false;
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = next(parser, label)) != null) {
                switch (object) {
                    case PEMKeyPair pair -> {
                        return PrivateKeyFactory.createKey(pair.getPrivateKeyInfo());
                    }
                    case PrivateKeyInfo info -> {
                        return PrivateKeyFactory.createKey(info);
                    }
                    case PEMEncryptedKeyPair encrypted -> {
                        return decryptLegacy(encrypted, passphrase);
                    }
                    case PKCS8EncryptedPrivateKeyInfo encrypted -> {
                        return decryptPkcs8(encrypted, passphrase);
                    }
                    case SubjectPublicKeyInfo ignored -> sawPublic = true;
                    case X509CertificateHolder ignored -> sawPublic = true;
                    // "BEGIN EC PARAMETERS" precedes the key in files from `openssl ecparam -genkey`.
                    case ASN1ObjectIdentifier ignored -> {
                    }
                    case X9ECParameters ignored -> {
                    }
                    default -> {
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PieException pie) {
                throw pie;
            }
            throw damaged(label, e);
        }
        if (sawPublic) {
            throw new PieException("this is a public key or certificate (BEGIN " + label
                    + "), not a private key: give the private key file to sign with");
        }
        throw new PieException("no private key found in the PEM text (first block: BEGIN " + label + ")");
    }

    static AsymmetricKeyParameter readPublic(String text) {
        String label = label(text);
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object object;
            while ((object = next(parser, label)) != null) {
                switch (object) {
                    case SubjectPublicKeyInfo info -> {
                        return PublicKeyFactory.createKey(info);
                    }
                    case PEMKeyPair ignored -> throw privateGiven(label);
                    case PrivateKeyInfo ignored -> throw privateGiven(label);
                    case PEMEncryptedKeyPair ignored -> throw privateGiven(label);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw privateGiven(label);
                    case X509CertificateHolder ignored -> throw new PieException(
                            "this is a certificate, not a public key: extract its key with: "
                                    + "openssl x509 -pubkey -noout -in CERT");
                    default -> {
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PieException pie) {
                throw pie;
            }
            throw damaged(label, e);
        }
        throw new PieException("no public key found in the PEM text (first block: BEGIN " + label + ")");
    }

    private static Object next(PEMParser parser, String label) throws IOException {
        try {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw damaged(label, e);
        }
    }

    private static PieException privateGiven(String label) {
        return new PieException("this is a private key (BEGIN " + label + "), not a public key: "
                + "give the public key (e.g. id_ed25519.pub, or the output of: openssl pkey -pubout -in KEY)");
    }

    private static PieException damaged(String label, Exception cause) {
        return new PieException("the PEM key (BEGIN " + label + ") is damaged or of an unsupported kind; "
                + "supported: BEGIN OPENSSH PRIVATE KEY, BEGIN PRIVATE KEY, BEGIN ENCRYPTED PRIVATE KEY, "
                + "BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY", cause);
    }

    private static AsymmetricKeyParameter decryptLegacy(PEMEncryptedKeyPair encrypted, char[] passphrase)
            throws IOException {
        if (!Passphrases.given(passphrase)) {
            throw new PieException(Passphrases.NEEDED);
        }
        char[] copy = passphrase.clone();
        PEMKeyPair pair;
        try {
            pair = encrypted.decryptKeyPair(new BcPEMDecryptorProvider(copy));
        } catch (IOException | RuntimeException e) {
            throw unsupportedCipher(e) ? new PieException("this PEM key is encrypted with '"
                    + OpenSshPrivateKeys.printable(encrypted.getDekAlgName()) + "', which is not supported", e)
                    : new PieException(Passphrases.WRONG, e);
        } finally {
            Arrays.fill(copy, '\0');
        }
        return PrivateKeyFactory.createKey(pair.getPrivateKeyInfo());
    }

    private static AsymmetricKeyParameter decryptPkcs8(PKCS8EncryptedPrivateKeyInfo encrypted, char[] passphrase)
            throws IOException {
        if (!Passphrases.given(passphrase)) {
            throw new PieException(Passphrases.NEEDED);
        }
        char[] copy = passphrase.clone();
        PrivateKeyInfo info;
        try {
            // A private provider instance, used for this decryption only and never registered: PKCS#8 files
            // may use PBE schemes (PKCS#12, scrypt) that the JDK's own providers lack.
            var decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Holder.PROVIDER).build(copy);
            info = encrypted.decryptPrivateKeyInfo(decryptor);
        } catch (OperatorCreationException e) {
            throw new PieException("this PKCS#8 key's encryption scheme is not supported", e);
        } catch (Exception e) {
            throw unsupportedCipher(e)
                    ? new PieException("this PKCS#8 key's encryption scheme is not supported", e)
                    : new PieException(Passphrases.WRONG, e);
        } finally {
            Arrays.fill(copy, '\0');
        }
        return PrivateKeyFactory.createKey(info);
    }

    /** Tells "we cannot decrypt this kind" from "decryption ran and produced garbage". */
    private static boolean unsupportedCipher(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OperatorCreationException
                    || t instanceof NoSuchAlgorithmException
                    || t instanceof NoSuchPaddingException
                    || (t.getMessage() != null && t.getMessage().startsWith("unknown ")
                            && t.getMessage().contains("encryption"))) {
                return true;
            }
            if (t instanceof GeneralSecurityException) {
                return false;
            }
        }
        return false;
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }
}
