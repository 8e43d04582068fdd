/**
 * What the client reports about itself, with no dependency: JDK Flight Recorder events under
 * {@code org.pieproject.*} and the callbacks of a {@link org.pieproject.client.PieMetricsListener}. The
 * {@link org.pieproject.client.telemetry.Telemetry} of a client is the one place the rest of the library
 * reports to; when nobody records and no listener is set it does next to nothing (no event is built per
 * process event, nothing is counted on the listener thread's per-event path).
 */
@NullMarked
package org.pieproject.client.telemetry;

import org.jspecify.annotations.NullMarked;
