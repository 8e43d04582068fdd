package org.pieproject.client.telemetry;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An upload (a program, a file to a process) or a download (a file from a process). */
@Name("org.pieproject.Transfer")
@Label("Pie Transfer")
@Category({"Pie", "Transfer"})
@Description("A program or file sent to the engine, or a file received from a process")
@StackTrace(false)
final class TransferEvent extends Event {
    @Label("Direction")
    @Description("upload or download")
    String direction;

    @Label("Kind")
    @Description("program (add_program) or file (transfer_file, or a file from an inferlet)")
    String kind;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Outcome")
    @Description("ok, or what went wrong")
    String outcome;
}
