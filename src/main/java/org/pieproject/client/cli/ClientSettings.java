package org.pieproject.client.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;

/**
 * Where to connect and as whom: the command-line options first, then the config file, then the defaults
 * (127.0.0.1, port 8080, the login name, authentication on), as the official client merges them.
 *
 * @param keyPath the private key file, or null when authentication is off
 */
record ClientSettings(String host, int port, String username, Path keyPath, boolean enableAuth) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8080;

    /**
     * Merges the options with the config file. The default config file may be missing; one named with
     * {@code --config} may not.
     */
    static ClientSettings resolve(ConnectionOptions options, CliEnvironment env) {
        ConfigFile file = null;
        boolean needFile = options.host == null || options.port == null || options.username == null
                || options.privateKeyPath == null;
        if (options.config != null) {
            Path path = env.expand(options.config);
            if (!Files.exists(path)) throw new CliException("Config file not found at '" + path + "'");
            file = ConfigFile.load(path);
        } else if (needFile) {
            Path path = ConfigLocation.fileToRead(env);
            if (path != null) file = ConfigFile.load(path);
        }
        String host = firstNonBlank(options.host, file == null ? null : file.host(), DEFAULT_HOST);
        Integer filePort = file == null ? null : file.port();
        int port = options.port != null ? options.port : filePort != null ? filePort : DEFAULT_PORT;
        if (port < 1 || port > 65535) throw new CliException("--port must be from 1 to 65535, not " + port);
        String username = firstNonBlank(options.username, file == null ? null : file.username(), env.userName());
        Boolean auth = file == null ? null : file.enableAuth();
        boolean enableAuth = auth == null || auth;
        Path key = null;
        if (enableAuth) {
            String keyText = firstNonBlank(options.privateKeyPath, file == null ? null : file.privateKeyPath(), null);
            if (keyText == null) {
                throw new CliException("Private key is required when authentication is enabled. "
                        + "Set private_key_path in the config file or use --private-key-path.");
            }
            key = env.expand(keyText);
        }
        return new ClientSettings(host, port, username, key, enableAuth);
    }

    /** The engine's address; a host given as a whole {@code ws://} or {@code wss://} URI is taken as it is. */
    String uri() {
        if (host.startsWith("ws://") || host.startsWith("wss://")) return host;
        return "ws://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Connects and authenticates; failures become messages that say what to check. */
    PieClient connect(CliEnvironment env) {
        ParsedPrivateKey key = enableAuth ? loadKey(env) : null;
        PieClient client;
        try {
            client = PieClient.connect(uri());
        } catch (PieException e) {
            throw new CliException("Could not connect to engine at " + uri() + ". Is it running? (" + e.getMessage() + ")", e);
        }
        try {
            if (key == null) client.authenticate(username);
            else client.authenticate(username, key);
            return client;
        } catch (PieException e) {
            client.close();
            throw new CliException(enableAuth
                    ? "Failed to authenticate with engine using the specified private key: " + e.getMessage()
                    : "Failed to authenticate with engine (client public key authentication disabled): " + e.getMessage(), e);
        }
    }

    /**
     * Reads the key after checking that only its owner can read it (as ssh does). An encrypted key asks for
     * its passphrase on a terminal; elsewhere it is refused.
     */
    private ParsedPrivateKey loadKey(CliEnvironment env) {
        if (!Files.isRegularFile(keyPath)) throw new CliException("Private key file not found at '" + keyPath + "'");
        checkPermissions(keyPath);
        try {
            return ParsedPrivateKey.fromFile(keyPath);
        } catch (PieException e) {
            Console console = System.console();
            if (!env.terminal() || console == null || !e.getMessage().contains("give a passphrase")) {
                throw new CliException("Cannot use the private key: " + e.getMessage(), e);
            }
            char[] passphrase = console.readPassword("Passphrase for %s: ", keyPath);
            if (passphrase == null) throw new CliException("No passphrase given for " + keyPath);
            try {
                return ParsedPrivateKey.fromFile(keyPath, passphrase);
            } catch (PieException again) {
                throw new CliException("Cannot use the private key: " + again.getMessage(), again);
            } finally {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    /** Refuses a key that its group or others can read or write; skipped where there are no POSIX permissions. */
    static void checkPermissions(Path key) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(key);
        } catch (UnsupportedOperationException e) {
            return;
        } catch (IOException e) {
            throw new CliException("Cannot read the permissions of '" + key + "': " + e.getMessage(), e);
        }
        for (PosixFilePermission p : perms) {
            if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                throw new CliException("Private key file at '" + key + "' has insecure permissions ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "). Run: `chmod 600 '" + key + "'`");
            }
        }
    }

    private static String firstNonBlank(String a, String b, String c) {
        if (a != null && !a.isBlank()) return a;
        if (b != null && !b.isBlank()) return b;
        return c;
    }
}
