package org.pieproject.client.mcp;

import com.google.gson.JsonObject;

/**
 * The payload of one {@code mcp_response}: whether the MCP call succeeded, and the JSON text that goes into
 * the response's {@code result} field.
 *
 * @param ok         true when the MCP server answered with a JSON-RPC {@code result}
 * @param resultJson when {@code ok}, the JSON text of that result ({@code "null"} if it had none); otherwise
 *                   the JSON text of an error object {@code {"code":<int>,"message":<str>,"data":<any>?}}
 */
public record McpReply(boolean ok, String resultJson) {

    /** JSON-RPC's "server error" code, which the official clients also use for every local failure. */
    public static final int LOCAL_FAILURE_CODE = -32000;

    /** Refuses a null payload: the engine expects a JSON text in every {@code mcp_response}. */
    public McpReply {
        if (resultJson == null) {
            throw new IllegalArgumentException("resultJson must not be null");
        }
    }

    /**
     * An {@code ok=false} reply whose payload is {@code {"code":code,"message":message}}.
     *
     * @param code    the JSON-RPC error code
     * @param message the error text
     * @return the reply
     */
    public static McpReply failure(int code, String message) {
        JsonObject error = new JsonObject();
        error.addProperty("code", code);
        error.addProperty("message", message);
        return new McpReply(false, JsonRpc.write(error));
    }

    /**
     * An {@code ok=false} reply for something that went wrong on this side (code -32000).
     *
     * @param message the error text
     * @return the reply
     */
    public static McpReply localFailure(String message) {
        return failure(LOCAL_FAILURE_CODE, message);
    }
}
