package org.pieproject.client.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.PieRequestException;
import org.pieproject.client.ProcessEvent;

/** The demo keeps the contract of Pie's text-completion inferlet: field names, defaults, output, errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TextCompletionDemoTest {

    @Test
    void defaultsAreTheRealInferletsWhenOnlyThePromptIsGiven() {
        TextCompletionDemo.Input in = TextCompletionDemo.Input.parse("{\"prompt\":\"Hi\"}");
        assertThat(in).isEqualTo(new TextCompletionDemo.Input("Hi", 256, "You are a helpful, respectful and honest assistant.", 0.6, 0.95));
    }

    @Test
    void everyFieldIsReadUnderItsSnakeCaseNameAndUnknownFieldsAreIgnored() {
        TextCompletionDemo.Input in = TextCompletionDemo.Input.parse(
                "{\"prompt\":\"p\",\"max_tokens\":7,\"system\":\"s\",\"temperature\":0.1,\"top_p\":0.2,\"extra\":[1]}");
        assertThat(in).isEqualTo(new TextCompletionDemo.Input("p", 7, "s", 0.1, 0.2));
        // camelCase is not the contract: ignored like any unknown field, so the default stays.
        assertThat(TextCompletionDemo.Input.parse("{\"prompt\":\"p\",\"maxTokens\":7}").maxTokens()).isEqualTo(256);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"prompt\":\"p\"} x", "[1]", "{}", "{\"prompt\":null}", "{\"prompt\":3}",
            "{\"prompt\":\"p\",\"max_tokens\":-1}", "{\"prompt\":\"p\",\"max_tokens\":1.5}", "{\"prompt\":\"p\",\"system\":null}",
            "{\"prompt\":\"p\",\"temperature\":\"hot\"}", "{'prompt':'p'}"})
    void malformedInputIsRefusedWithTheRealPrefix(String json) {
        assertThatThrownBy(() -> TextCompletionDemo.Input.parse(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Failed to parse JSON input: ");
    }

    @Test
    void missingPromptIsNamed() {
        assertThatThrownBy(() -> TextCompletionDemo.Input.parse("{\"system\":\"s\"}"))
                .hasMessage("Failed to parse JSON input: missing field `prompt`");
    }

    @Test
    void piecesJoinToTheTextAndStartAtWordBoundaries() {
        assertThat(TextCompletionDemo.pieces("Hello there,  world!\n")).containsExactly("Hello", " there,", "  world!", "\n");
        assertThat(TextCompletionDemo.pieces("")).isEmpty();
    }

    @Test
    void aProcessStreamsPiecesUpToMaxTokensAndReturnsTheWholeTextAsPlainText() {
        TextCompletionDemo demo = new TextCompletionDemo(in -> "one two three four");
        try (PieTestServer server = PieTestServer.builder().inferlet("text-completion@0.1.0", demo).start();
             PieClient client = PieClient.connect(server.uri())) {
            client.authenticate("t");
            PieProcess p = client.launchProcess("text-completion@0.1.0", "{\"prompt\":\"q\",\"max_tokens\":3}");
            List<ProcessEvent> events = new ArrayList<>();
            p.forEach(events::add);
            assertThat(events).containsExactly(new ProcessEvent.Stdout("one"), new ProcessEvent.Stdout(" two"),
                    new ProcessEvent.Stdout(" three"), new ProcessEvent.Return("one two three"));
            assertThat(demo.inputs()).extracting(TextCompletionDemo.Input::prompt).containsExactly("q");

            PieProcess bad = client.launchProcess("text-completion@0.1.0", "{\"max_tokens\":3}");
            assertThatThrownBy(bad::result).isInstanceOf(PieRequestException.class)
                    .hasMessageContaining("Failed to parse JSON input: missing field `prompt`");
        }
    }
}
