package org.pieproject.client.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.pieproject.client.PieException;

/** Passphrase handling: the two messages callers act on, and copies that are wiped after use. */
final class Passphrases {
    static final String NEEDED = "this key is encrypted; give a passphrase";
    static final String WRONG = "wrong passphrase: the encrypted key could not be decrypted with it";

    private Passphrases() {
    }

    /** An empty passphrase counts as none: ssh-keygen stores such keys unencrypted. */
    static boolean given(char[] passphrase) {
        return passphrase != null && passphrase.length > 0;
    }

    /** The UTF-8 bytes of a passphrase, as ssh-keygen and OpenSSL hash them. The caller wipes the result. */
    static byte[] utf8(char[] passphrase) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(passphrase));
        } catch (CharacterCodingException e) {
            throw new PieException("the passphrase is not valid Unicode text");
        }
        byte[] bytes = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        return bytes;
    }
}
