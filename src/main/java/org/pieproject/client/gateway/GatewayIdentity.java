package org.pieproject.client.gateway;

/**
 * The {@code x-pie-identity} header a Pie 0.5 gateway requires on both of its paths, read as the gateway
 * reads it (gateway/src/ingress/identity.rs on Pie's dev branch): surrounding blanks are ignored;
 * {@code tenant/user} splits at the first {@code /} (each side trimmed), a bare {@code user} belongs to the
 * tenant {@code default}; an empty value or an empty user is refused with HTTP 401.
 *
 * @param tenant the tenant, {@code "default"} when the header names none
 * @param user   the user, never empty
 */
public record GatewayIdentity(String tenant, String user) {
    /** The header's name. */
    public static final String HEADER = "x-pie-identity";

    /**
     * Parses a header value.
     *
     * @param raw the header's value
     * @return the identity
     * @throws IllegalArgumentException with the gateway's reason when it would refuse the value
     */
    public static GatewayIdentity parse(String raw) {
        String v = raw.strip();
        if (v.isEmpty()) throw new IllegalArgumentException("empty `" + HEADER + "`");
        int slash = v.indexOf('/');
        String tenant = slash < 0 ? "default" : v.substring(0, slash).strip();
        String user = slash < 0 ? v : v.substring(slash + 1).strip();
        if (user.isEmpty()) throw new IllegalArgumentException("`" + HEADER + "` has empty user component");
        return new GatewayIdentity(tenant, user);
    }
}
