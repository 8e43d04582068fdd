package org.pieproject.client.cli;

import java.util.Locale;

import org.pieproject.client.PieClient;
import picocli.CommandLine.Command;

/** {@code pie-client ping}: connects, authenticates and prints the round-trip time of one ping. */
@Command(name = "ping", description = "Check if the Pie engine is alive and responsive.")
final class PingCommand extends EngineCommand {
    PingCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() {
        ClientSettings settings = settings();
        env.out().println("Pinging Pie engine at " + settings.uri());
        env.out().flush();
        try (PieClient client = settings.connect(env)) {
            long start = System.nanoTime();
            client.ping();
            double millis = (System.nanoTime() - start) / 1e6;
            env.out().println(String.format(Locale.ROOT,
                    "Pie engine is alive and responsive! (latency: %.3f ms)", millis));
        }
        return 0;
    }
}
