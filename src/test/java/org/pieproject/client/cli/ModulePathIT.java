package org.pieproject.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.testkit.PieTestServer;

/**
 * The library jar on the module path of a child JVM, with its runtime dependencies and nothing else: it is
 * the module {@code org.pieproject.client}, connects, authenticates, pings and hashes, and prints nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModulePathIT {
    @TempDir
    Path dir;

    @Test
    void theJarWorksAsTheModuleOrgPieprojectClient() throws Exception {
        Path program = dir.resolve("UseModule.java");
        Files.writeString(program, """
                import org.pieproject.client.PieClient;

                public class UseModule {
                    public static void main(String[] args) {
                        Module m = PieClient.class.getModule();
                        System.out.println("module " + m.getName() + " named=" + m.isNamed());
                        System.out.println("gson " + com.google.gson.JsonParser.class.getModule().getName());
                        try (PieClient client = PieClient.connect(args[0])) {
                            client.authenticate("modular");
                            client.ping();
                            System.out.println("ping ok as " + client.user());
                        }
                        System.out.println("blake3 " + PieClient.hashBlob(new byte[0]));
                        System.out.println("codec " + ModuleLayer.boot().findModule("org.apache.commons.codec").isPresent());
                    }
                }
                """);
        List<String> modulePath = new ArrayList<>();
        modulePath.add(PackagedJars.libraryJar().toString());
        // The pom's runtime dependencies (gson, bcprov, bcpkix, jspecify) and theirs (error_prone_annotations,
        // bcutil); nothing of test scope, such as commons-codec, which the child checks it cannot see.
        modulePath.addAll(PackagedJars.classPathJars("gson-", "error_prone_annotations-", "bcprov-", "bcpkix-",
                "bcutil-", "jspecify-"));
        assertThat(modulePath).hasSize(7).noneMatch(jar -> jar.contains("commons-codec") || jar.contains("msgpack")
                || jar.contains("junit") || jar.contains("assertj"));
        try (PieTestServer server = PieTestServer.builder().start()) {
            List<String> command = List.of(ChildJvm.java(), "--module-path", String.join(File.pathSeparator, modulePath),
                    "--add-modules", "ALL-MODULE-PATH", program.toString(), server.uri().toString());
            try (ChildJvm child = ChildJvm.start(command, Map.of())) {
                assertEquals(0, child.waitFor(50), child.stdout() + child.stderr());
                assertThat(child.stdout()).contains("module org.pieproject.client named=true",
                        "gson com.google.gson", "ping ok as modular",
                        "blake3 af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", "codec false");
                assertThat(child.stderr()).isEmpty();
            }
        }
    }
}
