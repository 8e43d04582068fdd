package org.pieproject.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Reads the program id an inferlet's {@code Pie.toml} manifest declares. */
final class Manifests {
    private Manifests() {
    }

    /**
     * The manifest's {@code [package] name} and {@code version} as {@code name@version}: the name the engine
     * installs an upload under.
     *
     * @throws CliException if the file is missing, not TOML, or lacks either field
     */
    static String programId(Path manifest) {
        String text;
        try {
            text = Files.readString(manifest, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("Manifest file not found: " + manifest);
        } catch (IOException e) {
            throw new CliException("Cannot read manifest " + manifest + ": " + e.getMessage(), e);
        }
        ObjectNode root = ConfigFile.parseToml(text, "manifest " + manifest);
        JsonNode pkg = root.get("package");
        if (pkg == null || !pkg.isObject()) throw new CliException("Manifest " + manifest + " has no [package] section");
        return field(pkg, "name", manifest) + "@" + field(pkg, "version", manifest);
    }

    private static String field(JsonNode pkg, String name, Path manifest) {
        JsonNode v = pkg.get(name);
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            throw new CliException("Manifest " + manifest + " has no package." + name + " field");
        }
        return v.textValue();
    }
}
