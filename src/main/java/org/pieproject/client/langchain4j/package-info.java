/**
 * Pie as LangChain4j chat models: {@link org.pieproject.client.langchain4j.PieChatModel} and
 * {@link org.pieproject.client.langchain4j.PieStreamingChatModel}, over any inferlet whose input a
 * {@link org.pieproject.client.langchain4j.PieInputMapper} can build (by default Pie's
 * {@code text-completion}, {@link org.pieproject.client.langchain4j.TextCompletionInput}).
 *
 * <p>This package needs {@code dev.langchain4j:langchain4j-core} on the class path; the library declares it
 * as an optional dependency, so applications that use these models add it themselves (a LangChain4j
 * application has it already), and applications that do not never get it.
 */
@NullMarked
package org.pieproject.client.langchain4j;

import org.jspecify.annotations.NullMarked;
