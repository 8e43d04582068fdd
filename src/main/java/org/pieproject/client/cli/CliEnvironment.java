package org.pieproject.client.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the command line takes from the world outside its arguments, so that tests can run every
 * command in-process: where it writes, where it reads answers to prompts, which home directory and config
 * file it uses, whether it talks to a terminal, and how it learns about Ctrl-C.
 *
 * @param out        normal output
 * @param err        errors and the inferlets' stderr
 * @param in         answers to yes/no prompts (EOF counts as "no")
 * @param home       the directory {@code ~} stands for in paths, and where {@code ~/.ssh} keys are looked for
 * @param configFile the config file used when no {@code --config}/{@code --path} is given
 * @param userName   the username used when neither the options nor the config file give one
 * @param terminal   whether a person is watching: upload progress and passphrase prompts only then
 * @param interrupts where a running command registers what Ctrl-C should do
 * @param wac        the {@code wac} executable that {@code submit --link} composes components with
 */
record CliEnvironment(PrintWriter out, PrintWriter err, BufferedReader in, Path home, Path configFile,
                             String userName, boolean terminal, Interrupts interrupts, String wac) {

    /** Checks that every part is given. */
    public CliEnvironment {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(interrupts, "interrupts");
        Objects.requireNonNull(wac, "wac");
    }

    /**
     * The real process's environment: standard streams, {@code user.home}, the config file named by
     * {@code PIE_CLI_HOME} (see {@link ConfigLocation}), JVM shutdown hooks for Ctrl-C.
     */
    public static CliEnvironment system() {
        Console console = System.console();
        Charset outCharset = console != null ? console.charset() : Charset.defaultCharset();
        Path home = Path.of(System.getProperty("user.home"));
        return new CliEnvironment(
                new PrintWriter(new java.io.OutputStreamWriter(System.out, outCharset), true),
                new PrintWriter(new java.io.OutputStreamWriter(System.err, outCharset), true),
                new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())),
                home, ConfigLocation.defaultFile(home, System.getenv(ConfigLocation.HOME_VARIABLE)), System.getProperty("user.name", "user"),
                isTerminal(console), Interrupts.shutdownHooks(), "wac");
    }

    /** Expands a leading {@code ~} or {@code ~/} to {@link #home()}, as a shell would. */
    public Path expand(String path) {
        if (path.equals("~")) return home;
        if (path.startsWith("~/") || path.startsWith("~" + java.io.File.separator)) return home.resolve(path.substring(2));
        return Path.of(path);
    }

    /**
     * From JDK 22 on, {@code System.console()} also answers when the streams are redirected; only
     * {@code Console.isTerminal()} (not in Java 21's API) then tells whether a person is there.
     */
    private static boolean isTerminal(Console console) {
        if (console == null) return false;
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a console exists only for a terminal
        }
    }
}
