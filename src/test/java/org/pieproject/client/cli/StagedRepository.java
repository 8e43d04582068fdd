package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Maven local repository for integration tests that resolve the library by its coordinates (a consumer
 * project, JBang): the freshly built jar installed as this version, and symbolic links to the real local
 * repository's other entries, so that its dependencies resolve offline without copying anything and the
 * user's repository is never written.
 */
final class StagedRepository {
    private StagedRepository() {
    }

    /**
     * The real local repository: {@code pie.localRepository} as the build passes it, else {@code ~/.m2/repository}.
     *
     * @return its path
     */
    static Path real() {
        String configured = System.getProperty("pie.localRepository");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Stages a repository under {@code dir}.
     *
     * @param dir a temporary directory of the test
     * @return the staged repository
     */
    static Path stage(Path dir) throws IOException {
        Path real = real();
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
