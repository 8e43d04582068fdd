package org.pieproject.client;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared test data (BLAKE3 vectors, msgpack test suite): next to the checkout when it
 * is there, else the copy kept in the repository (src/test/resources/shared-data), so a clone tests alone.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The file {@code relative} under shared/data; fails the test with a clear message if it is absent. */
    public static Path file(String relative) {
        String configured = System.getProperty("pie.sharedData");
        for (Path base : new Path[] {
                configured == null ? null : Path.of(configured),
                Path.of("../shared/data"),
                Path.of("shared/data"),
                Path.of("src/test/resources/shared-data")}) {
            if (base != null && Files.isRegularFile(base.resolve(relative))) return base.resolve(relative);
        }
        throw new AssertionError("shared test data " + relative + " not found (looked in -Dpie.sharedData="
                + configured + ", ../shared/data, shared/data and src/test/resources/shared-data)");
    }
}
