package org.pieproject.client;

import org.jspecify.annotations.Nullable;

/**
 * The base of everything this library throws: a refused request, a lost connection, a timeout, a key
 * that cannot be used. Messages never contain secrets (keys, passphrases, tokens).
 */
public class PieException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception without a cause.
     *
     * @param message what went wrong, without secrets
     */
    public PieException(String message) {
        super(message);
    }

    /**
     * Creates an exception caused by another.
     *
     * @param message what went wrong, without secrets
     * @param cause   the underlying failure, or null
     */
    public PieException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
