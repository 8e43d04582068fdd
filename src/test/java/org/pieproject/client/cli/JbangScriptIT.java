package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.PieClient;
import org.pieproject.client.testkit.PieTestServer;

/**
 * Runs every alias of {@code jbang-catalog.json} (the one at the repository's root, which
 * {@code jbang <alias>@pie-project/pie-client-java} reads) with JBang, end to end against
 * {@link PieTestServer}, the way a user does after {@code ./mvnw install}: {@code jbang run <alias>} in the
 * checkout, so that JBang finds the alias in the catalog by its name, resolves its {@code script-ref}, resolves
 * {@code //DEPS org.pie-project:pie-client:${pie.version:0.1.0}} with {@code -Dpie.version=} the version just
 * built from a local Maven repository, compiles the script and runs it. An alias without a case here fails, so
 * a new script cannot go untested. ({@code jbang <alias>@pie-project/pie-client-java} reads the same file from
 * GitHub, which this machine cannot reach.)
 *
 * <p>JBang itself comes from Maven Central ({@code dev.jbang:jbang-cli}, the last version published there),
 * resolved by a nested Maven run into the local repository. The local repository JBang sees is a temporary
 * one holding the freshly built jar and links to everything else in the real one, so the test neither needs
 * {@code install} nor writes into the user's repository, and JBang runs {@code --offline}. Without JBang
 * (no network and not cached) the test is skipped, except under {@code CI=true}, where it fails.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
@EnabledOnOs({OS.LINUX, OS.MAC})
class JbangScriptIT {
    static final String JBANG = "dev.jbang:jbang-cli:0.132.1";
    static final String USER = "jbang-user";
    /**
     * The Gson that JBang runs with. Its pom on Maven Central brings Gson 2.10.1, with which JBang's catalog
     * reader ({@code dev.jbang.catalog.Catalog}) reads every catalog as empty, so no alias is ever found;
     * with 2.11.0 and later (what JBang's own distribution ships) it finds them.
     */
    static final String JBANG_GSON = "2.13.2";

    @TempDir
    Path dir;

    /** What an alias's case gives: the engine's inferlets, the script's arguments and what it must print. */
    private record Case(PieTestServer.Builder engine, List<String> args, List<String> expected, Setup setup) {
        Case(PieTestServer.Builder engine, List<String> args, List<String> expected) {
            this(engine, args, expected, server -> () -> { });
        }
    }

    /** What runs against the engine before the script (and is closed after it). */
    private interface Setup {
        AutoCloseable before(PieTestServer server) throws Exception;
    }

    private Map<String, Case> cases() throws IOException {
        Path config = dir.resolve("cli.toml");
        Path wasm = Files.writeString(dir.resolve("local.wasm"), "not really wasm, the test engine runs a lambda");
        Path manifest = Files.writeString(dir.resolve("Pie.toml"), "[package]\nname = \"local\"\nversion = \"0.1.0\"\n");
        PieTestServer.Builder echo = PieTestServer.builder().inferlet("echo@0.1.0", ctx -> {
            ctx.stdout("got " + ctx.input() + "\n");
            return "{\"ok\":true}";
        });
        Map<String, Case> cases = new HashMap<>();
        cases.put("pie-quickstart", new Case(PieTestServer.builder().inferlet("text-completion@0.1.0", ctx -> {
            ctx.stdout("tokens for " + ctx.input() + "\n");
            return "{\"tokens\":3}";
        }), List.of(), List.of("tokens for", "What is Pie?")));
        cases.put("pie-stream", new Case(echo, List.of("echo@0.1.0", "{\"n\":1}"), List.of("got {\"n\":1}", "[done] {\"ok\":true}")));
        cases.put("pie-run-local", new Case(PieTestServer.builder(), List.of(wasm.toString(), manifest.toString(), "{\"n\":2}"),
                List.of("[done] {\"n\":2}")));
        CountDownLatch release = new CountDownLatch(1);
        PieTestServer.Builder waiting = PieTestServer.builder().inferlet("wait@0.1.0", ctx -> {
            release.await(60, TimeUnit.SECONDS);
            return "released";
        });
        // Without an argument the script lists the user's running processes: one is running.
        cases.put("pie-reattach", new Case(waiting, List.of(), List.of("wait@0.1.0"), server -> {
            PieClient client = PieClient.connect(server.uri());
            client.authenticate(USER);
            client.launchProcess("wait@0.1.0", "{}");
            return () -> {
                release.countDown();
                client.close();
            };
        }));
        cases.put("pie-client", new Case(echo, List.of("ping", "--config", config.toString()), List.of("alive and responsive")));
        String langchain4j = "dev.langchain4j:langchain4j-core:" + System.getProperty("pie.langchain4jVersion");
        cases.put("pie-langchain4j", new Case(PieTestServer.builder().inferlet("text-completion@0.1.0",
                new org.pieproject.client.testkit.TextCompletionDemo(in -> "from PIE_URL to " + in.prompt())),
                List.of("Why Pie?"), List.of("[chat] from PIE_URL to Why Pie?", "[stream] from PIE_URL to Why Pie?\n[done] STOP"),
                server -> {
                    // The script names the LangChain4j version the library is built and tested with, and JBang
                    // resolves it with its own dependency versions.
                    assertThat(Files.readString(PackagedJars.basedir().resolve("scripts/jbang/PieLangChain4j.java")))
                            .contains("//DEPS " + langchain4j + "\n");
                    resolveIntoLocalRepository(langchain4j);
                    return () -> { };
                }));
        // Without PIE_HTTP_URL the script starts a gateway-mode test engine of its own.
        cases.put("pie-generate-http", new Case(PieTestServer.builder(), List.of("demo@0.1.0", "{\"n\":2}"),
                List.of("Generated over HTTP by a gateway.", "[done] {\"tokens\":7,\"input\":{\"n\":2}}")));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCatalogAliasRunsAgainstTheTestEngine() throws Exception {
        JsonObject catalog = JsonParser.parseString(Files.readString(PackagedJars.basedir().resolve("jbang-catalog.json")))
                .getAsJsonObject().getAsJsonObject("aliases");
        assertThat(catalog.keySet()).contains("pie-quickstart", "pie-client");
        Map<String, Case> cases = cases();
        String jbangClassPath = resolveJbang();
        Path repo = StagedRepository.stage(dir);
        return catalog.keySet().stream().map(alias -> DynamicTest.dynamicTest(alias, () -> {
            Case c = cases.get(alias);
            assertThat(c).as("JbangScriptIT has no case for the catalog's alias %s: add one", alias).isNotNull();
            String script = catalog.getAsJsonObject(alias).get("script-ref").getAsString();
            assertThat(PackagedJars.basedir().resolve(script)).as(alias + "'s script-ref").isRegularFile();
            assertThat(Files.readString(PackagedJars.basedir().resolve(script)))
                    .contains("//DEPS org.pie-project:pie-client:${pie.version:");
            try (PieTestServer server = c.engine().start(); AutoCloseable before = c.setup().before(server)) {
                CliCommandsTest.writeConfig(dir.resolve("cli.toml"), server.port());
                run(jbangClassPath, repo, server, alias, c);
            }
        }));
    }

    private void run(String jbangClassPath, Path repo, PieTestServer server, String alias, Case c) throws Exception {
        // What the jbang launcher script does: run JBang, and if it answers 255, run the command it printed.
        String launcher = "cd \"$BASEDIR\" && out=$(\"$JAVA_HOME/bin/java\" -cp \"$JBANG_CP\" dev.jbang.Main \"$@\"); rc=$?; "
                + "if [ $rc -eq 255 ]; then eval \"exec $out\"; fi; printf '%s' \"$out\"; exit $rc";
        List<String> command = new ArrayList<>(List.of("bash", "-c", launcher, "jbang", "--offline", "run",
                "-Dpie.version=" + System.getProperty("pie.version"), alias));
        command.addAll(c.args());
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "JBANG_CP", jbangClassPath,
                "JBANG_DIR", dir.resolve("jbang-home").toString(), "JBANG_REPO", repo.toString(),
                "BASEDIR", PackagedJars.basedir().toString(),
                "PIE_URL", server.uri().toString(), "PIE_USER", USER, "JBANG_NO_VERSION_CHECK", "true");
        try (ChildJvm child = ChildJvm.start(command, env)) {
            int code = child.waitFor(240);
            assertEquals(0, code, () -> alias + ": " + child.stdout() + "\n" + stderrOf(child));
            assertThat(child.stdout()).as(alias).contains(c.expected());
        }
    }

    /** Puts an artifact and its dependencies into the local repository: offline first, then from Maven Central. */
    private void resolveIntoLocalRepository(String gav) throws Exception {
        for (boolean offline : new boolean[] {true, false}) {
            List<String> command = new java.util.ArrayList<>(List.of(PackagedJars.basedir().resolve("mvnw").toString(),
                    "-q", "-B", "-ntp", "dependency:get", "-Dartifact=" + gav, "-Dmaven.repo.local=" + StagedRepository.real()));
            if (offline) command.add("-o");
            try (ChildJvm mvn = ChildJvm.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")))) {
                if (mvn.waitFor(200) == 0) return;
            }
        }
        String why = gav + " could not be resolved from the local repository or Maven Central";
        if ("true".equals(System.getenv("CI"))) throw new AssertionError(why);
        Assumptions.abort(why);
    }

    private static String stderrOf(ChildJvm child) {
        try {
            return child.stderr();
        } catch (Exception e) {
            return "";
        }
    }

    /** JBang's class path, from a throwaway pom, with Maven offline first, then online. */
    private String resolveJbang() throws Exception {
        String[] gav = JBANG.split(":");
        Path pom = dir.resolve("jbang-pom/pom.xml");
        Files.createDirectories(pom.getParent());
        Files.writeString(pom, """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>test</groupId><artifactId>jbang-classpath</artifactId><version>1</version>
                  <dependencies>
                    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>
                    <dependency><groupId>com.google.code.gson</groupId><artifactId>gson</artifactId><version>%s</version></dependency>
                  </dependencies>
                </project>
                """.formatted(gav[0], gav[1], gav[2], JBANG_GSON));
        Path out = dir.resolve("jbang.classpath");
        for (boolean offline : new boolean[] {true, false}) {
            List<String> command = new ArrayList<>(List.of(PackagedJars.basedir().resolve("mvnw").toString(),
                    "-q", "-B", "-ntp", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + out, "-Dmaven.repo.local=" + StagedRepository.real()));
            if (offline) command.add("-o");
            try (ChildJvm mvn = ChildJvm.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")))) {
                if (mvn.waitFor(200) == 0 && Files.exists(out)) return Files.readString(out).strip();
            }
        }
        String why = "JBang (" + JBANG + ") could not be resolved from the local repository or Maven Central";
        if ("true".equals(System.getenv("CI"))) throw new AssertionError(why);
        Assumptions.abort(why);
        return null;
    }
}
