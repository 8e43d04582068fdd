package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** One attempt to bring a lost connection back: opening it and authenticating it again. */
@Name("org.pieproject.ReconnectAttempt")
@Label("Pie Reconnect Attempt")
@Category({"Pie", "Connection"})
@Description("One attempt to re-establish a lost connection; its duration is the attempt's, not the wait before it")
@StackTrace(false)
public final class ReconnectAttemptEvent extends Event {
    @Label("Engine")
    String engine;

    @Label("Attempt")
    @Description("1 for the first attempt after the connection was lost")
    int attempt;

    @Label("Delay")
    @Description("How long the client waited before this attempt")
    @Timespan(Timespan.NANOSECONDS)
    long delay;

    @Label("Outcome")
    @Description("connected, or failed")
    String outcome;

    @Label("Failure")
    @Description("Why the attempt failed; empty when it succeeded")
    String failure;

    ReconnectAttemptEvent() {
    }
}
