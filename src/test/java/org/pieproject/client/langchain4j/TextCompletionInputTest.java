package org.pieproject.client.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;

/** The default mapping of a chat request to text-completion's input. */
class TextCompletionInputTest {

    static JsonObject map(ChatRequest request) {
        return JsonParser.parseString(TextCompletionInput.INSTANCE.toInput(request)).getAsJsonObject();
    }

    static JsonObject map(ChatMessage... messages) {
        return map(ChatRequest.builder().messages(messages).build());
    }

    @Test
    void aSingleUserMessageIsThePromptVerbatimAndNoParameterIsInvented() {
        JsonObject in = map(UserMessage.from("User: not a transcript\n"));
        assertThat(in.keySet()).containsExactly("prompt");
        assertThat(in.get("prompt").getAsString()).isEqualTo("User: not a transcript\n");
    }

    @Test
    void systemMessagesAreJoinedIntoSystemAndTheRestIsATranscriptInOrder() {
        JsonObject in = map(SystemMessage.from("Be brief."), UserMessage.from("Hi"), AiMessage.from("Hello!"),
                SystemMessage.from("Answer in French."), UserMessage.from("What is Pie?"));
        assertThat(in.get("system").getAsString()).isEqualTo("Be brief.\n\nAnswer in French.");
        assertThat(in.get("prompt").getAsString()).isEqualTo("User: Hi\n\nAssistant: Hello!\n\nUser: What is Pie?");
    }

    @Test
    void parametersUseTheInferletsFieldNames() {
        JsonObject in = map(ChatRequest.builder().messages(UserMessage.from("q")).maxOutputTokens(9).temperature(0.3).topP(0.7).build());
        assertThat(in.get("max_tokens").getAsInt()).isEqualTo(9);
        assertThat(in.get("temperature").getAsDouble()).isEqualTo(0.3);
        assertThat(in.get("top_p").getAsDouble()).isEqualTo(0.7);
    }

    @Test
    void aUserMessageOfSeveralTextPartsKeepsThemAll() {
        assertThat(map(UserMessage.from(TextContent.from("a"), TextContent.from("b"))).get("prompt").getAsString()).isEqualTo("ab");
    }

    @Test
    void whatTextCompletionWouldIgnoreIsRefused() {
        assertThatThrownBy(() -> map(UserMessage.from(TextContent.from("look"), ImageContent.from("https://example.org/x.png"))))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("image content");
        assertThatThrownBy(() -> map(UserMessage.from("q"),
                AiMessage.from(List.of(ToolExecutionRequest.builder().id("1").name("t").arguments("{}").build())), UserMessage.from("r")))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("tool calls");
        assertThatThrownBy(() -> map(UserMessage.from("q"), ToolExecutionResultMessage.from("1", "t", "42")))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("tool_execution_result message");
        assertThatThrownBy(() -> map(SystemMessage.from("only system")))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("needs a user message");
        for (ChatRequest r : List.of(
                ChatRequest.builder().messages(UserMessage.from("q")).topK(3).build(),
                ChatRequest.builder().messages(UserMessage.from("q")).frequencyPenalty(0.1).build(),
                ChatRequest.builder().messages(UserMessage.from("q")).presencePenalty(0.1).build(),
                ChatRequest.builder().messages(UserMessage.from("q")).stopSequences(List.of("\n")).build(),
                ChatRequest.builder().messages(UserMessage.from("q")).modelName("llama").build())) {
            assertThatThrownBy(() -> map(r)).isInstanceOf(UnsupportedFeatureException.class).hasMessageStartingWith("Pie text-completion does not take");
        }
    }
}
