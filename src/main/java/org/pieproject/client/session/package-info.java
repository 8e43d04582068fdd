/**
 * Internal: the state of one connection between the socket and the callers: requests waiting for answers,
 * per-process event queues, orphaned events, and files being reassembled. Not an API.
 */
package org.pieproject.client.session;
