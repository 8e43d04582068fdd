package org.pieproject.client.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieException;
import org.pieproject.client.session.FileDownloads;
import org.pieproject.client.session.MessageRouter;
import org.pieproject.client.session.PendingRequests;
import org.pieproject.client.session.ProcessQueue;
import org.pieproject.client.session.ProcessRegistry;
import org.pieproject.client.testsupport.LogCapture;
import org.pieproject.client.transport.TransportClosedException;
import org.pieproject.client.wire.MsgPackException;
import org.pieproject.client.wire.MsgPackWriter;
import org.pieproject.client.wire.ServerMessage;

/**
 * A seeded fuzz run: at least 1,000,000 frames, valid engine messages mutated in many ways plus plain
 * random bytes, go through the decoder (which may only throw {@link MsgPackException}) and through the real
 * router with real pending requests, process queues and file reassembly (which may throw nothing). Pending
 * requests, queues and readers churn while it runs, so answers, events and files really get delivered.
 * A failure prints the seed; rerun with {@code -Dpie.seed=<seed>}.
 */
class FrameFuzzTest {
    private static final int FRAMES = 1_000_000;
    private static final String[] KINDS = {"stdout", "stderr", "message", "return", "error", "bogus", ""};
    private static final byte[] LENGTH_BYTES = {(byte) 0xdb, (byte) 0xdf, (byte) 0xdd, (byte) 0xc6, (byte) 0xda,
            (byte) 0xde, (byte) 0xdc, (byte) 0xc5, (byte) 0xff, (byte) 0x7f, (byte) 0xc1, (byte) 0xc0, (byte) 0x9f, (byte) 0x8f};

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aMillionHostileFramesThroughDecoderAndRouter() {
        String prop = System.getProperty("pie.seed");
        long seed = prop == null || prop.isBlank() ? System.nanoTime() : Long.decode(prop.trim());
        Random rnd = new Random(seed);
        System.out.println("frame fuzz: seed " + seed + " (a timeout names no seed otherwise)");
        String[] pids = new String[8];
        for (int i = 0; i < pids.length; i++) pids[i] = RawFaultServer.processId(i + 1);

        PendingRequests pending = new PendingRequests();
        ProcessRegistry processes = new ProcessRegistry(256, 64);
        AtomicLong mcpCalls = new AtomicLong();
        MessageRouter router = new MessageRouter(pending, processes, new FileDownloads(1 << 20), r -> mcpCalls.incrementAndGet());
        List<ProcessQueue> queues = new ArrayList<>();
        List<CompletableFuture<ServerMessage.Response>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) queues.add(processes.open(pids[i]));

        long decoded = 0, refused = 0, pristine = 0, delivered = 0, answered = 0;
        long t0 = System.nanoTime();
        try (LogCapture logs = LogCapture.errorsOnly()) {
            for (int n = 0; n < FRAMES; n++) {
                int how = rnd.nextInt(100);
                byte[] frame = frame(rnd, pids, how);
                boolean unmutated = how >= 8 && how < 30;
                try {
                    ServerMessage.decode(frame, 0, frame.length);
                    decoded++;
                    if (unmutated) pristine++;
                } catch (MsgPackException e) {
                    // A valid engine message that is refused is a decoder bug, not fuzz noise.
                    if (unmutated) throw new AssertionError("decoder refused a valid message on frame " + n
                            + " (seed " + seed + "): " + e.getMessage() + ": " + hex(frame), e);
                    refused++;
                } catch (Throwable e) {
                    throw new AssertionError("decoder threw " + e + " on frame " + n + " (seed " + seed + "): "
                            + hex(frame), e);
                }
                try {
                    // The router owns the array it is given, so it gets its own copy.
                    router.onMessage(Arrays.copyOf(frame, frame.length), frame.length);
                } catch (Throwable e) {
                    throw new AssertionError("router threw " + e + " on frame " + n + " (seed " + seed + "): "
                            + hex(frame), e);
                }
                if (n % 64 == 0) {
                    // Churn: new waiting requests, readers that drain, processes that come and go.
                    for (int i = 0; i < 4; i++) {
                        CompletableFuture<ServerMessage.Response> f = new CompletableFuture<>();
                        pending.register(new PendingRequests.Pending(f, null));
                        answers.add(f);
                    }
                    answered += answers.stream().filter(CompletableFuture::isDone).count();
                    answers.removeIf(CompletableFuture::isDone);
                    if (answers.size() > 1024) {
                        // Callers give up, as after a timeout.
                        answers.clear();
                        pending.failAll(new TransportClosedException("fuzz: callers gave up", null));
                    }
                    for (int i = 0; i < queues.size(); i++) {
                        delivered += drain(queues.get(i));
                        if (rnd.nextInt(8) == 0) {
                            processes.release(pids[i]);
                            queues.set(i, processes.open(pids[rnd.nextInt(pids.length)]));
                        }
                    }
                }
            }
            assertThat(logs.errors()).as("errors logged while routing (seed %d)", seed).isEmpty();
        }
        router.onClosed(new TransportClosedException("fuzz over", null));
        assertThat(pending.size()).as("requests left pending after the close (seed %d)", seed).isZero();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("frame fuzz: %,d frames in %.1f s, seed %d: %,d decoded, %,d refused; routed to %,d answers,"
                + " %,d events/files delivered, %,d MCP calls%n", FRAMES, seconds, seed, decoded, refused, answered,
                delivered, mcpCalls.get());
        // The mix must really exercise delivery, not just refusal: about 22% of frames are unmutated valid
        // messages (each checked above), and some mutated ones still decode. Every failure names the seed.
        assertThat(pristine).as("unmutated frames, all decoded (seed %d)", seed).isGreaterThan(FRAMES / 6);
        assertThat(decoded).as("frames decoded (seed %d)", seed).isGreaterThan(pristine);
        assertThat(refused).as("frames refused (seed %d)", seed).isGreaterThan(FRAMES / 10);
        assertThat(delivered).as("events and files delivered (seed %d)", seed).isPositive();
        assertThat(answered).as("requests answered (seed %d)", seed).isPositive();
    }

    private static int drain(ProcessQueue q) {
        int n = 0;
        try {
            while (q.poll(0) != null) n++;
        } catch (PieException e) {
            // the stream ended (terminal event, overflow or closed handle): that is a legitimate outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return n;
    }

    /** A frame by {@code how} (0-99): below 8 random bytes, below 30 a valid message as is, else a mutated one. */
    private static byte[] frame(Random rnd, String[] pids, int how) {
        if (how < 8) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            return b;
        }
        byte[] valid = valid(rnd, pids);
        if (how < 30) return valid;
        return mutate(rnd, valid, pids);
    }

    private static byte[] valid(Random rnd, String[] pids) {
        String pid = pids[rnd.nextInt(pids.length)];
        return switch (rnd.nextInt(6)) {
            case 0 -> new ServerMessage.Response(rnd.nextInt(3000), rnd.nextBoolean(), "r" + rnd.nextInt(100)).encode();
            case 1, 2 -> new ServerMessage.ProcessEvent(pid, KINDS[rnd.nextInt(KINDS.length)], "v" + rnd.nextInt(1000)).encode();
            case 3 -> {
                byte[] data = new byte[rnd.nextInt(40)];
                rnd.nextBytes(data);
                // Usually a whole one-chunk file with the right hash; sometimes a piece of a longer one.
                String hash = rnd.nextInt(4) == 0 ? String.format("%064x", rnd.nextInt(4)) : PieClient.hashBlob(data);
                int total = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 1;
                yield new ServerMessage.FileChunk(pid, hash, rnd.nextInt(total), total, data,
                        rnd.nextBoolean() ? null : "f" + rnd.nextInt(9)).encode();
            }
            case 4 -> new ServerMessage.McpRequest(rnd.nextInt(100), pid, "srv", "tools/call", "{}").encode();
            default -> {
                // Extra keys of any type, in any order, around a real event.
                MsgPackWriter w = new MsgPackWriter();
                w.mapHeader(6).str("extra").arrayHeader(2).integer(rnd.nextLong()).nil()
                        .str("value").str("x").integer(7).bool(true)
                        .str("event").str(KINDS[rnd.nextInt(KINDS.length)])
                        .str("type").str("process_event").str("process_id").str(pid);
                yield w.toByteArray();
            }
        };
    }

    private static byte[] mutate(Random rnd, byte[] b, String[] pids) {
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            switch (rnd.nextInt(8)) {
                case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length)); // truncated
                case 3 -> b[rnd.nextInt(b.length)] = LENGTH_BYTES[rnd.nextInt(LENGTH_BYTES.length)];
                case 4 -> { // inserted bytes
                    int at = rnd.nextInt(b.length + 1);
                    byte[] ins = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(ins);
                    byte[] out = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(ins, 0, out, at, ins.length);
                    System.arraycopy(b, at, out, at + ins.length, b.length - at);
                    b = out;
                }
                case 5 -> { // a removed range
                    int from = rnd.nextInt(b.length);
                    int to = Math.min(b.length, from + 1 + rnd.nextInt(8));
                    byte[] out = new byte[b.length - (to - from)];
                    System.arraycopy(b, 0, out, 0, from);
                    System.arraycopy(b, to, out, from, b.length - to);
                    b = out;
                }
                case 6 -> { // a spliced tail from another message
                    byte[] other = valid(rnd, pids);
                    int cut = rnd.nextInt(b.length);
                    int from = rnd.nextInt(other.length);
                    byte[] out = Arrays.copyOf(b, cut + other.length - from);
                    System.arraycopy(other, from, out, cut, other.length - from);
                    b = out;
                }
                default -> { // a big-endian length field set to something huge
                    int at = rnd.nextInt(b.length);
                    for (int i = at; i < Math.min(b.length, at + 4); i++) b[i] = (byte) 0xff;
                }
            }
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 256); i++) sb.append(String.format("%02x", b[i]));
        return sb + (b.length > 256 ? "..." : "");
    }
}
