package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The local program identifier check against protocol.md §5.1's rule: the engine's pattern with ASCII
 * digits. The engine's own {@code \d} (Rust's regex) also takes other Unicode decimal digits, such as
 * U+0661; protocol.md decides those are invalid (nobody uses them, and Java's {@code \d} is ASCII too), so
 * this client refuses {@code a@\u0661.2.3} locally where the engine would accept it. That is the one place
 * where this check and the engine's differ, on purpose.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProgramIdTest {
    /** protocol.md §5.1's rule: the engine's pattern, with {@code [0-9]} where the engine has {@code \d}. */
    private static final Pattern PROTOCOL_RULE = Pattern.compile("([a-zA-Z0-9][a-zA-Z0-9_-]*)@([0-9]+\\.[0-9]+\\.[0-9]+)");

    @Test
    void acceptsWhatTheProtocolRuleAcceptsAndSplitsAtTheAt() {
        for (String id : new String[] {"a@0.0.0", "text-completion@0.1.0", "Z_9-x@10.200.3000", "0abc@1.2.3"}) {
            int at = PieClient.programIdAt(id);
            var m = PROTOCOL_RULE.matcher(id);
            assertThat(m.matches()).as(id).isTrue();
            assertThat(id.substring(0, at)).as(id).isEqualTo(m.group(1));
            assertThat(id.substring(at + 1)).as(id).isEqualTo(m.group(2));
        }
    }

    @Test
    void refusesWhatTheProtocolRuleRefusesWithTheEnginesText() {
        for (String id : new String[] {"", "@1.2.3", "-a@1.2.3", "_a@1.2.3", "a@1.2", "a@1.2.3.4", "a@1..3", "a@.1.2",
                "a@1.2.", "a@1.2.3\n", "a b@1.2.3", "a@b@1.2.3", "a@1.2.x", "a@\u0661.2.3", "\u00e9@1.2.3", "no-version"}) {
            assertThat(PROTOCOL_RULE.matcher(id).matches()).as(id).isFalse();
            assertThatThrownBy(() -> PieClient.programIdAt(id)).as(id).isInstanceOf(PieRequestException.class)
                    .hasMessageContaining("Invalid program identifier '" + id + "': expected 'name@major.minor.patch'");
        }
    }

    @Test
    void agreesWithTheProtocolRuleOnNearMisses() {
        // Valid identifiers with up to three random edits: some stay valid, the rest fail in every way.
        Random random = new Random(51L);
        String alphabet = "aZ09_-@.\u0661 \n";
        String[] seeds = {"a@0.0.0", "text-completion@0.1.0", "Z_9-x@10.200.3000"};
        int accepted = 0, refused = 0;
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            for (int edits = random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(b.length() + 1);
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> { if (at < b.length()) b.deleteCharAt(at); }
                    default -> { if (at < b.length()) b.setCharAt(at, c); }
                }
            }
            String id = b.toString();
            boolean rule = PROTOCOL_RULE.matcher(id).matches();
            boolean ours;
            try {
                PieClient.programIdAt(id);
                ours = true;
            } catch (PieRequestException e) {
                ours = false;
            }
            assertThat(ours).as("'%s'", id).isEqualTo(rule);
            if (rule) accepted++;
            else refused++;
        }
        assertThat(accepted).as("accepted").isGreaterThan(10_000);
        assertThat(refused).as("refused").isGreaterThan(10_000);
    }
}
