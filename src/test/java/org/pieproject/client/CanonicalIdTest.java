package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Process ids are keyed in the engine's form: lowercase, hyphenated; anything that is not a UUID is left alone. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CanonicalIdTest {
    private static final String ID = "0f8e4a52-9c1d-4b7e-8f3a-2d6c5b1e9a70";

    @Test
    void theEnginesFormStaysAsItIs() {
        assertThat(PieClient.canonicalId(ID)).isSameAs(ID);
    }

    @Test
    void upperCaseBareAndPaddedFormsBecomeTheEnginesForm() {
        assertThat(PieClient.canonicalId(ID.toUpperCase())).isEqualTo(ID);
        assertThat(PieClient.canonicalId(ID.replace("-", ""))).isEqualTo(ID);
        assertThat(PieClient.canonicalId(ID.replace("-", "").toUpperCase())).isEqualTo(ID);
        assertThat(PieClient.canonicalId("  " + ID + "\n")).isEqualTo(ID);
    }

    @Test
    void whatIsNotAUuidIsLeftAlone() {
        for (String s : new String[] {"", "abc", ID.replace('f', 'g'), ID.substring(1) + "-", ID.replace('-', '_'),
                ID + "0", ID.substring(0, 35), ID.replace('0', '\u0660')}) {
            assertThat(PieClient.canonicalId(s)).as(s).isSameAs(s);
        }
    }
}
