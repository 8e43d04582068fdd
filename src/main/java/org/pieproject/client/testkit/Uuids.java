package org.pieproject.client.testkit;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** Parses process and workflow ids as leniently as the engine: hyphenated, simple, braced and URN forms. */
final class Uuids {
    private Uuids() {
    }

    static Optional<UUID> parse(String text) {
        String s = text;
        if (s.regionMatches(true, 0, "urn:uuid:", 0, 9)) {
            s = s.substring(9);
        } else if (s.length() == 38 && s.charAt(0) == '{' && s.charAt(37) == '}') {
            s = s.substring(1, 37);
        }
        String hex;
        if (s.length() == 36) {
            for (int dash : new int[] {8, 13, 18, 23}) {
                if (s.charAt(dash) != '-') return Optional.empty();
            }
            hex = s.substring(0, 8) + s.substring(9, 13) + s.substring(14, 18) + s.substring(19, 23) + s.substring(24);
        } else if (s.length() == 32) {
            hex = s;
        } else {
            return Optional.empty();
        }
        for (int i = 0; i < 32; i++) {
            if (Character.digit(hex.charAt(i), 16) < 0 || hex.charAt(i) > 'f') return Optional.empty();
        }
        hex = hex.toLowerCase(Locale.ROOT);
        long hi = Long.parseUnsignedLong(hex.substring(0, 16), 16);
        long lo = Long.parseUnsignedLong(hex.substring(16), 16);
        return Optional.of(new UUID(hi, lo));
    }
}
