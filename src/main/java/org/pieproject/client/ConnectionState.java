package org.pieproject.client;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What a client's connection is doing, as {@link PieClient#state()} gives it and as the listeners given to
 * {@link PieClient.Builder#onStateChange} receive it, in this order: {@link Connected} once; then for every
 * loss {@link Disconnected}, and with {@link PieClient.Builder#autoReconnect autoReconnect} one
 * {@link Reconnecting} per attempt and {@link Reconnected} when it is back; finally {@link Closed}.
 */
public sealed interface ConnectionState {

    /**
     * The first connection is open.
     *
     * @param uri the engine's address
     */
    record Connected(URI uri) implements ConnectionState {}

    /**
     * The connection was lost. Calls that were waiting for an answer have failed with {@code cause}.
     *
     * @param cause why it was lost
     */
    record Disconnected(PieConnectionException cause) implements ConnectionState {}

    /**
     * Attempt {@code attempt} (from 1) to get the connection back starts after {@code delay}.
     *
     * @param attempt the attempt, from 1
     * @param delay   how long the client waits before it
     * @param cause   why the connection is down: the loss for attempt 1, else why the previous attempt failed
     */
    record Reconnecting(int attempt, Duration delay, PieException cause) implements ConnectionState {}

    /**
     * The connection is back: authenticated as before, MCP servers registered again, open process handles
     * re-attached (or ended, see {@link PieProcessLostException}).
     *
     * @param uri      the engine's address
     * @param attempts how many attempts it took
     */
    record Reconnected(URI uri, int attempts) implements ConnectionState {}

    /**
     * The client is closed for good.
     *
     * @param cause null after {@link PieClient#close()}; otherwise why: the lost connection (without
     *              auto-reconnect), the refused authentication, or the last failure when the attempts ran out
     */
    record Closed(@Nullable PieException cause) implements ConnectionState {}
}
