package org.pieproject.client.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pieproject.client.wire.ClientMessage;
import org.pieproject.client.wire.ServerMessage;
import org.pieproject.client.wire.ServerMessageDecoder;

/**
 * The codec's two hottest paths: decoding a 16-byte stdout {@code process_event} (every streamed token
 * goes through it) and encoding a {@code ping} (the smallest request, so encoding overhead dominates).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    private byte[] event;
    private ServerMessageDecoder decoder;
    private long corrId;

    @Setup
    public void setUp() {
        // The engine's exact form of the message, as the test engine writes it.
        event = new ServerMessage.ProcessEvent("0f8e4a52-9c1d-4b7e-8f3a-2d6c5b1e9a70", "stdout", "0123456789abcdef")
                .encode();
        decoder = new ServerMessageDecoder();
    }

    private String processId;
    private String kind;
    private String value;
    private final ServerMessageDecoder.EventSink sink = (p, e, v) -> {
        processId = p;
        kind = e;
        value = v;
    };

    /** As a connection decodes: one decoder kept for all its messages, events handed to a sink. */
    @Benchmark
    public String decodeProcessEvent() {
        decoder.decode(event, 0, event.length, sink);
        return value;
    }

    /** The one-off entry point, which makes a decoder per call. */
    @Benchmark
    public ServerMessage decodeProcessEventOneOff() {
        return ServerMessage.decode(event, 0, event.length);
    }

    @Benchmark
    public byte[] encodePing() {
        // A changing id, as real requests have, so the encoder cannot be folded into a constant.
        return new ClientMessage.Ping(corrId++ & 0xFFFF_FFFFL).encode();
    }
}
