package org.pieproject.client.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code pie-client} command line: the official client's commands ({@code submit}, {@code install},
 * {@code list}, {@code attach}, {@code abort}, {@code ping}, {@code config}) with the same options, config
 * file and exit codes (0 on success, 1 on failure, 2 for a usage error).
 *
 * <p>Run it as {@code java -jar pie-client-<version>-cli.jar ...}; tests run it in-process with
 * {@link #execute(CliEnvironment, String...)}, which never exits the JVM.
 */
@Command(name = "pie-client", mixinStandardHelpOptions = true, versionProvider = PieCli.Version.class,
        description = "Programmable Inference Command Line Interface: talks to a running Pie engine.")
public final class PieCli implements Callable<Integer> {
    /** The commands, each by the name in its {@code @Command}, in the order the help lists them. */
    static final List<Subcommand> COMMANDS = List.of(new Subcommand("submit", SubmitCommand.class),
            new Subcommand("install", InstallCommand.class), new Subcommand("list", ListCommand.class),
            new Subcommand("attach", AttachCommand.class), new Subcommand("abort", AbortCommand.class),
            new Subcommand("ping", PingCommand.class), new Subcommand("config", ConfigCommand.class));

    /** A command of the top command. */
    record Subcommand(String name, Class<?> type) {
    }

    @Spec
    CommandSpec spec;

    /** Only {@link #commandLine} creates the top command; picocli fills in {@link #spec}. */
    private PieCli() {
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the command line, e.g. {@code submit text-completion@0.1.0 -- --prompt Hi}
     */
    public static void main(String[] args) {
        int code = execute(CliEnvironment.system(), args);
        System.exit(code);
    }

    /** Runs one command line in this JVM and returns its exit code. */
    static int execute(CliEnvironment env, String... args) {
        int code = commandLine(env, args).execute(args);
        env.out().flush();
        env.err().flush();
        return code;
    }

    /**
     * The picocli command tree for {@code args}, writing to {@code env}'s streams and building commands
     * around {@code env}. When the first argument names a command, the tree holds that command alone, else
     * all of them. picocli builds every command it is given from its annotations, by reflection, before it
     * parses anything; the six a run does not use cost about 50 ms of {@code pie-client ping}'s start (a
     * quarter of its picocli time). The parse is the same: the top command's own options come before a
     * command's name, so everything after it belongs to that command.
     */
    static CommandLine commandLine(CliEnvironment env, String... args) {
        CommandLine cl = new CommandLine(new PieCli(), new Factory(env));
        Subcommand named = null;
        for (Subcommand c : COMMANDS) {
            if (args.length > 0 && c.name().equals(args[0])) named = c;
        }
        for (Subcommand c : COMMANDS) {
            if (named == null || c == named) cl.addSubcommand(c.name(), c.type());
        }
        addHelpOption(cl);
        cl.setOut(env.out());
        cl.setErr(env.err());
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            command.getErr().println("Error: " + describe(e));
            command.getErr().flush();
            return 1;
        });
        return cl;
    }

    /**
     * Gives every subcommand, at any depth, {@code -h}/{@code --help} (the top command has it with
     * {@code --version} from its annotation), as the Python client does; one place, so a new command
     * cannot forget it.
     */
    private static void addHelpOption(CommandLine cl) {
        if (cl.getParent() != null) {
            cl.getCommandSpec().addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        cl.getSubcommands().values().forEach(PieCli::addHelpOption);
    }

    /** What the user reads for a failure: our own messages as they are, anything unexpected with its type. */
    static String describe(Exception e) {
        if (e instanceof CliException || e instanceof PieException) return e.getMessage();
        if (e instanceof IllegalArgumentException && e.getMessage() != null) return e.getMessage();
        return e.toString();
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Creates commands with the environment they run in; everything else as picocli would. */
    private record Factory(CliEnvironment env) implements IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                var constructor = cls.getDeclaredConstructor(CliEnvironment.class);
                return constructor.newInstance(env);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }

    /** The library's version from its jar manifest ("development build" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PieClient.class.getPackage().getImplementationVersion();
            return new String[] {"pie-client (Java) " + (v == null ? "development build" : v),
                    "Java " + Runtime.version()};
        }
    }
}
