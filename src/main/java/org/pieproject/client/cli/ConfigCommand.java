package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pie-client config init|show|update}: manages {@code ~/.pie/cli_config.toml} (or
 * {@code $PIE_CLI_HOME/cli_config.toml}), the Python client's file.
 */
@Command(name = "config", description = "Manage configuration.",
        subcommands = {ConfigCommand.Init.class, ConfigCommand.Show.class, ConfigCommand.Update.class})
final class ConfigCommand implements Callable<Integer> {
    private static final String[] SSH_KEYS = {"id_ed25519", "id_rsa", "id_ecdsa"};
    private static final String DEFAULT_KEY = "~/.ssh/id_ed25519";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    static Path target(CliEnvironment env, String customPath) {
        return customPath == null ? env.configFile() : env.expand(customPath);
    }

    static ConfigFile existing(CliEnvironment env, String customPath) {
        Path path = target(env, customPath);
        if (!Files.exists(path)) {
            Path legacy = ConfigLocation.legacyFile(env.home());
            if (customPath == null && Files.exists(legacy)) {
                throw new CliException("Configuration file not found at '" + path + "'; this version keeps it there, "
                        + "shared with the Python pie-client. Move the earlier one: " + ConfigLocation.moveAdvice(legacy, path));
            }
            throw new CliException("Configuration file not found at '" + path + "'. Run `pie-client config init` first.");
        }
        return ConfigFile.load(path);
    }

    /**
     * Checks that a configured key can be used, and warns (without failing) when it cannot: the config is
     * saved either way.
     */
    static boolean validateKey(CliEnvironment env, String keyPath) {
        Path key = env.expand(keyPath);
        String problem = null;
        if (!Files.isRegularFile(key)) {
            problem = "Private key file not found at '" + key + "'";
        } else {
            try {
                ClientSettings.checkPermissions(key);
                ParsedPrivateKey.fromFile(key);
            } catch (CliException e) {
                problem = e.getMessage();
            } catch (PieException e) {
                if (!e.getMessage().contains("give a passphrase")) problem = "Failed to parse private key: " + e.getMessage();
            }
        }
        if (problem == null) return true;
        env.out().println();
        env.out().println("Warning: " + problem);
        env.out().println("   The configuration has been saved, but you'll need to provide a valid key to connect.");
        return false;
    }

    /** {@code config init}: writes a default config file, pointing at an SSH key found in {@code ~/.ssh}. */
    @Command(name = "init", description = "Create a default config file.")
    static final class Init implements Callable<Integer> {
        private final CliEnvironment env;

        @Option(names = "--enable-auth", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Enable authentication (default); --no-enable-auth or --no-auth turns it off.")
        boolean enableAuth;

        @Option(names = "--no-auth", description = "Disable authentication (same as --no-enable-auth).")
        boolean noAuth;

        @Option(names = "--path", paramLabel = "FILE", description = "Path where the config file should be saved.")
        String path;

        Init(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() throws IOException {
            boolean auth = enableAuth && !noAuth;
            Path file = target(env, path);
            if (Files.exists(file) && !confirm("Configuration file already exists at '" + file + "'. Overwrite? [y/N]: ")) {
                env.out().println("Aborting. Configuration file was not overwritten.");
                return 0;
            }
            String found = null;
            for (String name : SSH_KEYS) {
                if (Files.exists(env.home().resolve(".ssh").resolve(name))) {
                    found = "~/.ssh/" + name;
                    break;
                }
            }
            String content = ConfigFile.initialContent(env.userName(), found != null ? found : DEFAULT_KEY, auth);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, content, StandardCharsets.UTF_8);
            env.out().println("Created default configuration file at '" + file + "'");
            env.out().println(content);
            if (!auth) return 0;
            if (found != null) {
                env.out().println("Using private key found at '" + found + "'");
                env.out().println("   You can update the key path in the config file:");
                env.out().println("      `pie-client config update --private-key-path <path>`");
                validateKey(env, found);
            } else {
                env.out().println();
                env.out().println("Warning: Private key not found in '~/.ssh', using default path: '" + DEFAULT_KEY + "'");
                env.out().println("   Please take either of the following actions when using authentication:");
                env.out().println("   1. Generate an SSH key pair by running `ssh-keygen`");
                env.out().println("   2. Update the key path in the config file:");
                env.out().println("      `pie-client config update --private-key-path <path>`");
            }
            return 0;
        }

        private boolean confirm(String question) throws IOException {
            env.out().print(question);
            env.out().flush();
            String answer = env.in().readLine();
            if (answer == null) env.out().println();
            return answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
        }
    }

    /** {@code config show}: prints the config file as it is. */
    @Command(name = "show", description = "Show the content of the config file.")
    static final class Show implements Callable<Integer> {
        private final CliEnvironment env;

        @Option(names = "--path", paramLabel = "FILE", description = "Path to the config file to show.")
        String path;

        Show(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() throws IOException {
            ConfigFile file = existing(env, path);
            env.out().println("Configuration file at '" + file.path() + "':");
            env.out().println(Files.readString(file.path(), StandardCharsets.UTF_8));
            return 0;
        }
    }

    /** {@code config update}: changes the given entries and keeps the others. */
    @Command(name = "update", description = "Update the entries of the config file.")
    static final class Update implements Callable<Integer> {
        private final CliEnvironment env;

        @Option(names = "--host", paramLabel = "HOST", description = "Host to connect to.")
        String host;

        @Option(names = "--port", paramLabel = "PORT", description = "Port to connect to.")
        Integer port;

        @Option(names = "--username", paramLabel = "NAME", description = "Username for authentication.")
        String username;

        @Option(names = "--private-key-path", paramLabel = "FILE", description = "Path to private key file.")
        String privateKeyPath;

        @Option(names = "--enable-auth", negatable = true, arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
                description = "Enable (or with --no-enable-auth, disable) authentication.")
        Boolean enableAuth;

        @Option(names = "--path", paramLabel = "FILE", description = "Path to the config file to update.")
        String path;

        Update(CliEnvironment env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            ConfigFile file = existing(env, path);
            List<String> updated = new ArrayList<>();
            if (host != null) {
                file.set(ConfigFile.HOST, host);
                updated.add("host = " + ConfigFile.quote(host));
            }
            if (port != null) {
                if (port < 1 || port > 65535) throw new CliException("--port must be from 1 to 65535, not " + port);
                file.set(ConfigFile.PORT, port);
                updated.add("port = " + port);
            }
            if (username != null) {
                file.set(ConfigFile.USERNAME, username);
                updated.add("username = " + ConfigFile.quote(username));
            }
            if (privateKeyPath != null) {
                file.set(ConfigFile.PRIVATE_KEY_PATH, privateKeyPath);
                updated.add("private_key_path = " + ConfigFile.quote(privateKeyPath));
            }
            if (enableAuth != null) {
                file.set(ConfigFile.ENABLE_AUTH, enableAuth);
                updated.add("enable_auth = " + enableAuth);
            }
            if (updated.isEmpty()) {
                env.out().println("No fields provided to update.");
                return 0;
            }
            file.save();
            env.out().println("Updated configuration file at '" + file.path() + "'");
            env.out().println("   Updated fields:");
            for (String u : updated) env.out().println("   - " + u);
            if (privateKeyPath != null) validateKey(env, privateKeyPath);
            return 0;
        }
    }
}
