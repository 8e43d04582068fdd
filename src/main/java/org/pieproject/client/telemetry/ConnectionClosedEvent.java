package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The end of a connection, by the client or not, with its cause. */
@Name("org.pieproject.ConnectionClosed")
@Label("Pie Connection Closed")
@Category({"Pie", "Connection"})
@Description("A connection to a Pie engine ended: closed by the client, by the engine, or lost")
@StackTrace(false)
final class ConnectionClosedEvent extends Event {
    @Label("Engine")
    @Description("The engine's scheme, host and port")
    String engine;

    @Label("Cause")
    @Description("Why the connection ended")
    String cause;

    @Label("Connected For")
    @Timespan(Timespan.NANOSECONDS)
    long connectedFor;
}
