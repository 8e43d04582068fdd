package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.apache.commons.codec.digest.Blake3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A file read and hashed at once gives its exact bytes and the BLAKE3 of commons-codec, at every read boundary. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HashedFileTest {
    private static final int STEP = HashedFile.STEP;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1024, 1025, 256 * 1024, 256 * 1024 + 1, STEP - 1, STEP, STEP + 1, 3 * STEP + 12_345})
    void bytesAndHashAreThoseOfTheFile(int size, @TempDir Path dir) throws IOException {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path file = Files.write(dir.resolve("f.wasm"), data);
        HashedFile h = HashedFile.read(file);
        assertThat(h.bytes()).isEqualTo(data);
        assertThat(h.hash()).isEqualTo(HexFormat.of().formatHex(Blake3.initHash().update(data).doFinalize(32)));
    }

    @Test
    void aMissingFileIsTheFileSystemsError(@TempDir Path dir) {
        assertThatThrownBy(() -> HashedFile.read(dir.resolve("none.wasm"))).isInstanceOf(NoSuchFileException.class);
    }
}
