package org.pieproject.client;

/**
 * The base of everything this library throws: a refused request, a lost connection, a timeout, a key
 * that cannot be used. Messages never contain secrets (keys, passphrases, tokens).
 */
public class PieException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PieException(String message) {
        super(message);
    }

    public PieException(String message, Throwable cause) {
        super(message, cause);
    }
}
