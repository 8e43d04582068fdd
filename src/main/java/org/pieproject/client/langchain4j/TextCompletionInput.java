package org.pieproject.client.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.gson.JsonObject;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;

/**
 * The input of Pie's {@code text-completion} inferlet: {@code prompt}, {@code system}, {@code max_tokens},
 * {@code temperature} and {@code top_p}. The default {@link PieInputMapper}.
 *
 * <p><b>Messages.</b> {@code text-completion} takes one user prompt and one system message, while a chat
 * memory sends the whole conversation; no message is left out:
 * <ul>
 *   <li>The system messages, joined by a blank line, become {@code system}. Without one the field is left
 *       out, so the inferlet uses its own default.</li>
 *   <li>A single user message becomes {@code prompt} exactly as it is.</li>
 *   <li>A conversation (anything more) becomes a transcript in {@code prompt}: each message, in order, as
 *       {@code "User: "} or {@code "Assistant: "} followed by its text, separated by blank lines. For
 *       example {@code "User: Hi\n\nAssistant: Hello!\n\nUser: What is Pie?"}.</li>
 * </ul>
 *
 * <p><b>Parameters.</b> Maximum output tokens go to {@code max_tokens}, temperature to {@code temperature},
 * top-p to {@code top_p}; those not set are left out (the inferlet's defaults: 256, 0.6, 0.95).
 *
 * <p><b>Refused</b> with an {@link UnsupportedFeatureException}, because {@code text-completion} would
 * silently ignore them: a JSON response format, a model name (the inferlet runs the engine's first model),
 * top-k, frequency and presence penalties, stop sequences, and messages other than text (images and other
 * media, tool calls and tool results). Tool specifications are refused by the models themselves.
 */
public final class TextCompletionInput implements PieInputMapper {

    /** The one instance: the mapper keeps no state. */
    public static final TextCompletionInput INSTANCE = new TextCompletionInput();

    private TextCompletionInput() {}

    @Override
    public String toInput(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        refuseUnsupported(p);
        List<String> system = new ArrayList<>();
        List<ChatMessage> turns = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            if (m instanceof SystemMessage s) system.add(s.text());
            else turns.add(m);
        }
        JsonObject input = new JsonObject();
        input.addProperty("prompt", prompt(turns));
        if (!system.isEmpty()) input.addProperty("system", String.join("\n\n", system));
        if (p.maxOutputTokens() != null) input.addProperty("max_tokens", p.maxOutputTokens());
        if (p.temperature() != null) input.addProperty("temperature", p.temperature());
        if (p.topP() != null) input.addProperty("top_p", p.topP());
        return input.toString();
    }

    private static String prompt(List<ChatMessage> turns) {
        if (turns.isEmpty()) throw new UnsupportedFeatureException("Pie text-completion needs a user message; the request has only system messages");
        if (turns.size() == 1 && turns.get(0) instanceof UserMessage u) return text(u);
        StringBuilder transcript = new StringBuilder();
        for (ChatMessage m : turns) {
            if (!transcript.isEmpty()) transcript.append("\n\n");
            switch (m) {
                case UserMessage u -> transcript.append("User: ").append(text(u));
                case AiMessage a -> transcript.append("Assistant: ").append(text(a));
                default -> throw new UnsupportedFeatureException("Pie text-completion takes text messages only; the request has a "
                        + m.type().toString().toLowerCase(Locale.ROOT) + " message");
            }
        }
        return transcript.toString();
    }

    private static String text(UserMessage u) {
        StringBuilder text = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException("Pie text-completion takes text only; a user message has "
                        + c.type().toString().toLowerCase(Locale.ROOT) + " content");
            }
            text.append(t.text());
        }
        return text.toString();
    }

    private static String text(AiMessage a) {
        if (a.hasToolExecutionRequests()) {
            throw new UnsupportedFeatureException("Pie text-completion has no tools; the conversation has an assistant message with tool calls");
        }
        return a.text() == null ? "" : a.text();
    }

    private static void refuseUnsupported(ChatRequestParameters p) {
        if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("Pie text-completion cannot be held to a JSON response format;"
                    + " ask for JSON in the prompt, or use an inferlet that constrains its output with its own input mapper");
        }
        refuse(p.modelName() != null, "a model name (it runs the engine's first model; choose the model through the inferlet)");
        refuse(p.topK() != null, "top-k");
        refuse(p.frequencyPenalty() != null, "a frequency penalty");
        refuse(p.presencePenalty() != null, "a presence penalty");
        refuse(!p.stopSequences().isEmpty(), "stop sequences");
    }

    private static void refuse(boolean present, String what) {
        if (present) throw new UnsupportedFeatureException("Pie text-completion does not take " + what);
    }

    @Override
    public String toString() {
        return "TextCompletionInput";
    }
}
