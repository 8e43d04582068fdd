package org.pieproject.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import org.pieproject.client.gateway.GatewayIdentity;

/**
 * The checks {@link PieClient.Builder} and {@link PieHttpClient.Builder} both make on what they are given,
 * so that the two fail alike on the same mistake. Only what the two share is here: the limits they put on
 * sizes and queues differ, and stay with each builder.
 */
final class BuilderChecks {
    private BuilderChecks() {
    }

    /**
     * Parses an address and checks its scheme.
     *
     * @param uri     the address as text
     * @param what    what it addresses, for messages ({@code engine}, {@code gateway})
     * @param schemes the schemes it may have, lowercase, e.g. {@code ws} and {@code wss}
     * @return the address
     * @throws PieException if it does not parse or has another scheme
     */
    static URI uri(String uri, String what, String... schemes) {
        Objects.requireNonNull(uri, "uri");
        try {
            return uri(new URI(uri), what, schemes);
        } catch (URISyntaxException e) {
            throw new PieException("not a valid " + what + " URI: " + e.getMessage());
        }
    }

    /**
     * Checks an address's scheme (case-insensitively, as URI schemes are).
     *
     * @param uri     the address
     * @param what    what it addresses, for messages ({@code engine}, {@code gateway})
     * @param schemes the schemes it may have, lowercase, e.g. {@code ws} and {@code wss}
     * @return the address
     * @throws PieException if it has another scheme
     */
    static URI uri(URI uri, String what, String... schemes) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        for (String allowed : schemes) {
            if (scheme.equals(allowed)) return uri;
        }
        throw new PieException(what + " URI must start with " + String.join(":// or ", schemes) + "://, not " + uri);
    }

    /**
     * Checks a timeout.
     *
     * @param d    the duration
     * @param what the setting's name, for messages
     * @return the duration
     * @throws IllegalArgumentException if it is zero or negative
     */
    static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
        return d;
    }

    /**
     * Checks an {@code x-pie-identity} value as a Pie 0.5 gateway would, before anything is sent.
     *
     * @param identity {@code user} or {@code tenant/user}
     * @return the identity
     * @throws IllegalArgumentException if the gateway would refuse it
     */
    static String identity(String identity) {
        Objects.requireNonNull(identity, "identity");
        try {
            GatewayIdentity.parse(identity);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a Pie 0.5 gateway would refuse this identity: " + e.getMessage());
        }
        return identity;
    }
}
