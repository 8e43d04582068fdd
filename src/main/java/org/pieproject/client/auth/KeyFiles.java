package org.pieproject.client.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.pieproject.client.PieException;

/** Finds and reads key files, with errors that name the path (never the content). */
public final class KeyFiles {
    /** Far above any real key (an RSA-16384 PEM is under 13 KiB); stops a wrong path from filling memory. */
    static final long MAX_SIZE = 1 << 20;

    private KeyFiles() {
    }

    /**
     * A path with a leading {@code ~} or {@code ~/} replaced by the user's home directory.
     *
     * @param path a path as the user typed it
     * @return the path, resolved
     */
    public static Path expandHome(String path) {
        if (path == null || path.isEmpty()) {
            throw new PieException("no key file path given");
        }
        String home = System.getProperty("user.home");
        if (path.equals("~")) {
            return Path.of(home);
        }
        if (path.startsWith("~/") || path.startsWith("~" + java.io.File.separator)) {
            return Path.of(home, path.substring(2));
        }
        return Path.of(path);
    }

    /**
     * The text of a key file.
     *
     * @param path the file
     * @return its content
     * @throws PieException if the file is missing, a directory, unreadable, too large or empty
     */
    public static String read(Path path) {
        if (Files.isDirectory(path)) {
            throw new PieException("key file " + path + " is a directory, not a key file");
        }
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_SIZE) {
                throw new PieException("key file " + path + " is too large to be a key (" + Files.size(path)
                        + " bytes)");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new PieException("key file not found: " + path);
        } catch (AccessDeniedException e) {
            throw new PieException("cannot read key file " + path + ": permission denied");
        } catch (IOException e) {
            throw new PieException("cannot read key file " + path + ": " + e.getClass().getSimpleName(), e);
        }
        try {
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (text.isBlank()) {
                throw new PieException("key file " + path + " is empty");
            }
            return text;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
