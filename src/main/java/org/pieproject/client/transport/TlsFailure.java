package org.pieproject.client.transport;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Says in words why a TLS handshake failed. The JDK reports every one of them as an
 * {@code SSLHandshakeException} whose text names a class deep inside the PKIX validator; a person reading a
 * {@code PieConnectionException} wants to know whether the certificate was not trusted or was for another
 * host, which is what they have to fix.
 */
final class TlsFailure {
    private TlsFailure() {
    }

    /**
     * Describes {@code e} if it, or one of its causes, is a TLS failure.
     *
     * @param e what the connection attempt failed with
     * @return "TLS handshake failed: ..." with the reason, or null if {@code e} is not about TLS
     */
    static String describe(Throwable e) {
        SSLException ssl = null;
        String reason = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (ssl == null && t instanceof SSLException s) ssl = s;
            String r = reasonOf(t); // the deepest cause is the most specific (an expiry under a path failure)
            if (r != null) reason = r;
        }
        if (ssl == null) return null;
        String detail = ssl.getMessage() == null ? ssl.getClass().getSimpleName() : ssl.getMessage();
        return "TLS handshake failed: " + (reason == null ? detail : reason + " (" + detail + ")");
    }

    private static String reasonOf(Throwable t) {
        if (t instanceof CertificateExpiredException) return "the engine's certificate has expired";
        if (t instanceof CertificateNotYetValidException) return "the engine's certificate is not valid yet";
        if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
            return "the engine's certificate is not trusted (no trusted certificate authority signed it;"
                    + " give the client an SSLContext that trusts it)";
        }
        String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return "the engine's certificate does not match the host name (hostname verification)";
        }
        if (m.contains("pkix path")) return "the engine's certificate is not trusted";
        return null;
    }
}
