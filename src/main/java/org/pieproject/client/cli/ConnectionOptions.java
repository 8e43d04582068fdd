package org.pieproject.client.cli;

import picocli.CommandLine.Option;

/** The options every command that talks to an engine takes; each overrides the config file's value. */
final class ConnectionOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "Path to a custom TOML configuration file.")
    String config;

    @Option(names = "--host", paramLabel = "HOST", description = "The network host to connect to.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "The network port to connect to.")
    Integer port;

    @Option(names = "--username", paramLabel = "NAME", description = "The username to use for authentication.")
    String username;

    @Option(names = "--private-key-path", paramLabel = "FILE",
            description = "Path to the private key file for authentication.")
    String privateKeyPath;
}
