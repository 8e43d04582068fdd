package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;

/**
 * The executable jar {@code pie-client-<version>-cli.jar} as a user runs it ({@code java -jar}), and the
 * library jar, which must not carry the command line's dependencies.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CliJarIT {
    @TempDir
    Path home;

    private ChildJvm run(String... args) throws Exception {
        return runWith(Map.of(), args);
    }

    private ChildJvm runWith(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(ChildJvm.java(), "-Duser.home=" + home,
                "-jar", PackagedJars.cliJar().toString()));
        command.addAll(List.of(args));
        return ChildJvm.start(command, env);
    }

    @Test
    void theConfigFileIsThePythonClientsAndPieCliHomeMovesIt() throws Exception {
        Path elsewhere = home.resolve("pie-cli-home");
        try (ChildJvm child = runWith(Map.of("PIE_CLI_HOME", elsewhere.toString()), "config", "init", "--no-auth")) {
            assertEquals(0, child.waitFor(30), child.stdout());
        }
        assertThat(elsewhere.resolve("cli_config.toml")).content().contains("enable_auth = false");
        assertThat(home.resolve(".pie/cli_config.toml")).doesNotExist();
        try (ChildJvm child = runWith(Map.of("PIE_CLI_HOME", ""), "config", "init", "--no-auth")) {
            assertEquals(0, child.waitFor(30), child.stdout());
        }
        assertThat(home.resolve(".pie/cli_config.toml")).content().contains("enable_auth = false");
    }

    @Test
    void versionAndHelpWork() throws Exception {
        try (ChildJvm child = run("--version")) {
            assertEquals(0, child.waitFor(30));
            assertThat(child.stdout()).contains("pie-client (Java) " + System.getProperty("pie.version"));
        }
        try (ChildJvm child = run("no-such-command")) {
            assertEquals(2, child.waitFor(30));
        }
    }

    @Test
    void submitRunsAnInferletAndExitsWithItsOutcome() throws Exception {
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout(ctx.input() + "\n");
                    return "fine";
                })
                .inferlet("boom@0.1.0", ctx -> {
                    throw new IllegalStateException("boom");
                }).start()) {
            Path config = home.resolve("cfg.toml");
            CliCommandsTest.writeConfig(config, server.port());
            try (ChildJvm child = run("submit", "--config", config.toString(), "echo@0.1.0", "--", "--n", "3")) {
                assertEquals(0, child.waitFor(30), child.stdout());
                assertThat(child.stdout()).contains("] {\"n\":3}", "Completed: fine");
                assertThat(child.stderr()).isEmpty();
            }
            try (ChildJvm child = run("submit", "--config", config.toString(), "boom@0.1.0")) {
                assertEquals(1, child.waitFor(30));
                assertThat(child.stderr()).contains("Error: boom");
            }
            try (ChildJvm child = run("ping", "--config", config.toString())) {
                assertEquals(0, child.waitFor(30));
                assertThat(child.stdout()).contains("alive and responsive");
            }
        }
    }

    /**
     * The JDK's class-data sharing keeps the classes the command line loads from its jar. picocli's are
     * Java 5 class files, which the archive and the AOT cache leave out ("Old class has been linked"), so
     * each run loaded and verified them from the jar; the build gives them stack map frames
     * (src/build/ClassFileUpgrade.java). A dynamic archive, since it works the same on JDK 21 and 25.
     */
    @Test
    void classDataSharingKeepsPicocli(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("cli.jsa");
        List<String> command = List.of(ChildJvm.java(), "-Duser.home=" + home, "-XX:ArchiveClassesAtExit=" + archive,
                "-Xlog:cds=warning", "-jar", PackagedJars.cliJar().toString(), "--version");
        try (ChildJvm child = ChildJvm.start(command, Map.of())) {
            assertEquals(0, child.waitFor(60), child.stdout());
            assertThat(child.stdout()).contains("pie-client (Java)").doesNotContain("Skipping picocli");
        }
        assertThat(archive).isNotEmptyFile();
    }

    @Test
    void theLibraryJarLeavesTheCommandLineDependenciesOut() throws Exception {
        try (JarFile lib = new JarFile(PackagedJars.libraryJar().toFile());
             JarFile cli = new JarFile(PackagedJars.cliJar().toFile())) {
            assertThat(lib.getEntry("picocli/CommandLine.class")).isNull();
            assertThat(cli.getEntry("picocli/CommandLine.class")).isNotNull();
            assertThat(cli.getEntry("com/fasterxml/jackson/dataformat/toml/TomlMapper.class")).isNotNull();
            assertThat(cli.getEntry("org/java_websocket/WebSocket.class")).isNull();
            assertThat(cli.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/pieproject/client/langchain4j/") || n.startsWith("org/pieproject/client/testkit/")))
                    .as("library parts the command line never loads").isEmpty();
            assertThat(cli.getEntry("org/pieproject/client/PieClient.class")).isNotNull();
            assertThat(cli.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(PieCli.class.getName());
            assertThat(cli.stream().map(e -> e.getName()).filter(n -> n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)"))).isEmpty();
        }
    }
}
