/**
 * Internal: what a connection needs to speak to a Pie 0.5 gateway (the {@code dev} line of Pie): its text
 * control frames, the bookkeeping of the turns open on one socket, the message vocabulary it accepts, its
 * identity header, and the server-sent events of its HTTP path. Not an API.
 */
@NullMarked
package org.pieproject.client.gateway;

import org.jspecify.annotations.NullMarked;
