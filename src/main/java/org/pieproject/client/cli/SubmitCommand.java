package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code pie-client submit}: launches an inferlet, by {@code name@version} or from a local build (uploaded
 * first unless the engine has it), and streams its events until it ends. The arguments after {@code --}
 * become its JSON input.
 */
@Command(name = "submit", description = {
        "Submit an inferlet to a running Pie engine and stream its output (Ctrl-C detaches).",
        "By name:  pie-client submit text-completion@0.1.0 -- --prompt \"hello\"",
        "By path:  pie-client submit --path ./my_inferlet.wasm --manifest ./Pie.toml -- --prompt \"hello\""})
final class SubmitCommand extends EngineCommand {
    @Parameters(paramLabel = "INFERLET", arity = "0..*",
            description = "Inferlet name from the registry (e.g. text-completion@0.1.0), then the arguments after `--`.")
    List<String> positional = new ArrayList<>();

    @Option(names = {"-p", "--path"}, paramLabel = "FILE", description = "Path to a local .wasm inferlet file.")
    String path;

    @Option(names = {"-m", "--manifest"}, paramLabel = "FILE", description = "Path to the manifest TOML file (required with --path).")
    String manifest;

    @Option(names = {"-d", "--no-output"}, description = "Don't capture the inferlet outputs.")
    boolean noOutput;

    @Option(names = {"-l", "--link"}, paramLabel = "FILE", description = "Paths to .wasm library files to link (needs wac).")
    List<String> link = new ArrayList<>();

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR", defaultValue = ".",
            description = "Directory to save the files the inferlet sends (default: the current directory).")
    String outputDir;

    SubmitCommand(CliEnvironment env) {
        super(env);
    }

    @Override
    public Integer call() throws IOException {
        if (positional.isEmpty() && path == null) throw new CliException("Specify an inferlet name or --path");
        String inferlet = path == null ? positional.get(0) : null;
        // With --path every positional argument belongs to the inferlet's input.
        List<String> arguments = path == null ? positional.subList(1, positional.size()) : positional;
        if (path != null && manifest == null) throw new CliException("--manifest is required when using --path");
        String input = InputArguments.toJson(arguments);
        Path wasm = path == null ? null : env.expand(path);
        Path manifestFile = manifest == null ? null : env.expand(manifest);
        if (wasm != null) {
            Uploads.requireFiles(wasm, manifestFile);
            inferlet = Manifests.programId(manifestFile);
            env.out().println("Inferlet: " + inferlet);
        } else {
            if (!link.isEmpty()) env.err().println("Warning: --link is ignored when launching from the registry");
            env.out().println("Launching from registry: " + inferlet);
        }
        env.out().flush();
        try (PieClient client = connect()) {
            if (wasm != null) install(client, inferlet, wasm, manifestFile);
            PieProcess process = client.launchProcess(inferlet, input, !noOutput, null);
            if (noOutput || process.id().isEmpty()) {
                env.out().println("Inferlet launched" + (process.id().isEmpty() ? "" : " with ID: " + process.id())
                        + " (outputs not captured)");
                return 0;
            }
            env.out().println("Inferlet launched with ID: " + process.id());
            env.out().flush();
            return new ProcessStreamer(env, client, process, env.expand(outputDir)).run();
        }
    }

    /** Uploads the local build unless the engine has it; a linked build is always uploaded. */
    private void install(PieClient client, String programId, Path wasm, Path manifestFile) throws IOException {
        if (!link.isEmpty()) {
            List<Path> libraries = link.stream().map(env::expand).toList();
            Path composed = new WacComposer(env.wac()).compose(wasm, libraries);
            try {
                Uploads.upload(env, client, programId, composed, manifestFile, false);
            } finally {
                Files.deleteIfExists(composed);
            }
        } else if (!client.checkProgram(programId, wasm, manifestFile)) {
            Uploads.upload(env, client, programId, wasm, manifestFile, false);
        } else {
            env.out().println("Inferlet already exists on server.");
        }
    }
}
