package org.pieproject.client;

/**
 * A Pie 0.5 gateway answered an HTTP request with an error status instead of an event stream:
 * 401 without a usable {@code x-pie-identity}, 503 when admission refused the request (worth retrying
 * later), 4xx for a body it could not read.
 */
public class PieHttpException extends PieConnectionException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status the gateway answered with. */
    private final int statusCode;
    /** The start of the response body: the gateway's reason. */
    private final String body;

    /**
     * Creates the exception.
     *
     * @param message    what happened, for people
     * @param statusCode the HTTP status
     * @param body       the start of the response body (the gateway's reason), at most 4 KiB
     */
    public PieHttpException(String message, int statusCode, String body) {
        super(message);
        this.statusCode = statusCode;
        this.body = body;
    }

    /**
     * The HTTP status the gateway answered with.
     *
     * @return e.g. 401 or 503
     */
    public int statusCode() {
        return statusCode;
    }

    /**
     * The gateway's reason, as its response body gave it.
     *
     * @return the body's text, cut to 4 KiB
     */
    public String body() {
        return body;
    }
}
