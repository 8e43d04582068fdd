package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The arguments after {@code --} as the inferlet's JSON input, typed as the official client types them. */
@Timeout(5)
class InputArgumentsTest {
    private static String json(String... args) {
        return InputArguments.toJson(List.of(args));
    }

    @Test
    void longOptionsBecomeSnakeCaseKeysWithTypedValues() {
        assertThat(json("--prompt", "What is Pie?", "--max-tokens", "64", "--temperature", "0.5", "--greedy",
                "--stream", "false"))
                .isEqualTo("{\"prompt\":\"What is Pie?\",\"max_tokens\":64,\"temperature\":0.5,\"greedy\":true,\"stream\":false}");
    }

    @Test
    void aFlagFollowedByAnotherOptionIsTrue() {
        assertThat(json("--a", "--b", "1")).isEqualTo("{\"a\":true,\"b\":1}");
        assertThat(json("--last")).isEqualTo("{\"last\":true}");
    }

    @Test
    void shortOptionsTakeTheNextArgumentEvenANegativeNumber() {
        assertThat(json("-n", "-5", "-x")).isEqualTo("{\"n\":-5}");
    }

    @Test
    void otherArgumentsArePositional() {
        assertThat(json("one", "2", "--k", "v", "3.5")).isEqualTo("{\"k\":\"v\",\"_positional\":[\"one\",2,3.5]}");
        assertThat(json()).isEqualTo("{}");
    }

    @Test
    void numbersAreRecognisedAsPythonWouldAndNothingElse() {
        assertThat(InputArguments.value("1_000")).isEqualTo(1000L);
        assertThat(InputArguments.value("99999999999999999999").toString()).isEqualTo("99999999999999999999");
        assertThat(InputArguments.value("1e3")).isEqualTo(1000.0);
        assertThat(InputArguments.value(".5")).isEqualTo(0.5);
        assertThat(InputArguments.value("nan")).isEqualTo("nan");
        assertThat(InputArguments.value("1e999")).isEqualTo("1e999");
        assertThat(InputArguments.value("0x10")).isEqualTo("0x10");
        assertThat(InputArguments.value("True")).isEqualTo("True");
        assertThat(json("--html", "<b>&</b>")).isEqualTo("{\"html\":\"<b>&</b>\"}");
    }
}
