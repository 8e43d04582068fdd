// The LangChain4j benchmark (scripts/bench-langchain4j): the per-token cost of PieStreamingChatModel (and
// PieChatModel) against reading the same process with recv(), on one connection to the Node load engine.
// Each round streams one bench-stream@0.1.0 process of N stdout events ("tokens") per side; the sides
// alternate within a round and take turns going first, and the figures are medians over the rounds.
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.pieproject.client.PieClient;
import org.pieproject.client.PieProcess;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.langchain4j.PieChatModel;
import org.pieproject.client.langchain4j.PieStreamingChatModel;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

final class LangChain4jBench {
    interface Side {
        /** Streams one process of {@code tokens} events; returns the number of pieces the caller saw. */
        long run(int tokens) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int tokens = 200_000, rounds = 9, warmUp = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: [--tokens N] [--rounds N]");
            }
        }
        try (Bench.Engine engine = Bench.Engine.start();
             PieClient client = PieClient.builder().uri(engine.uri()).requestTimeout(Duration.ofMinutes(2)).build()) {
            client.authenticate("bench");
            String stream = Bench.STREAM;
            String input = "{\"events\":" + tokens + "}";
            Duration timeout = Duration.ofMinutes(10);
            // bench-stream's input is {"events": N}: the pluggable input mapper at work.
            PieStreamingChatModel streaming = PieStreamingChatModel.builder().client(client).inferlet(stream).timeout(timeout)
                    .inputMapper(request -> input).build();
            PieChatModel blocking = PieChatModel.builder().client(client).inferlet(stream).timeout(timeout)
                    .inputMapper(request -> input).build();
            List<String> names = List.of("recv()", "PieStreamingChatModel", "PieChatModel");
            List<Side> sides = List.of(n -> recv(client, stream, n), n -> stream(streaming, n), n -> {
                String text = blocking.chat("go"); // no pieces to count: it returns what the process returned
                if (!text.equals("done")) throw new IllegalStateException("bench-stream returned " + text);
                return n;
            });
            for (int w = 0; w < warmUp; w++) for (Side s : sides) onVirtualThread(s, tokens);
            double[][] nsPerToken = new double[sides.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < sides.size(); k++) {
                    int i = (k + r) % sides.size(); // each side goes first in turn
                    nsPerToken[i][r] = onVirtualThread(sides.get(i), tokens) / (double) tokens;
                }
            }
            System.out.printf("LangChain4j models vs recv(): %,d tokens (16-byte stdout events) per process, %d rounds after %d warm-up, medians%n",
                    tokens, rounds, warmUp);
            System.out.println();
            System.out.println("| reader | ns/token (median) | ratio to recv() (median of per-round ratios) | per-round ratios, min-max |");
            System.out.println("|---|---:|---:|---:|");
            for (int i = 0; i < sides.size(); i++) {
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) ratio[r] = nsPerToken[i][r] / nsPerToken[0][r];
                Arrays.sort(ratio);
                System.out.printf("| %s | %.1f | %.3fx | %.2f-%.2f |%n", names.get(i), median(nsPerToken[i]), median(ratio),
                        ratio[0], ratio[rounds - 1]);
            }
        }
    }

    /**
     * Runs one side on a virtual thread, as an application built on this library would (the streaming model
     * reads on one of its own), so that every side parks and wakes the same way. Returns the nanoseconds.
     */
    static long onVirtualThread(Side side, int tokens) throws Exception {
        CompletableFuture<Long> took = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                long t0 = System.nanoTime();
                long seen = side.run(tokens);
                long t = System.nanoTime() - t0;
                if (seen != tokens) throw new IllegalStateException("expected " + tokens + " pieces, saw " + seen);
                took.complete(t);
            } catch (Throwable e) {
                took.completeExceptionally(e);
            }
        });
        return took.get(10, TimeUnit.MINUTES);
    }

    static long recv(PieClient client, String stream, int tokens) {
        PieProcess p = client.launchProcess(stream, "{\"events\":" + tokens + "}");
        long pieces = 0;
        while (true) {
            switch (p.recv()) {
                case ProcessEvent.Stdout s -> pieces++;
                case ProcessEvent.Return r -> {
                    p.close();
                    return pieces;
                }
                case ProcessEvent e -> throw new IllegalStateException("unexpected " + e);
            }
        }
    }

    static long stream(PieStreamingChatModel model, int tokens) throws Exception {
        CompletableFuture<Long> done = new CompletableFuture<>();
        model.chat("go", new StreamingChatResponseHandler() {
            long pieces;

            @Override
            public void onPartialResponse(String piece) {
                pieces++;
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(pieces);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done.get(10, TimeUnit.MINUTES);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
