/**
 * Internal: the MessagePack codec and the protocol's message records, both directions. Public only because
 * the client and the test kit, in other packages, share it; not an API, and it may change at any time.
 */
package org.pieproject.client.wire;
