package org.pieproject.client.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequest;

/**
 * Turns a chat request into the JSON input of one inferlet process. The default,
 * {@link TextCompletionInput}, follows Pie's {@code text-completion}; give the models another one for an
 * inferlet with another contract.
 *
 * <p>A mapper sees the request with the model's default parameters already applied. What its inferlet
 * cannot honour it must refuse (throw {@link dev.langchain4j.exception.UnsupportedFeatureException}) rather
 * than leave out: the caller then knows the answer did not take it into account.
 */
@FunctionalInterface
public interface PieInputMapper {

    /**
     * The inferlet input for a request.
     *
     * @param request the messages and parameters, with the model's defaults applied
     * @return the input, as JSON text
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for what the inferlet cannot do
     */
    String toInput(ChatRequest request);
}
