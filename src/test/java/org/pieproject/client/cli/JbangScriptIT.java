package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;

/**
 * Runs {@code scripts/jbang/PieStream.java} with JBang, end to end against {@link PieTestServer}, the way a
 * user does after {@code ./mvnw install}: JBang resolves {@code //DEPS org.pie-project:pie-client} from a
 * local Maven repository, compiles the script and runs it.
 *
 * <p>JBang itself comes from Maven Central ({@code dev.jbang:jbang-cli}, the last version published there),
 * resolved by a nested Maven run into the local repository. The local repository JBang sees is a temporary
 * one holding the freshly built jar and links to everything else in the real one, so the test neither needs
 * {@code install} nor writes into the user's repository, and JBang runs {@code --offline}. Without JBang
 * (no network and not cached) the test is skipped, except under {@code CI=true}, where it fails.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@EnabledOnOs({OS.LINUX, OS.MAC})
class JbangScriptIT {
    static final String JBANG = "dev.jbang:jbang-cli:0.132.1";

    @TempDir
    Path dir;

    @Test
    void pieStreamScriptStreamsAProcess() throws Exception {
        String jbangClassPath = resolveJbang();
        Path repo = stageRepository();
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> {
                    ctx.stdout("got " + ctx.input() + "\n");
                    return "{\"ok\":true}";
                }).start()) {
            // What the jbang launcher script does: run JBang, and if it answers 255, run the command it printed.
            String launcher = "out=$(\"$JAVA_HOME/bin/java\" -cp \"$JBANG_CP\" dev.jbang.Main \"$@\"); rc=$?; "
                    + "if [ $rc -eq 255 ]; then eval \"exec $out\"; fi; printf '%s' \"$out\"; exit $rc";
            Path script = PackagedJars.basedir().resolve("scripts/jbang/PieStream.java");
            List<String> command = List.of("bash", "-c", launcher, "jbang", "--offline", "run", script.toString(),
                    "echo@0.1.0", "{\"n\":1}");
            Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "JBANG_CP", jbangClassPath,
                    "JBANG_DIR", dir.resolve("jbang-home").toString(), "JBANG_REPO", repo.toString(),
                    "PIE_URL", server.uri().toString(), "PIE_USER", "jbang-user", "JBANG_NO_VERSION_CHECK", "true");
            try (ChildJvm child = ChildJvm.start(command, env)) {
                int code = child.waitFor(240);
                assertEquals(0, code, () -> child.stdout() + "\n" + stderrOf(child));
                assertThat(child.stdout()).contains("got {\"n\":1}", "[done] {\"ok\":true}");
            }
        }
    }

    @Test
    void pieLangChain4jScriptAnswersFromTheEmbeddedEngineAndFromPieUrl() throws Exception {
        String jbangClassPath = resolveJbang();
        Path script = PackagedJars.basedir().resolve("scripts/jbang/PieLangChain4j.java");
        String langchain4j = "dev.langchain4j:langchain4j-core:" + System.getProperty("pie.langchain4jVersion");
        // The script names the LangChain4j version the library is built and tested with.
        assertThat(Files.readString(script)).contains("//DEPS " + langchain4j + "\n");
        resolveIntoLocalRepository(langchain4j); // with its own dependency versions, as JBang resolves them
        Path repo = stageRepository();
        String launcher = "out=$(\"$JAVA_HOME/bin/java\" -cp \"$JBANG_CP\" dev.jbang.Main \"$@\"); rc=$?; "
                + "if [ $rc -eq 255 ]; then eval \"exec $out\"; fi; printf '%s' \"$out\"; exit $rc";
        List<String> command = List.of("bash", "-c", launcher, "jbang", "--offline", "run", script.toString(), "Why Pie?");
        Map<String, String> env = new java.util.HashMap<>(Map.of("JAVA_HOME", System.getProperty("java.home"), "JBANG_CP", jbangClassPath,
                "JBANG_DIR", dir.resolve("jbang-home").toString(), "JBANG_REPO", repo.toString(), "JBANG_NO_VERSION_CHECK", "true"));
        try (ChildJvm child = ChildJvm.start(command, env)) {
            assertEquals(0, child.waitFor(240), () -> child.stdout() + "\n" + stderrOf(child));
            assertThat(child.stdout()).contains("[demo engine at ws://127.0.0.1:",
                    "[chat] Pie runs inferlets: you asked \"Why Pie?\".",
                    "[stream] Pie runs inferlets: you asked \"Why Pie?\".\n[done] STOP, process ");
        }
        try (PieTestServer server = PieTestServer.builder()
                .inferlet("text-completion@0.1.0", new org.pieproject.client.testkit.TextCompletionDemo(in -> "from PIE_URL to " + in.prompt()))
                .start()) {
            env.put("PIE_URL", server.uri().toString());
            env.put("PIE_USER", "jbang-user");
            try (ChildJvm child = ChildJvm.start(command, env)) {
                assertEquals(0, child.waitFor(240), () -> child.stdout() + "\n" + stderrOf(child));
                assertThat(child.stdout()).doesNotContain("[demo engine").contains("[chat] from PIE_URL to Why Pie?",
                        "[stream] from PIE_URL to Why Pie?\n[done] STOP");
            }
        }
    }

    /** Puts an artifact and its dependencies into the local repository: offline first, then from Maven Central. */
    private void resolveIntoLocalRepository(String gav) throws Exception {
        for (boolean offline : new boolean[] {true, false}) {
            List<String> command = new java.util.ArrayList<>(List.of(PackagedJars.basedir().resolve("mvnw").toString(),
                    "-q", "-B", "-ntp", "dependency:get", "-Dartifact=" + gav, "-Dmaven.repo.local=" + localRepository()));
            if (offline) command.add("-o");
            try (ChildJvm mvn = ChildJvm.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")))) {
                if (mvn.waitFor(200) == 0) return;
            }
        }
        String why = gav + " could not be resolved from the local repository or Maven Central";
        if ("true".equals(System.getenv("CI"))) throw new AssertionError(why);
        Assumptions.abort(why);
    }

    /** The gateway script needs no engine: without PIE_HTTP_URL it starts a gateway-mode test engine itself. */
    @Test
    void pieGenerateHttpScriptRunsOneGenerationOverHttp() throws Exception {
        String jbangClassPath = resolveJbang();
        Path repo = stageRepository();
        String launcher = "out=$(\"$JAVA_HOME/bin/java\" -cp \"$JBANG_CP\" dev.jbang.Main \"$@\"); rc=$?; "
                + "if [ $rc -eq 255 ]; then eval \"exec $out\"; fi; printf '%s' \"$out\"; exit $rc";
        Path script = PackagedJars.basedir().resolve("scripts/jbang/PieGenerateHttp.java");
        List<String> command = List.of("bash", "-c", launcher, "jbang", "--offline", "run", script.toString(),
                "demo@0.1.0", "{\"n\":2}");
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"), "JBANG_CP", jbangClassPath,
                "JBANG_DIR", dir.resolve("jbang-home").toString(), "JBANG_REPO", repo.toString(),
                "PIE_IDENTITY", "acme/jbang", "JBANG_NO_VERSION_CHECK", "true");
        try (ChildJvm child = ChildJvm.start(command, env)) {
            int code = child.waitFor(240);
            assertEquals(0, code, () -> child.stdout() + "\n" + stderrOf(child));
            assertThat(child.stdout()).contains("Generated over HTTP by a gateway.", "[done] {\"tokens\":7,\"input\":{\"n\":2}}");
        }
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
                  </dependencies>
                </project>
                """.formatted(gav[0], gav[1], gav[2]));
        Path out = dir.resolve("jbang.classpath");
        for (boolean offline : new boolean[] {true, false}) {
            List<String> command = new java.util.ArrayList<>(List.of(PackagedJars.basedir().resolve("mvnw").toString(),
                    "-q", "-B", "-ntp", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + out, "-Dmaven.repo.local=" + localRepository()));
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

    private static Path localRepository() {
        String configured = System.getProperty("pie.localRepository");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * A local repository with the built library as an installed snapshot, and symbolic links to the real
     * repository's other entries, so that its dependencies resolve offline without copying anything.
     */
    private Path stageRepository() throws IOException {
        Path real = localRepository();
        Path repo = dir.resolve("repository");
        String version = System.getProperty("pie.version");
        Path artifact = repo.resolve("org/pie-project/pie-client").resolve(version);
        Files.createDirectories(artifact);
        Files.copy(PackagedJars.libraryJar(), artifact.resolve("pie-client-" + version + ".jar"));
        Files.copy(PackagedJars.basedir().resolve("pom.xml"), artifact.resolve("pie-client-" + version + ".pom"));
        link(real, repo, "org");
        link(real.resolve("org"), repo.resolve("org"), "pie-project");
        return repo;
    }

    /** Links every entry of {@code from} into {@code to}, except {@code skip}. */
    private static void link(Path from, Path to, String skip) throws IOException {
        if (!Files.isDirectory(from)) return;
        try (var entries = Files.list(from)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                String name = e.getFileName().toString();
                if (!name.equals(skip)) Files.createSymbolicLink(to.resolve(name), e);
            }
        }
    }
}
