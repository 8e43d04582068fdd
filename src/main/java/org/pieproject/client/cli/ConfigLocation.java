package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the config file lives: {@code $PIE_CLI_HOME/cli_config.toml}, by default
 * {@code ~/.pie/cli_config.toml}, the very file the official Python {@code pie-client} reads and writes, so
 * that a user who configured one client has configured both.
 *
 * <p>Versions before 0.1.0 used {@code ~/.pie-client/config.toml}. When only that file exists, commands
 * still read it, and say once (a marker file next to it remembers) how to move it.
 */
final class ConfigLocation {
    /** The environment variable that moves the whole settings directory, as in the Python client. */
    static final String HOME_VARIABLE = "PIE_CLI_HOME";
    static final String FILE_NAME = "cli_config.toml";
    static final String LEGACY_RELATIVE = ".pie-client/config.toml";
    private static final String NOTICE_MARKER = ".moved-notice-shown";

    private ConfigLocation() {
    }

    /** The default config file for a home directory and the value of {@code PIE_CLI_HOME} (null or blank: unset). */
    static Path defaultFile(Path home, String pieCliHome) {
        Path dir = pieCliHome == null || pieCliHome.isBlank() ? home.resolve(".pie") : Path.of(pieCliHome);
        return dir.resolve(FILE_NAME);
    }

    /** The config file of earlier versions of this client. */
    static Path legacyFile(Path home) {
        return home.resolve(LEGACY_RELATIVE);
    }

    /** The shell commands that move the earlier file to where both clients look. */
    static String moveAdvice(Path legacy, Path current) {
        return "mkdir -p '" + current.toAbsolutePath().getParent() + "' && mv '" + legacy + "' '" + current + "'";
    }

    /**
     * The file commands read when no {@code --config} is given: the default one, else the earlier one (with
     * the notice the first time), else null.
     */
    static Path fileToRead(CliEnvironment env) {
        Path current = env.configFile();
        if (Files.exists(current)) return current;
        Path legacy = legacyFile(env.home());
        if (!Files.exists(legacy)) return null;
        Path marker = legacy.resolveSibling(NOTICE_MARKER);
        if (!Files.exists(marker)) {
            env.err().println("Note: pie-client now keeps its settings in '" + current
                    + "', shared with the Python pie-client; '" + legacy + "' is read until you move it:");
            env.err().println("   " + moveAdvice(legacy, current));
            env.err().flush();
            try {
                Files.createFile(marker);
            } catch (IOException e) {
                // Not being able to remember only means the note comes again next time.
            }
        }
        return legacy;
    }
}
