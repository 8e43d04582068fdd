package org.pieproject.client;

import java.time.Duration;
import java.util.Map;

/**
 * Receives the client's counters and timers, to feed a metrics library (Micrometer, OpenTelemetry) without
 * this library depending on one; register it with {@link PieClient.Builder#metricsListener}. The README shows
 * a Micrometer bridge of a dozen lines.
 *
 * <p>The names and their tags:
 * <table>
 * <caption>What is reported</caption>
 * <tr><th>name</th><th>kind</th><th>tags</th><th>when</th></tr>
 * <tr><td>{@code pie.client.requests}</td><td>timer</td><td>{@code type}, {@code outcome}</td>
 *     <td>a request was answered, refused, timed out or failed ({@code outcome}: {@code ok}, {@code refused},
 *     {@code timeout}, {@code connection}, {@code interrupted}, {@code failed})</td></tr>
 * <tr><td>{@code pie.client.processes}</td><td>timer</td><td>{@code inferlet}, {@code outcome}</td>
 *     <td>a launched or attached process ended ({@code return}, {@code error}) or its stream did
 *     ({@code disconnected}, {@code closed}); launch to end</td></tr>
 * <tr><td>{@code pie.client.process.events}</td><td>counter</td><td>{@code inferlet}</td>
 *     <td>with the above: how many events the process sent</td></tr>
 * <tr><td>{@code pie.client.transfers}</td><td>timer</td><td>{@code direction}, {@code kind}, {@code outcome}</td>
 *     <td>an upload ({@code program}, {@code file}) or a download ({@code file}) ended</td></tr>
 * <tr><td>{@code pie.client.transfer.bytes}</td><td>counter</td><td>{@code direction}, {@code kind}</td>
 *     <td>with the above, when it succeeded: its size</td></tr>
 * <tr><td>{@code pie.client.connections}</td><td>counter</td><td>{@code event}</td>
 *     <td>a connection {@code opened}, {@code failed} to open, or {@code closed}</td></tr>
 * <tr><td>{@code pie.client.reconnect.attempts}</td><td>counter</td><td>{@code outcome}</td>
 *     <td>an attempt to re-establish a lost connection ended ({@code connected}, {@code failed})</td></tr>
 * </table>
 * Tags never carry secrets or process input and output; {@code inferlet} is {@code name@version} (empty for
 * an attached process).
 *
 * <p>Callbacks run on the thread that saw what happened: a caller's thread for requests and uploads, the
 * connection's listener thread for processes that end and files that arrive. They must be quick and must
 * not block (a meter registry's increment is); one that throws is logged and kept.
 */
public interface PieMetricsListener {

    /**
     * A counter went up.
     *
     * @param name   the counter, e.g. {@code pie.client.process.events}
     * @param amount by how much, at least 1
     * @param tags   its tags (never null, may be empty)
     */
    void count(String name, long amount, Map<String, String> tags);

    /**
     * Something took {@code duration}.
     *
     * @param name     the timer, e.g. {@code pie.client.requests}
     * @param duration how long it took
     * @param tags     its tags (never null, may be empty)
     */
    void time(String name, Duration duration, Map<String, String> tags);
}
