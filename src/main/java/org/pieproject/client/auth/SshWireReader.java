package org.pieproject.client.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.pieproject.client.PieException;

/**
 * Reads the SSH wire encoding (RFC 4251 §5: big-endian uint32, length-prefixed strings) with a bounds
 * check on every read, so a damaged key becomes a clear error rather than an index exception.
 */
final class SshWireReader {
    private final byte[] data;
    private final String what;
    private int position;

    /**
     * @param data the bytes to read
     * @param what names the structure in error messages, e.g. "OpenSSH private key"
     */
    SshWireReader(byte[] data, String what) {
        this.data = data;
        this.what = what;
    }

    boolean startsWith(byte[] prefix) {
        return data.length - position >= prefix.length
                && Arrays.equals(data, position, position + prefix.length, prefix, 0, prefix.length);
    }

    void skip(int count) {
        need(count);
        position += count;
    }

    long readUint32() {
        need(4);
        long value = ((data[position] & 0xFFL) << 24) | ((data[position + 1] & 0xFFL) << 16)
                | ((data[position + 2] & 0xFFL) << 8) | (data[position + 3] & 0xFFL);
        position += 4;
        return value;
    }

    byte[] readBytes() {
        long length = readUint32();
        if (length > data.length - position) {
            throw damaged();
        }
        byte[] value = Arrays.copyOfRange(data, position, position + (int) length);
        position += (int) length;
        return value;
    }

    /** A string that is expected to be a short name (cipher, KDF, key type); US-ASCII. */
    String readName() {
        return new String(readBytes(), StandardCharsets.US_ASCII);
    }

    private void need(int count) {
        if (count > data.length - position) {
            throw damaged();
        }
    }

    private PieException damaged() {
        return new PieException("the " + what + " is damaged or truncated");
    }
}
