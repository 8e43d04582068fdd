package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A process seen through this client, from launch (or attach) until its terminal event or its handle's end. */
@Name("org.pieproject.Process")
@Label("Pie Process")
@Category({"Pie", "Process"})
@Description("A process launched or attached through this client, until it ended or its stream did")
@StackTrace(false)
final class ProcessRunEvent extends Event {
    @Label("Inferlet")
    @Description("The program, name@version; empty for an attached process")
    String inferlet;

    @Label("Process Id")
    String processId;

    @Label("Outcome")
    @Description("return, error, disconnected (the connection ended first), or closed (the handle was closed first)")
    String outcome;

    @Label("Events")
    @Description("Events the engine sent for it through this client, the terminal one included (dropped ones too)")
    long events;
}
