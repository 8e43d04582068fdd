package org.pieproject.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of one process, read in order: a {@link PieProcess} over the WebSocket, or a
 * {@link PieGeneration} over the gateway's HTTP path. Everything beyond {@link #recv()} is read through it,
 * so both read their processes to the end the same way.
 *
 * <p>Iterating ({@code for (ProcessEvent e : stream)}) or streaming ({@link #events()}) yields the events
 * up to and including the terminal one ({@link ProcessEvent.Return} or {@link ProcessEvent.Error}).
 */
public sealed interface ProcessStream extends Iterable<ProcessEvent> permits PieProcess, PieGeneration {

    /**
     * The id of the process whose events these are.
     *
     * @return a lowercase UUID, or {@code ""} for a process launched without captured output
     */
    String id();

    /**
     * Waits for the next event. After the terminal event it throws, and so it does when the stream was cut,
     * after the events that had already arrived.
     *
     * @return the next event
     * @throws PieException when the stream is over or was cut, or the thread is interrupted
     */
    ProcessEvent recv();

    /**
     * Reads the process to its end and returns the value it returned.
     *
     * @return the value of its {@link ProcessEvent.Return}
     * @throws PieRequestException with the process's error text if it ended with an error
     */
    default String result() {
        return output().value();
    }

    /**
     * Reads the process to its end and returns everything it produced: the return value, standard output
     * and error (concatenated), messages and files.
     *
     * @return what the process produced from now until it returned
     * @throws PieRequestException with the process's error text if it ended with an error
     */
    default ProcessOutput output() {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        List<String> messages = new ArrayList<>();
        List<ProcessEvent.File> files = new ArrayList<>();
        while (true) {
            switch (recv()) {
                case ProcessEvent.Stdout(String text) -> out.append(text);
                case ProcessEvent.Stderr(String text) -> err.append(text);
                case ProcessEvent.Message(String text) -> messages.add(text);
                case ProcessEvent.File f -> files.add(f);
                case ProcessEvent.Return(String value) -> {
                    return new ProcessOutput(value, out.toString(), err.toString(), List.copyOf(messages), List.copyOf(files));
                }
                case ProcessEvent.Error(String message) -> throw new PieRequestException("process " + id(), message);
            }
        }
    }

    /** The events from now on, ending with the terminal one. Reading blocks as {@link #recv()} does. */
    @Override
    default Iterator<ProcessEvent> iterator() {
        return new Iterator<>() {
            private boolean done;

            @Override
            public boolean hasNext() {
                return !done;
            }

            @Override
            public ProcessEvent next() {
                if (done) throw new NoSuchElementException();
                ProcessEvent e = recv();
                done = e.isTerminal();
                return e;
            }
        };
    }

    /**
     * The events as a stream, for filtering and collecting. Reading blocks as {@link #recv()} does.
     *
     * @return the events from now on as a sequential stream, ending with the terminal one
     */
    default Stream<ProcessEvent> events() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
