package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pieproject.client.auth.KeyTools;

/** Files and texts that hold no key at all: each refusal says what is wrong and names the path. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ParsedPrivateKeyFilesTest {
    @TempDir
    Path dir;

    private PieException refusal(Path path) {
        PieException error = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.fromFile(path));
        assertThat(error).as("refusal of " + path).isNotNull();
        assertThat(error.getMessage()).contains(path.toString());
        return error;
    }

    @Test
    void missingFile() {
        assertThat(refusal(dir.resolve("id_nothing")).getMessage()).isEqualTo("key file not found: " + dir.resolve("id_nothing"));
    }

    @Test
    void directory() {
        assertThat(refusal(dir).getMessage()).isEqualTo("key file " + dir + " is a directory, not a key file");
    }

    @Test
    void emptyAndBlankFiles() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "");
        Path blank = Files.writeString(dir.resolve("blank"), " \n\n\t\n");
        assertThat(refusal(empty).getMessage()).isEqualTo("key file " + empty + " is empty");
        assertThat(refusal(blank).getMessage()).isEqualTo("key file " + blank + " is empty");
    }

    @Test
    void tooLargeFile() throws Exception {
        Path large = Files.write(dir.resolve("large"), new byte[2 << 20]);
        assertThat(refusal(large).getMessage()).contains("too large");
    }

    @Test
    void garbageIsRefusedWithTheSupportedFormats() throws Exception {
        String garbage = "c2VjcmV0IGtleSBtYXRlcmlhbCB0aGF0IG11c3Qgbm90IGxlYWs=\nnot a key\n";
        Path file = Files.writeString(dir.resolve("garbage"), garbage);
        PieException error = refusal(file);
        assertThat(error.getMessage()).contains("not a private key")
                .contains("BEGIN OPENSSH PRIVATE KEY").contains("BEGIN PRIVATE KEY").contains("BEGIN RSA PRIVATE KEY")
                .contains("BEGIN EC PRIVATE KEY").contains("BEGIN ENCRYPTED PRIVATE KEY");
        KeyTools.assertNoSecrets(KeyTools.everything(error), file, null);
        PieException fromText = catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(garbage));
        assertThat(fromText.getMessage()).startsWith("not a private key");
    }

    @Test
    void damagedOpenSshKeyIsRefused() {
        String text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n"
                + "-----END OPENSSH PRIVATE KEY-----\n";
        assertThat(catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(text)))
                .hasMessage("the OpenSSH private key is damaged or truncated");
        String noEnd = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n";
        assertThat(catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(noEnd)))
                .hasMessageContaining("truncated");
        String notBase64 = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blb\n-----END OPENSSH PRIVATE KEY-----\n";
        assertThat(catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(notBase64)))
                .hasMessageContaining("not valid base64");
        String notOpenSsh = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAB3NzaC1yc2E=\n-----END OPENSSH PRIVATE KEY-----\n";
        assertThat(catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse(notOpenSsh)))
                .hasMessageContaining("openssh-key-v1 marker is missing");
    }

    @Test
    void otherKeyFormatsAreNamed() {
        assertThat(catchThrowableOfType(PieException.class,
                () -> ParsedPrivateKey.parse("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")))
                .hasMessageContaining("PuTTY");
        assertThat(catchThrowableOfType(PieException.class, () -> ParsedPrivateKey.parse("")))
                .hasMessageContaining("empty");
    }
}
