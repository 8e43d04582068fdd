package org.pieproject.client.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.ConnectionState;
import org.pieproject.client.PieClient;
import org.pieproject.client.ReconnectPolicy;
import org.pieproject.client.faults.Heap;
import org.pieproject.client.testkit.PieTestServer;

/**
 * An engine that comes back speaking something else keeps an auto-reconnecting client backing off and
 * saying why in its states; over 1,000 failed attempts its threads and memory stay flat.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReconnectBadInputTest {
    private static final int WARM_UP = 100;
    private static final int ATTEMPTS = 1_000;

    enum Comeback {
        /** An HTTP server that answers the upgrade with 404. */
        NOT_FOUND("HTTP 404"),
        /** Nothing listens: connection refused. */
        CLOSED_PORT("connection was refused"),
        /** Accepts the TCP connection and never answers the upgrade. */
        SILENT_HANDSHAKE("no answer within");

        final String cause;

        Comeback(String cause) {
            this.cause = cause;
        }
    }

    /** Whatever now sits on the engine's port; closed at the end. */
    private static AutoCloseable occupy(Comeback kind, int port) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        return switch (kind) {
            case NOT_FOUND -> {
                HttpServer http = HttpServer.create(address, 50);
                http.createContext("/", exchange -> {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                });
                http.start();
                yield () -> http.stop(0);
            }
            case CLOSED_PORT -> () -> { };
            case SILENT_HANDSHAKE -> {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(address);
                Thread acceptor = Thread.ofVirtual().name("silent-acceptor").start(() -> {
                    // Keeps a few connections open without a word, closing the oldest: the client must give
                    // up on its own connect timeout, never on the server closing.
                    List<Socket> held = new ArrayList<>();
                    while (!socket.isClosed()) {
                        try {
                            Socket s = socket.accept();
                            held.add(s);
                            if (held.size() > 8) held.remove(0).close();
                            Thread.ofVirtual().start(() -> drain(s));
                        } catch (IOException e) {
                            break;
                        }
                    }
                    for (Socket s : held) {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                });
                yield () -> {
                    socket.close();
                    acceptor.join(5000);
                };
            }
        };
    }

    /**
     * The first connect, to a real engine: with the 20 ms connect timeout of the silent case it can miss on a
     * loaded machine, and what is tested is what follows it.
     */
    private static PieClient connect(PieClient.Builder builder) {
        for (int i = 1; ; i++) {
            try {
                return builder.build();
            } catch (org.pieproject.client.PieConnectionException e) {
                if (i == 20) throw e;
            }
        }
    }

    private static void drain(Socket s) {
        try (InputStream in = s.getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the connection ended
        }
    }

    @ParameterizedTest
    @EnumSource(Comeback.class)
    void theClientKeepsBackingOffWithTheCauseInItsStatesAndStaysFlat(Comeback kind) throws Exception {
        PieTestServer server = PieTestServer.builder().start();
        int port = server.port();
        AtomicInteger attempts = new AtomicInteger();
        ConcurrentHashMap<String, Boolean> causes = new ConcurrentHashMap<>();
        CountDownLatch warmedUp = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        PieClient.Builder builder = PieClient.builder().uri(server.uri())
                .connectTimeout(Duration.ofMillis(kind == Comeback.SILENT_HANDSHAKE ? 20 : 1000))
                .autoReconnect(new ReconnectPolicy(Duration.ofNanos(1000), Duration.ofMillis(1), ReconnectPolicy.UNLIMITED))
                .onStateChange(s -> {
                    if (s instanceof ConnectionState.Reconnecting r) {
                        // What the engine's port says once the comeback occupies it (before, it may be closed).
                        if (r.attempt() > WARM_UP) causes.putIfAbsent(r.cause().getMessage(), Boolean.TRUE);
                        attempts.set(r.attempt());
                        if (r.attempt() == WARM_UP) warmedUp.countDown();
                        if (r.attempt() == WARM_UP + ATTEMPTS) done.countDown();
                    }
                });
        PieClient client = connect(builder);
        server.close();
        try (AutoCloseable comeback = occupy(kind, port)) {
            assertThat(warmedUp.await(60, TimeUnit.SECONDS)).as("warm-up attempts; causes %s", causes.keySet()).isTrue();
            int threadsBefore = Thread.getAllStackTraces().size();
            int libraryBefore = LibraryThreads.live().size();
            long heapBefore = Heap.usedAfterGc();
            long t0 = System.nanoTime();
            assertThat(done.await(90, TimeUnit.SECONDS)).as("%d attempts; causes %s", attempts.get(), causes.keySet()).isTrue();
            double seconds = (System.nanoTime() - t0) / 1e9;
            int threadsAfter = Thread.getAllStackTraces().size();
            int libraryAfter = LibraryThreads.live().size();
            long growth = Heap.usedAfterGc() - heapBefore;
            System.out.printf("%s: %,d failed attempts in %.1f s; platform threads %d -> %d; library threads %d -> %d;"
                    + " heap growth %.2f MB; causes %s%n", kind, ATTEMPTS, seconds, threadsBefore, threadsAfter,
                    libraryBefore, libraryAfter, growth / 1e6, causes.keySet());
            assertThat(causes.keySet()).as("causes reported").isNotEmpty()
                    .allSatisfy(c -> assertThat(c).contains(kind.cause));
            assertThat(client.state()).isInstanceOf(ConnectionState.Reconnecting.class);
            // A few threads come and go with each attempt (the JDK's HTTP client, a state delivery): allow that
            // much, not one per attempt.
            assertThat(threadsAfter).as("platform threads").isLessThanOrEqualTo(threadsBefore + 4);
            assertThat(libraryAfter).as("library threads").isLessThanOrEqualTo(libraryBefore + 4);
            assertThat(growth).as("heap growth over %,d attempts", ATTEMPTS).isLessThan(8L << 20);
        } finally {
            client.close();
        }
        assertThat(LibraryThreads.awaitNone(Duration.ofSeconds(10))).as("library threads after close()").isEmpty();
    }
}
