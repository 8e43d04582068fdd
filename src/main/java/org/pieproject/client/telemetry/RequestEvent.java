package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One request, from the caller's call until its answer, timeout or failure. */
@Name("org.pieproject.Request")
@Label("Pie Request")
@Category({"Pie", "Request"})
@Description("One request to the engine: its type, how long the caller waited, and how it ended")
@StackTrace(false)
public final class RequestEvent extends Event {
    @Label("Type")
    @Description("The protocol's name of the request, e.g. launch_process, ping, add_program")
    String type;

    @Label("Outcome")
    @Description("ok, refused (the engine said no), timeout, connection (lost or closed), interrupted, or failed")
    String outcome;

    RequestEvent() {
    }
}
