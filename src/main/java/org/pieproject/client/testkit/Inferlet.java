package org.pieproject.client.testkit;

/**
 * A program for {@link PieTestServer}: plain Java standing in for a WebAssembly inferlet. Each process runs
 * {@link #run} on its own virtual thread.
 *
 * <p>Returning normally ends the process with a {@code return} event carrying the returned text (by
 * convention JSON; {@code null} is sent as the empty string). Throwing ends it with an {@code error} event
 * whose value is the exception's message. A process stopped by {@code terminate_process} is interrupted;
 * whatever it does afterwards is ignored, its client sees {@code error} with the value {@code "Signal"}.
 */
@FunctionalInterface
public interface Inferlet {

    /**
     * Runs one process.
     *
     * @param ctx the process's view of the engine: its input, its outputs and its inbound messages
     * @return the process's result
     * @throws Exception any failure; it becomes the process's {@code error} event
     */
    String run(InferletContext ctx) throws Exception;
}
