/**
 * Internal: starts local MCP servers over stdio and relays the engine's {@code mcp_request}s to them, each
 * with a deadline. Users go through {@code PieClient.registerMcpServer}. Not an API.
 */
package org.pieproject.client.mcp;
