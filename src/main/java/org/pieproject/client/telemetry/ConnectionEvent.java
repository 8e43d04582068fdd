package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Opening a connection: from the start of the WebSocket handshake until it is open or has failed. */
@Name("org.pieproject.ConnectionOpen")
@Label("Pie Connection Open")
@Category({"Pie", "Connection"})
@Description("A WebSocket connection to a Pie engine being opened; its duration is the handshake's")
@StackTrace(false)
final class ConnectionEvent extends Event {
    @Label("Engine")
    @Description("The engine's scheme, host and port (no path, query or user information)")
    String engine;

    @Label("TLS")
    @Description("Whether the connection is wss://")
    boolean tls;

    @Label("Outcome")
    @Description("opened, or failed")
    String outcome;

    @Label("Failure")
    @Description("Why it could not be opened; empty when it was")
    String failure;
}
