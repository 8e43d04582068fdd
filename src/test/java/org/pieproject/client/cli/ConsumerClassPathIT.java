package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a project that depends on the built library gets on its class path, resolved by Maven itself from
 * the library's pom: the plain client's runtime dependencies, and no LangChain4j (an optional dependency,
 * for the models in org.pieproject.client.langchain4j), no picocli or Jackson (the command line's), no
 * Java-WebSocket (the test kit's). A project that declares langchain4j-core has it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@EnabledOnOs({OS.LINUX, OS.MAC})
class ConsumerClassPathIT {
    @TempDir
    Path dir;

    @Test
    void thePlainClientsClassPathHasNoLangChain4jAndALangChain4jAppAddsOnlyItsOwn() throws Exception {
        Path repo = StagedRepository.stage(dir);
        List<String> plain = classPath(repo, "plain", "");
        assertThat(plain).anyMatch(j -> j.contains("pie-client-")).anyMatch(j -> j.contains("gson-"));
        assertThat(plain).noneMatch(j -> j.contains("langchain4j")).noneMatch(j -> j.contains("picocli"))
                .noneMatch(j -> j.contains("jackson")).noneMatch(j -> j.contains("Java-WebSocket"));

        String lc4j = "<dependency><groupId>dev.langchain4j</groupId><artifactId>langchain4j-core</artifactId><version>"
                + System.getProperty("pie.langchain4jVersion") + "</version></dependency>";
        List<String> withLangChain4j = classPath(repo, "lc4j", lc4j);
        assertThat(withLangChain4j).anyMatch(j -> j.contains("langchain4j-core-")).anyMatch(j -> j.contains("pie-client-"));
    }

    /** The runtime class path of a throwaway project with pie-client and {@code extra} as dependencies. */
    private List<String> classPath(Path repo, String name, String extra) throws Exception {
        Path pom = dir.resolve(name).resolve("pom.xml");
        Files.createDirectories(pom.getParent());
        Files.writeString(pom, """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>test</groupId><artifactId>%s</artifactId><version>1</version>
                  <dependencies>
                    <dependency><groupId>org.pie-project</groupId><artifactId>pie-client</artifactId><version>%s</version></dependency>
                    %s
                  </dependencies>
                </project>
                """.formatted(name, System.getProperty("pie.version"), extra));
        Path out = dir.resolve(name + ".classpath");
        for (boolean offline : new boolean[] {true, false}) {
            List<String> command = new ArrayList<>(List.of(PackagedJars.basedir().resolve("mvnw").toString(),
                    "-q", "-B", "-ntp", "-f", pom.toString(),
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath",
                    "-Dmdep.outputFile=" + out, "-Dmdep.includeScope=runtime", "-Dmaven.repo.local=" + repo));
            if (offline) command.add("-o");
            try (ChildJvm mvn = ChildJvm.start(command, Map.of("JAVA_HOME", System.getProperty("java.home")))) {
                int code = mvn.waitFor(200);
                if (code == 0 && Files.exists(out)) return List.of(Files.readString(out).strip().split(java.io.File.pathSeparator));
                if (!offline) assertEquals(0, code, mvn.stdout());
            }
        }
        throw new AssertionError("no class path for " + name);
    }
}
