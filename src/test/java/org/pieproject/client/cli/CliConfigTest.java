package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;

/**
 * {@code config init|show|update} in a temporary home directory, the config file's format and round trip,
 * and how commands use it: authentication with the configured key, refused key permissions, a missing key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliConfigTest {
    @TempDir
    Path home;

    private CliRun cli;
    private Path config;

    @BeforeEach
    void setUp() {
        cli = new CliRun(home);
        config = home.resolve(".pie/cli_config.toml");
    }

    private Path writeKey(KeyPair pair, String name) throws Exception {
        Path key = home.resolve(".ssh").resolve(name);
        Files.createDirectories(key.getParent());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(key, pem);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return key;
    }

    @Test
    void initWritesTheOfficialLayoutWithAFoundKey() throws Exception {
        writeKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), "id_ed25519");
        assertEquals(0, cli.run("config", "init"), cli.err());
        assertThat(Files.readString(config)).isEqualTo("""
                host = "127.0.0.1"
                port = 8080
                username = "tester"
                private_key_path = "~/.ssh/id_ed25519"
                enable_auth = true
                """);
        assertThat(cli.out()).contains("Created default configuration file at '" + config + "'",
                "Using private key found at '~/.ssh/id_ed25519'").doesNotContain("Warning");
    }

    @Test
    void initWithoutKeyWarnsAndWithoutAuthLeavesTheKeyEmpty() throws Exception {
        assertEquals(0, cli.run("config", "init"), cli.err());
        assertThat(cli.out()).contains("Warning: Private key not found in '~/.ssh'");
        assertThat(Files.readString(config)).contains("private_key_path = \"~/.ssh/id_ed25519\"");

        Path other = home.resolve("elsewhere/cfg.toml");
        for (String flag : new String[] {"--no-auth", "--no-enable-auth"}) {
            Files.deleteIfExists(other);
            assertEquals(0, cli.run("config", "init", flag, "--path", other.toString()), cli.err());
            assertThat(Files.readString(other)).contains("private_key_path = \"\"", "enable_auth = false");
        }
    }

    @Test
    void initAsksBeforeOverwriting() throws Exception {
        Files.createDirectories(config.getParent());
        Files.writeString(config, "port = 1\n");
        cli.stdin = "n\n";
        assertEquals(0, cli.run("config", "init"));
        assertThat(cli.out()).contains("Overwrite? [y/N]", "Aborting");
        assertThat(Files.readString(config)).isEqualTo("port = 1\n");
        cli.stdin = ""; // no answer at all (not a terminal) counts as no
        assertEquals(0, cli.run("config", "init"));
        assertThat(Files.readString(config)).isEqualTo("port = 1\n");
        cli.stdin = "y\n";
        assertEquals(0, cli.run("config", "init"));
        assertThat(Files.readString(config)).contains("port = 8080");
    }

    @Test
    void showPrintsTheFileAndFailsWithoutOne() throws Exception {
        assertEquals(1, cli.run("config", "show"));
        assertThat(cli.err()).contains("Configuration file not found at '" + config + "'. Run `pie-client config init` first.");
        assertEquals(0, cli.run("config", "init", "--no-auth"));
        assertEquals(0, cli.run("config", "show"));
        assertThat(cli.out()).contains("Configuration file at '" + config + "':", "host = \"127.0.0.1\"", "enable_auth = false");
    }

    @Test
    void updateChangesOnlyTheGivenFieldsAndKeepsOtherKeys() throws Exception {
        Files.createDirectories(config.getParent());
        Files.writeString(config, """
                host = "127.0.0.1"
                port = 8080
                username = "tester"
                private_key_path = ""
                enable_auth = true
                extra = 'kept'
                [table]
                inner = 1
                """);
        assertEquals(0, cli.run("config", "update"));
        assertThat(cli.out()).contains("No fields provided to update.");
        assertEquals(0, cli.run("config", "update", "--host", "gpu.example", "--port", "9090",
                "--username", "al\"ice", "--no-enable-auth"), cli.err());
        assertThat(cli.out()).contains("Updated fields:", "- host = \"gpu.example\"", "- port = 9090",
                "- enable_auth = false");
        ConfigFile file = ConfigFile.load(config);
        assertThat(file.host()).isEqualTo("gpu.example");
        assertThat(file.port()).isEqualTo(9090);
        assertThat(file.username()).isEqualTo("al\"ice");
        assertThat(file.enableAuth()).isFalse();
        assertThat(file.privateKeyPath()).isEmpty();
        assertThat(Files.readString(config)).startsWith("host = \"gpu.example\"\nport = 9090\n")
                .contains("extra = \"kept\"", "inner = 1");
        assertEquals(0, cli.run("config", "update", "--enable-auth"));
        assertThat(ConfigFile.load(config).enableAuth()).isTrue();
        assertEquals(0, cli.run("config", "update", "--enable-auth=false"));
        assertThat(ConfigFile.load(config).enableAuth()).isFalse();

        assertEquals(0, cli.run("config", "update", "--private-key-path", "~/.ssh/missing"));
        assertThat(cli.out()).contains("Warning: Private key file not found");
        assertEquals(1, cli.run("config", "update", "--port", "70000"));
        assertEquals(1, cli.run("config", "update", "--path", home.resolve("none.toml").toString(), "--port", "1"));
    }

    @Test
    void aBrokenConfigFileIsAClearErrorNamingFileAndLine() throws Exception {
        Files.createDirectories(config.getParent());
        Files.writeString(config, "host = \"h\"\nport = \"eighty\"\n");
        assertEquals(1, cli.run("ping"));
        assertThat(cli.err()).contains("config file '" + config + "', line 2: port must be a number");
        Files.writeString(config, "host = \"h\"\n\nenable_auth = 1\n");
        assertEquals(1, cli.run("ping"));
        assertThat(cli.err()).contains("config file '" + config + "', line 3: enable_auth must be true or false");
        Files.writeString(config, "host = \"h\"\nport = = 1\n");
        assertEquals(1, cli.run("ping"));
        assertThat(cli.err()).contains("config file '" + config + "' is not valid TOML", "(line 2)");
    }

    @Test
    void theDefaultFileIsThePythonClientsOneAndFollowsPieCliHome() {
        assertEquals(home.resolve(".pie/cli_config.toml"), ConfigLocation.defaultFile(home, null));
        assertEquals(home.resolve(".pie/cli_config.toml"), ConfigLocation.defaultFile(home, " "));
        assertEquals(Path.of("/srv/pie-cli/cli_config.toml"), ConfigLocation.defaultFile(home, "/srv/pie-cli"));
    }

    @Test
    void aFileWrittenByThePythonClientIsReadAndUpdatedInPlace() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start()) {
            Files.createDirectories(config.getParent());
            // The Python client's toml.dumps layout, with a key of its future we must keep.
            Files.writeString(config, "host = \"127.0.0.1\"\nport = " + server.port()
                    + "\nusername = \"py-user\"\nprivate_key_path = \"\"\nenable_auth = false\nfuture_key = \"kept\"\n");
            assertEquals(0, cli.run("ping"), cli.err());
            assertThat(cli.out()).contains("alive and responsive");
            assertEquals(0, cli.run("config", "update", "--username", "java-user"), cli.err());
            assertThat(Files.readString(config)).contains("username = \"java-user\"", "future_key = \"kept\"",
                    "port = " + server.port());
            assertThat(cli.err()).isEmpty();
        }
    }

    @Test
    void anEarlierVersionsFileIsReadAndTheMoveIsExplainedOnce() throws Exception {
        try (PieTestServer server = PieTestServer.builder().start()) {
            Path legacy = home.resolve(".pie-client/config.toml");
            CliCommandsTest.writeConfig(legacy, server.port());
            assertEquals(0, cli.run("ping"), cli.err());
            assertThat(cli.out()).contains("alive and responsive");
            assertThat(cli.err()).contains("'" + config + "'", "'" + legacy + "' is read until you move it",
                    "mv '" + legacy + "' '" + config + "'");
            assertEquals(0, cli.run("ping"), cli.err());
            assertThat(cli.err()).isEmpty();

            assertEquals(1, cli.run("config", "show"));
            assertThat(cli.err()).contains("Configuration file not found at '" + config + "'", "mv '" + legacy + "'");

            // Once moved, the new file is the one read, and the earlier one no longer matters.
            Files.createDirectories(config.getParent());
            Files.move(legacy, config);
            Files.writeString(legacy, "port = = broken\n");
            assertEquals(0, cli.run("ping"), cli.err());
            assertThat(cli.err()).isEmpty();
        }
    }

    @Test
    void commandsAuthenticateWithTheConfiguredKey() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path key = writeKey(pair, "id_ed25519");
        try (PieTestServer server = PieTestServer.builder().user("tester", pair.getPublic()).start()) {
            assertEquals(0, cli.run("config", "init"), cli.err());
            assertEquals(0, cli.run("config", "update", "--port", String.valueOf(server.port())), cli.err());
            assertEquals(0, cli.run("ping"), cli.err());
            assertThat(cli.out()).contains("alive and responsive");

            assertEquals(1, cli.run("ping", "--username", "mallory"));
            assertThat(cli.err()).contains("Failed to authenticate with engine using the specified private key");

            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
            assertEquals(1, cli.run("ping"));
            assertThat(cli.err()).contains("insecure permissions", "chmod 600");

            assertEquals(0, cli.run("config", "update", "--private-key-path", ""));
            assertEquals(1, cli.run("ping"));
            assertThat(cli.err()).contains("Private key is required when authentication is enabled");
        }
    }
}
