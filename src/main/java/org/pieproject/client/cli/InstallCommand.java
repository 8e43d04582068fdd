package org.pieproject.client.cli;

import java.nio.file.Path;

import org.pieproject.client.PieClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pie-client install}: uploads a local build without launching it. */
@Command(name = "install", description = "Install an inferlet to a running Pie engine without launching it.")
final class InstallCommand extends EngineCommand {
    @Option(names = {"-p", "--path"}, required = true, paramLabel = "FILE", description = "Path to a local .wasm inferlet file.")
    String path;

    @Option(names = {"-m", "--manifest"}, required = true, paramLabel = "FILE", description = "Path to the manifest TOML file.")
    String manifest;

    @Option(names = {"-f", "--force"}, description = "Force reinstall even if already installed.")
    boolean force;

    InstallCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() {
        Path wasm = env.expand(path);
        Path manifestFile = env.expand(manifest);
        Uploads.requireFiles(wasm, manifestFile);
        String programId = Manifests.programId(manifestFile);
        env.out().println("Inferlet: " + programId);
        env.out().flush();
        try (PieClient client = connect()) {
            if (force || !client.checkProgram(programId, wasm, manifestFile)) {
                Uploads.upload(env, client, programId, wasm, manifestFile, force);
            } else {
                env.out().println("Inferlet already exists on server.");
            }
        }
        return 0;
    }
}
