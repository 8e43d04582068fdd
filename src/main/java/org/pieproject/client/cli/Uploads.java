package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.pieproject.client.PieClient;

/** Uploading a local build, with the progress line on a terminal; shared by {@code install} and {@code submit}. */
final class Uploads {
    private Uploads() {
    }

    /** Fails early, before connecting, when a local build's files are missing. */
    static void requireFiles(Path wasm, Path manifest) {
        if (!Files.isRegularFile(wasm)) throw new CliException("Inferlet file not found: " + wasm);
        if (!Files.isRegularFile(manifest)) throw new CliException("Manifest file not found: " + manifest);
    }

    /** Uploads {@code wasm} and waits until the engine has installed it as {@code programId}. */
    static void upload(CliEnvironment env, PieClient client, String programId, Path wasm, Path manifest, boolean force) {
        long size;
        try {
            size = Files.size(wasm);
        } catch (IOException e) {
            throw new CliException("Cannot read " + wasm + ": " + e.getMessage(), e);
        }
        UploadProgress progress = UploadProgress.start(env.out(), programId, size, env.terminal());
        try {
            client.addProgram(wasm, manifest, force);
        } finally {
            progress.close();
        }
        env.out().println("Inferlet installed successfully.");
    }
}
