package org.pieproject.client.cli;

import java.util.concurrent.Callable;

import org.pieproject.client.PieClient;
import picocli.CommandLine.Mixin;

/** A command that connects to an engine with the common connection options. */
abstract class EngineCommand implements Callable<Integer> {
    final CliEnvironment env;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    EngineCommand(CliEnvironment env) {
        this.env = env;
    }

    ClientSettings settings() {
        return ClientSettings.resolve(connection, env);
    }

    /** Connects and authenticates as the options and config file say. */
    PieClient connect() {
        return settings().connect(env);
    }
}
