package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A run whose first argument names a command builds that command alone, and answers exactly as the whole
 * command tree does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliCommandTreeTest {
    @TempDir
    Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CliEnvironment env() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return new CliEnvironment(new PrintWriter(out), new PrintWriter(err), new BufferedReader(new StringReader("")),
                home, home.resolve("cfg.toml"), "t", false, new CliRun.TestInterrupts(), "wac");
    }

    private List<String> commandsOf(String... args) {
        return List.copyOf(PieCli.commandLine(env(), args).getSubcommands().keySet());
    }

    @Test
    void eachCommandIsListedByTheNameInItsAnnotation() {
        for (PieCli.Subcommand c : PieCli.COMMANDS) {
            assertThat(c.type().getAnnotation(Command.class).name()).isEqualTo(c.name());
        }
    }

    @Test
    void aRunThatNamesACommandBuildsThatCommandAlone() {
        List<String> all = List.of("submit", "install", "list", "attach", "abort", "ping", "config");
        assertThat(commandsOf()).isEqualTo(all);
        assertThat(commandsOf("--help", "ping")).isEqualTo(all);
        assertThat(commandsOf("pingg")).isEqualTo(all);
        assertThat(commandsOf("ping", "--host", "h")).containsExactly("ping");
        assertThat(commandsOf("config", "show")).containsExactly("config");
        assertThat(PieCli.commandLine(env(), "config").getSubcommands().get("config").getSubcommands().keySet())
                .containsExactly("init", "show", "update");
    }

    @Test
    void theOneCommandTreeAnswersAsTheWholeTreeDoes() {
        List<String[]> runs = List.of(new String[] {"ping", "--bogus"}, new String[] {"ping", "extra"},
                new String[] {"ping", "-h"}, new String[] {"submit"}, new String[] {"submit", "--help"},
                new String[] {"install", "--port"}, new String[] {"list", "--port", "many"},
                new String[] {"attach", "-x"}, new String[] {"abort"}, new String[] {"config"},
                new String[] {"config", "nope"}, new String[] {"config", "update", "--port", "x"});
        for (String[] args : runs) {
            CommandLine whole = PieCli.commandLine(env());
            int wholeCode = whole.execute(args);
            String wholeOut = out.toString();
            String wholeErr = err.toString();

            CommandLine one = PieCli.commandLine(env(), args);
            assertThat(one.getSubcommands()).as("%s", List.of(args)).hasSize(1);
            assertThat(one.execute(args)).as("%s", List.of(args)).isEqualTo(wholeCode);
            assertThat(out.toString()).as("%s", List.of(args)).isEqualTo(wholeOut);
            assertThat(err.toString()).as("%s", List.of(args)).isEqualTo(wholeErr);
            assertThat(wholeOut + wholeErr).as("%s", List.of(args)).isNotEmpty();
        }
    }
}
