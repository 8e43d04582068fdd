package org.pieproject.client.transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.jspecify.annotations.Nullable;

/**
 * The TLS a {@code wss://} connection uses instead of the JVM's defaults: an {@link SSLContext} (whose trust
 * managers decide which certificates are trusted), {@link SSLParameters} (protocols, cipher suites, SNI),
 * or both. The host name is verified in every case: the JDK's HTTP client checks the certificate against
 * the URI's host on every TLS connection (it only skips that when the JVM runs with
 * {@code -Djdk.internal.httpclient.disableHostnameVerification}, which this library never sets), and
 * {@link #parameters()} asks for it too, so that a copy used elsewhere does not lose it.
 *
 * @param context    the context, or null for {@code SSLContext.getDefault()}
 * @param parameters the parameters, or null for the context's defaults
 */
public record TlsSettings(@Nullable SSLContext context, @Nullable SSLParameters parameters) {
    /** The JVM's defaults, shared by every {@code wss://} connection that sets nothing. */
    public static final TlsSettings DEFAULT = new TlsSettings(null, null);

    /**
     * Whether this is the JVM's default TLS, which connections may share.
     *
     * @return true when neither a context nor parameters were given
     */
    public boolean isDefault() {
        return context == null && parameters == null;
    }

    /**
     * A copy of the parameters with endpoint identification on ({@code HTTPS}) unless they name another
     * algorithm, or null if none were given.
     *
     * @return parameters safe to hand to an {@code HttpClient}
     */
    public @Nullable SSLParameters verifyingParameters() {
        if (parameters == null) return null;
        SSLParameters p = copy(parameters);
        if (p.getEndpointIdentificationAlgorithm() == null) p.setEndpointIdentificationAlgorithm("HTTPS");
        return p;
    }

    private static SSLParameters copy(SSLParameters in) {
        SSLParameters p = new SSLParameters(in.getCipherSuites(), in.getProtocols());
        p.setAlgorithmConstraints(in.getAlgorithmConstraints());
        p.setEndpointIdentificationAlgorithm(in.getEndpointIdentificationAlgorithm());
        if (in.getServerNames() != null) p.setServerNames(in.getServerNames());
        if (in.getApplicationProtocols() != null) p.setApplicationProtocols(in.getApplicationProtocols());
        if (in.getNamedGroups() != null) p.setNamedGroups(in.getNamedGroups());
        if (in.getSignatureSchemes() != null) p.setSignatureSchemes(in.getSignatureSchemes());
        p.setUseCipherSuitesOrder(in.getUseCipherSuitesOrder());
        p.setEnableRetransmissions(in.getEnableRetransmissions());
        p.setMaximumPacketSize(in.getMaximumPacketSize());
        return p;
    }

    @Override
    public String toString() {
        return isDefault() ? "TlsSettings[default]" : "TlsSettings[context=" + (context == null ? "default" : context.getProtocol())
                + ", parameters=" + (parameters == null ? "default" : "given") + "]";
    }
}
