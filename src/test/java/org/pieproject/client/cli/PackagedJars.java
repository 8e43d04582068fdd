package org.pieproject.client.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Where the integration tests find what `package` built, as Failsafe's system properties say. */
final class PackagedJars {
    private PackagedJars() {
    }

    static Path libraryJar() {
        return existing("pie.libraryJar");
    }

    static Path cliJar() {
        return existing("pie.cliJar");
    }

    static Path basedir() {
        return existing("pie.basedir");
    }

    private static Path existing(String property) {
        String value = System.getProperty(property);
        if (value == null) throw new AssertionError("system property " + property + " is not set (run with Failsafe)");
        Path p = Path.of(value);
        if (!Files.exists(p)) throw new AssertionError(property + ": " + p + " does not exist");
        return p;
    }

    /** The jars of this test run's class path whose file names start with one of {@code prefixes}. */
    static List<String> classPathJars(String... prefixes) {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.endsWith(".jar"))
                .filter(e -> Arrays.stream(prefixes).anyMatch(Path.of(e).getFileName().toString()::startsWith))
                .toList();
    }
}
