package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command, at every depth, answers {@code -h} and {@code --help} with its usage and exit status 0. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliHelpTest {
    @TempDir
    Path home;

    /** Each command's words, e.g. [config, update], found by walking the real command tree. */
    private List<List<String>> allCommands() {
        CliEnvironment env = new CliEnvironment(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new BufferedReader(new StringReader("")), home, home.resolve("cfg.toml"), "t", false,
                new CliRun.TestInterrupts(), "wac");
        List<List<String>> found = new ArrayList<>();
        walk(PieCli.commandLine(env), new ArrayList<>(), found);
        return found;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> found) {
        found.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            walk(sub, next, found);
        });
    }

    @Test
    void everyCommandPrintsItsHelpAndSucceeds() {
        List<List<String>> commands = allCommands();
        assertThat(commands).contains(List.of("submit"), List.of("ping"), List.of("config", "update"));
        CliRun cli = new CliRun(home);
        for (List<String> command : commands) {
            for (String flag : new String[] {"-h", "--help"}) {
                List<String> args = new ArrayList<>(command);
                args.add(flag);
                assertEquals(0, cli.run(args.toArray(String[]::new)), () -> args + ": " + cli.err());
                assertThat(cli.out()).as("%s", args).startsWith("Usage: pie-client" + (command.isEmpty() ? "" : " " + String.join(" ", command)));
                assertThat(cli.err()).as("%s", args).isEmpty();
            }
        }
    }

    @Test
    void helpAfterTheDoubleDashBelongsToTheInferlet() throws Exception {
        CliRun cli = new CliRun(home);
        Path config = home.resolve("nothing-listens.toml");
        CliCommandsTest.writeConfig(config, 1);
        // With no engine on port 1, the command gets as far as connecting: the flag was not taken as help.
        int code = cli.run("submit", "--config", config.toString(), "echo@0.1.0", "--", "--help");
        assertThat(cli.out()).doesNotContain("Usage:");
        assertThat(cli.err()).contains("Could not connect to engine");
        assertEquals(1, code, cli.err());
    }
}
