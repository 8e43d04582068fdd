package org.pieproject.client;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Something a process produced, in the order it produced it. {@link Return} and {@link Error} are
 * terminal: exactly one of them ends a process's stream.
 *
 * <pre>{@code
 * switch (process.recv()) {
 *     case ProcessEvent.Stdout(String text) -> System.out.print(text);
 *     case ProcessEvent.Return(String value) -> System.out.println("done: " + value);
 *     case ProcessEvent e -> {}
 * }
 * }</pre>
 */
public sealed interface ProcessEvent {

    /**
     * Whether this event ends the stream.
     *
     * @return true for {@link Return} and {@link Error}, after which the process sends nothing more
     */
    default boolean isTerminal() {
        return this instanceof Return || this instanceof Error;
    }

    /**
     * Text the inferlet wrote to its standard output.
     *
     * @param text the text, as one write delivered it (not necessarily a whole line)
     */
    record Stdout(String text) implements ProcessEvent {}

    /**
     * Text the inferlet wrote to its standard error.
     *
     * @param text the text, as one write delivered it (not necessarily a whole line)
     */
    record Stderr(String text) implements ProcessEvent {}

    /**
     * A message the inferlet sent to its client.
     *
     * @param text the message
     */
    record Message(String text) implements ProcessEvent {}

    /**
     * A file the inferlet sent, complete and checked against its BLAKE3 hash. {@code name} is the name the
     * engine suggested (newer engines only), or null; never use it as a path without
     * {@link #safeFileName()}.
     *
     * @param data the file's bytes (the array is shared, not copied)
     * @param name the file name the engine suggested, or null
     */
    record File(byte[] data, @Nullable String name) implements ProcessEvent {
        /**
         * A file without a suggested name, as engines up to 0.4 send them.
         *
         * @param data the file's bytes
         */
        public File(byte[] data) {
            this(data, null);
        }

        /**
         * A name that is safe to create in a directory of your choice: the suggested name without any
         * directory part, control characters or leading dots, or "file.bin" when nothing usable is left.
         *
         * @return a plain file name, never empty
         */
        public String safeFileName() {
            if (name == null) return "file.bin";
            String base = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
            StringBuilder sb = new StringBuilder();
            base.codePoints().filter(c -> c >= 0x20 && c != 0x7f && c != ':').forEach(sb::appendCodePoint);
            String s = sb.toString().strip();
            while (s.startsWith(".")) s = s.substring(1);
            return s.isEmpty() ? "file.bin" : s;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof File f && Arrays.equals(f.data, data) && java.util.Objects.equals(f.name, name);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + java.util.Objects.hashCode(name);
        }

        @Override
        public String toString() {
            return "File[" + data.length + " bytes" + (name == null ? "" : ", name=" + name) + "]";
        }
    }

    /**
     * The process ended normally. Terminal.
     *
     * @param value what the inferlet returned (by convention JSON)
     */
    record Return(String value) implements ProcessEvent {}

    /**
     * The process failed, or was terminated. Terminal.
     *
     * @param message the engine's error text ({@code "Signal"} after a termination)
     */
    record Error(String message) implements ProcessEvent {}
}
