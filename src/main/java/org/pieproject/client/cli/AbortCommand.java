package org.pieproject.client.cli;

import org.pieproject.client.PieClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code pie-client abort <prefix>}: terminates the one running process whose id starts with the prefix. */
@Command(name = "abort", description = "Terminate a running inferlet instance.")
final class AbortCommand extends EngineCommand {
    @Parameters(index = "0", paramLabel = "INSTANCE_ID_PREFIX", description = "Prefix or full UUID of the instance to terminate.")
    String prefix;

    AbortCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() {
        try (PieClient client = connect()) {
            String id = ProcessIds.resolve(prefix, client.listProcesses());
            client.terminateProcess(id);
            env.out().println("Sent termination request for instance " + id);
        }
        return 0;
    }
}
