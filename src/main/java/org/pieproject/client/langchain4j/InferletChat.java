package org.pieproject.client.langchain4j;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;

/**
 * What both models do with one chat request: launch the inferlet with the mapped input, read its process to
 * the end (each {@code stdout} write is a piece of the answer, the return value is the whole answer), and
 * stop the process when the caller gives up, so that nothing goes on generating for nobody.
 */
final class InferletChat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InferletChat.class.getName());

    final PieClient client;
    private final boolean ownsClient;
    final String inferlet;
    final Duration timeout;
    final PieInputMapper inputMapper;
    final ChatRequestParameters defaults;
    final List<ChatModelListener> listeners;

    InferletChat(PieClient client, boolean ownsClient, String inferlet, Duration timeout, PieInputMapper inputMapper,
                 ChatRequestParameters defaults, List<ChatModelListener> listeners) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.inferlet = inferlet;
        this.timeout = timeout;
        this.inputMapper = inputMapper;
        this.defaults = defaults;
        this.listeners = List.copyOf(listeners);
    }

    /** Refuses what no inferlet answer can carry, then maps the request; both before anything is launched. */
    String input(ChatRequest request) {
        ChatRequestParameters p = request.parameters();
        if (!p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Pie inferlet models do not support tools (" + p.toolSpecifications().size()
                    + " tool specification(s) given): an inferlet's answer is text only; remove the tools from the request or the AI service");
        }
        if (p.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("Pie inferlet models do not support tools: tool choice REQUIRED cannot be honoured");
        }
        return Objects.requireNonNull(inputMapper.toInput(request), "the input mapper returned null");
    }

    /**
     * Runs one chat to its end on the calling thread.
     *
     * @param input   the inferlet input
     * @param pieces  gets each non-empty piece of the answer, in order
     * @param abandon set by the caller to stop: the process is terminated and null is returned
     * @return the response, or null if abandoned
     */
    @Nullable ChatResponse run(String input, Consumer<String> pieces, Abandon abandon) {
        long deadline = System.nanoTime() + timeout.toNanos();
        PieProcess process = launch(input, deadline, abandon);
        boolean ended = false;
        try {
            for (int n = 0; ; n++) {
                if (abandon.requested()) return null;
                // A stream usually has its next event queued already: take it without a timed wait (which
                // costs a clock read, a Duration and a timed park), and look at the clock only every so often.
                ProcessEvent event = next(process, 0, abandon);
                if (event == null || (n & 255) == 255) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw timedOut(process); // terminated by the catch below
                    if (event == null) event = next(process, left, abandon);
                }
                switch (event) {
                    case null -> { } // nothing in time: the deadline is checked on the next turn
                    case ProcessEvent.Stdout(String text) -> {
                        if (!text.isEmpty()) pieces.accept(text);
                    }
                    case ProcessEvent.Return(String value) -> {
                        ended = true;
                        return ChatResponse.builder()
                                .aiMessage(AiMessage.from(value))
                                .id(process.id())
                                .modelName(inferlet)
                                .finishReason(FinishReason.STOP)
                                .build();
                    }
                    case ProcessEvent.Error(String message) -> {
                        ended = true;
                        if (abandon.requested()) return null; // the "Signal" of our own termination
                        throw new LangChain4jException("Pie process " + process.id() + " of " + inferlet + " failed: " + message);
                    }
                    default -> { } // stderr, messages and files are not part of a chat answer
                }
            }
        } catch (RuntimeException | Error e) {
            if (!ended) abandon.request(); // e.g. the streaming handler threw: stop generating for it
            throw e;
        } finally {
            process.close();
        }
    }

    /** The next event within the time given (none: only if one is there), or null. */
    private @Nullable ProcessEvent next(PieProcess process, long timeoutNanos, Abandon abandon) {
        try {
            return (timeoutNanos == 0 ? process.tryRecv() : process.recv(Duration.ofNanos(timeoutNanos))).orElse(null);
        } catch (PieException e) {
            if (Thread.currentThread().isInterrupted()) throw interrupted(abandon, e);
            throw new LangChain4jException("Pie process " + process.id() + " of " + inferlet + ": " + e.getMessage(), e);
        }
    }

    /**
     * Launches on a virtual thread of its own, so that a caller interrupted or timed out while the launch is
     * on its way still learns the process id (and stops the process) once the engine answers.
     */
    private PieProcess launch(String input, long deadline, Abandon abandon) {
        CompletableFuture<PieProcess> launched = new CompletableFuture<>();
        Thread.ofVirtual().name("pie-langchain4j-launch").start(() -> {
            try {
                launched.complete(client.launchProcess(inferlet, input));
            } catch (Throwable t) {
                launched.completeExceptionally(t);
            }
        });
        abandon.onLaunch(launched);
        try {
            return launched.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(abandon, e);
        } catch (java.util.concurrent.TimeoutException e) {
            abandon.request();
            throw new TimeoutException("Pie did not start " + inferlet + " within " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new LangChain4jException("Pie could not launch " + inferlet + ": " + cause.getMessage(), cause);
        }
    }

    private TimeoutException timedOut(PieProcess process) {
        return new TimeoutException("Pie process " + process.id() + " of " + inferlet + " gave no complete answer within "
                + timeout + "; it was terminated");
    }

    private LangChain4jException interrupted(Abandon abandon, Exception cause) {
        abandon.request();
        return new LangChain4jException("interrupted while waiting for " + inferlet + "; its process was terminated", cause);
    }

    @Override
    public void close() {
        if (ownsClient) client.close();
    }

    /**
     * Giving up on a chat: whoever requests it (a timeout, an interrupt, a cancelled stream), the process is
     * terminated exactly once, as soon as its id is known. When the id is known already, the termination is
     * done before {@link #request()} returns, so a caller that sees the exception sees the process gone.
     */
    static final class Abandon {
        private final AtomicBoolean requested = new AtomicBoolean();
        private final CompletableFuture<PieProcess> launch = new CompletableFuture<>();

        boolean requested() {
            return requested.get();
        }

        void onLaunch(CompletableFuture<PieProcess> launched) {
            launched.whenComplete((p, e) -> {
                if (p != null) launch.complete(p);
            });
        }

        void request() {
            if (!requested.compareAndSet(false, true)) return;
            PieProcess known = launch.getNow(null);
            if (known != null) {
                terminate(known);
            } else {
                launch.thenAccept(Abandon::terminate);
            }
        }

        /** Terminates with the caller's interrupt flag cleared for the round trip, and then restored. */
        private static void terminate(PieProcess process) {
            boolean interrupted = Thread.interrupted();
            try {
                process.terminate();
            } catch (PieException e) {
                // Most often the process ended on its own meanwhile ("Process not found").
                LOG.log(System.Logger.Level.DEBUG, "terminating abandoned process {0}: {1}", process.id(), e.getMessage());
            } finally {
                process.close();
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }
}
