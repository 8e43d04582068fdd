package org.pieproject.client.cli;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pie-client attach <prefix>}: attaches to the one running process whose id starts with the prefix
 * and streams its events (first those the engine kept while nobody was attached). Ctrl-C detaches.
 */
@Command(name = "attach", description = "Attach to a running inferlet instance and stream its output (Ctrl-C detaches).")
final class AttachCommand extends EngineCommand {
    @Parameters(index = "0", paramLabel = "INSTANCE_ID_PREFIX", description = "Prefix or full UUID of the instance to attach to.")
    String prefix;

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR", defaultValue = ".",
            description = "Directory to save the files the inferlet sends (default: the current directory).")
    String outputDir;

    AttachCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() {
        try (PieClient client = connect()) {
            String id = ProcessIds.resolve(prefix, client.listProcesses());
            PieProcess process = client.attachProcess(id);
            env.out().println("Attached to instance " + id);
            env.out().flush();
            return new ProcessStreamer(env, client, process, env.expand(outputDir)).run();
        }
    }
}
