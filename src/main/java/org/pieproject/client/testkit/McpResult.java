package org.pieproject.client.testkit;

/**
 * The client's answer to an MCP call an inferlet made through {@link InferletContext#mcp}.
 *
 * @param ok     whether the MCP call succeeded
 * @param result on success, the JSON text of the JSON-RPC {@code result}; on failure, the error payload as
 *               the client sent it (normally a JSON object {@code {code, message, data?}})
 */
public record McpResult(boolean ok, String result) {
}
