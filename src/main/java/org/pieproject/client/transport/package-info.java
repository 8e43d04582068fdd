/**
 * Internal: one WebSocket connection to the engine on {@code java.net.http}, delivering whole binary
 * messages to a single listener and bounding every send by a deadline. Not an API.
 */
package org.pieproject.client.transport;
