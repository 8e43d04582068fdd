package org.pieproject.client.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.ConnectionState;
import org.pieproject.client.ParsedPrivateKey;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieConnectionException;
import org.pieproject.client.PieProcess;
import org.pieproject.client.PieProcessLostException;
import org.pieproject.client.PieTimeoutException;
import org.pieproject.client.ProcessEvent;
import org.pieproject.client.ReconnectPolicy;
import org.pieproject.client.testkit.PieTestServer;

/** Automatic reconnect and connection state events, one behaviour at a time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AutoReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(5), Duration.ofMillis(50), ReconnectPolicy.UNLIMITED);

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch finish = new CountDownLatch(1);
    private final StateRecorder states = new StateRecorder();
    private PieTestServer server;
    private PieClient client;

    private PieTestServer.Builder engine() {
        return PieTestServer.builder()
                .inferlet("echo@0.1.0", ctx -> ctx.input())
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("before");
                    release.await();
                    ctx.stdout("after");
                    finish.await();
                    return "released";
                });
    }

    private PieClient.Builder client(ReconnectPolicy policy) {
        PieClient.Builder b = PieClient.builder().uri(server.uri()).onStateChange(states);
        return policy == null ? b : b.autoReconnect(policy);
    }

    @AfterEach
    void stop() {
        release.countDown();
        finish.countDown();
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void offByDefaultALossEndsTheClientAndSaysSoInItsStates() throws Exception {
        server = engine().start();
        client = client(null).build();
        client.authenticate("alice");
        server.faults().dropAllConnections();
        ConnectionState.Closed closed = states.nextState(ConnectionState.Closed.class, WAIT);
        assertThat(closed.cause()).isInstanceOf(PieConnectionException.class).hasMessageContaining("connection lost");
        assertThat(states.kinds()).containsExactly("Connected", "Disconnected", "Closed");
        assertThat(client.state()).isEqualTo(closed);
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(client::ping).isInstanceOf(PieConnectionException.class);
    }

    @Test
    void aBlipIsHealedAndTheStatesComeInOrder() throws Exception {
        server = engine().start();
        client = client(FAST).build();
        client.authenticate("alice");
        assertThat(client.state()).isInstanceOf(ConnectionState.Connected.class);
        server.faults().dropAllConnections();
        ConnectionState.Reconnected back = states.nextState(ConnectionState.Reconnected.class, WAIT);
        assertThat(back.uri()).isEqualTo(server.uri());
        List<ConnectionState> all = states.all();
        assertThat(all.get(0)).isInstanceOf(ConnectionState.Connected.class);
        assertThat(all.get(1)).isInstanceOfSatisfying(ConnectionState.Disconnected.class,
                d -> assertThat(d.cause().getMessage()).contains("connection lost"));
        ConnectionState.Reconnecting first = (ConnectionState.Reconnecting) all.get(2);
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.delay()).isBetween(Duration.ZERO, FAST.ceiling(1));
        assertThat(first.cause()).isSameAs(((ConnectionState.Disconnected) all.get(1)).cause());
        assertThat(all.getLast()).isEqualTo(back);
        assertThat(client.state()).isEqualTo(back);
        assertThat(client.isOpen()).isTrue();
        // Authenticated again: the engine drops requests before authentication, so this would time out.
        assertThat(client.launchProcess("echo@0.1.0", "\"hi\"").result()).isEqualTo("\"hi\"");
        assertThat(server.receivedMessages()).filteredOn(m -> "auth_identify".equals(m.get("type"))).hasSize(2);
    }

    @Test
    void aCallInFlightFailsAtOnceNamingTheCauseAndIsNeverSentAgain() throws Exception {
        server = engine().start();
        client = client(FAST).requestTimeout(Duration.ofSeconds(30)).build();
        client.authenticate("alice");
        CompletableFuture<List<String>> inFlight = CompletableFuture.supplyAsync(
                () -> client.runProcesses("blocked@0.1.0", List.of("{}"), null), Thread::startVirtualThread);
        assertThat(server.awaitReceived(m -> "run_processes".equals(m.get("type")), WAIT)).isPresent();
        long t0 = System.nanoTime();
        server.faults().dropAllConnections();
        assertThatThrownBy(() -> inFlight.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PieConnectionException.class).hasMessageContaining("run_processes")
                .hasMessageContaining("connection lost");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        states.nextState(ConnectionState.Reconnected.class, WAIT);
        client.ping(); // the new connection has sent everything it will before this answer
        assertThat(server.receivedMessages()).filteredOn(m -> "run_processes".equals(m.get("type"))).hasSize(1);
    }

    @Test
    void aCallMadeWhileReconnectingWaitsForTheConnectionWithinItsDeadline() throws Exception {
        server = engine().start();
        int port = server.port();
        client = client(FAST).requestTimeout(Duration.ofSeconds(20)).build();
        client.authenticate("alice");
        server.close(); // nothing listens: every attempt fails until the engine is back
        states.nextState(ConnectionState.Reconnecting.class, WAIT);
        states.nextState(ConnectionState.Reconnecting.class, WAIT); // a failed attempt: still down
        assertThat(client.state()).isInstanceOf(ConnectionState.Reconnecting.class);
        CountDownLatch calling = new CountDownLatch(1);
        CompletableFuture<PieTestServer> restarted = CompletableFuture.supplyAsync(() -> {
            try {
                calling.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return engine().port(port).start();
        }, Thread::startVirtualThread);
        calling.countDown();
        client.ping(); // made while down: waits, then goes out on the new connection
        server = restarted.get(10, TimeUnit.SECONDS);
        assertThat(server.receivedMessages()).filteredOn(m -> "ping".equals(m.get("type"))).hasSize(1);
    }

    @Test
    void aCallMadeWhileReconnectingFailsWithATimeoutWhenTheConnectionIsNotBackInTime() throws Exception {
        server = engine().start();
        client = client(FAST).requestTimeout(Duration.ofMillis(300)).build();
        client.authenticate("alice");
        server.close();
        states.nextState(ConnectionState.Reconnecting.class, WAIT);
        long t0 = System.nanoTime();
        assertThatThrownBy(client::ping).isInstanceOf(PieTimeoutException.class)
                .hasMessageContaining("not back within PT0.3S").hasMessageContaining("Reconnecting");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    }

    @Test
    void anOpenHandleIsReattachedAndReceivesWhatTheEngineKeptInOrder() throws Exception {
        server = engine().start();
        client = client(FAST).build();
        client.authenticate("alice");
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        server.faults().dropAllConnections();
        release.countDown(); // "after" is produced while nobody may be attached: the engine keeps it
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("after"));
        finish.countDown();
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Return("released"));
        assertThat(server.receivedMessages()).filteredOn(m -> "attach_process".equals(m.get("type"))).isNotEmpty();
    }

    @Test
    void aProcessTheEngineStillRunsButWillNotReattachEndsItsHandleClearly() throws Exception {
        server = engine().detachOnDisconnect(false).start(); // engine 0.3/0.4 (protocol.md §6.4)
        client = client(FAST).build();
        client.authenticate("alice");
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        server.faults().dropAllConnections();
        assertThatThrownBy(p::recv).isInstanceOfSatisfying(PieProcessLostException.class, e -> {
            assertThat(e.stillRunning()).isTrue();
            assertThat(e.processId()).isEqualTo(p.id());
        });
        assertThat(client.listProcesses()).contains(p.id());
        client.terminateProcess(p.id());
    }

    @Test
    void aProcessGoneAfterAnEngineRestartEndsItsHandleAsEndedNotAsANormalEnd() throws Exception {
        server = engine().start();
        int port = server.port();
        client = client(FAST).build();
        client.authenticate("alice");
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        server.close();
        server = engine().port(port).start();
        assertThatThrownBy(p::recv).isInstanceOfSatisfying(PieProcessLostException.class,
                e -> assertThat(e.stillRunning()).isFalse()).hasMessageContaining("ended while the connection was down");
    }

    @Test
    void refusedAuthenticationOnReconnectStopsTheRetriesAndClosesTheClientWithThatCause() throws Exception {
        KeyPair alice = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPair bob = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        server = engine().user("alice", alice.getPublic()).start();
        int port = server.port();
        client = client(FAST).build();
        client.authenticate("alice", ParsedPrivateKey.parse("-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(alice.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"));
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        server.close();
        server = engine().port(port).user("bob", bob.getPublic()).start(); // alice's key is gone
        ConnectionState.Closed closed = states.nextState(ConnectionState.Closed.class, WAIT);
        assertThat(closed.cause()).isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("refused the authentication").hasMessageContaining("not authorized");
        // Attempts may fail on the closed port while the engine restarts; the refusal is the last of them.
        List<ConnectionState> all = states.all();
        assertThat(all.get(all.size() - 2)).isInstanceOf(ConnectionState.Reconnecting.class);
        assertThat(all.get(all.size() - 1)).isSameAs(closed);
        assertThat(client.isOpen()).isFalse();
        assertThatThrownBy(client::ping).isInstanceOf(PieConnectionException.class).hasMessageContaining("refused");
        assertThatThrownBy(p::recv).isInstanceOf(PieConnectionException.class);
        // No further attempt after the refusal: the engine saw exactly one more connection.
        assertThat(server.awaitConnectedSessions(0, WAIT)).as("the refused connection is closed").isTrue();
        assertThat(server.receivedMessages()).filteredOn(m -> "auth_identify".equals(m.get("type"))).hasSize(1);
    }

    @Test
    void closeDuringABackoffWaitReturnsAtOnceAndLeavesNoThread() throws Exception {
        server = engine().start();
        ReconnectPolicy slow = new ReconnectPolicy(Duration.ofHours(1), Duration.ofHours(1), ReconnectPolicy.UNLIMITED);
        client = client(slow).build();
        server.faults().dropAllConnections();
        ConnectionState.Reconnecting waiting = states.nextState(ConnectionState.Reconnecting.class, WAIT);
        // A wait that short would end by itself: the point is a close() during a long one.
        org.junit.jupiter.api.Assumptions.assumeTrue(waiting.delay().compareTo(Duration.ofSeconds(5)) > 0);
        long t0 = System.nanoTime();
        client.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        assertThat(states.nextState(ConnectionState.Closed.class, WAIT).cause()).isNull();
        assertThat(LibraryThreads.awaitNone(WAIT)).isEmpty();
    }

    @Test
    void listenersRunOffTheSocketThreadSoASlowOrThrowingOneStallsNothing() throws Exception {
        server = engine().start();
        CountDownLatch slowListener = new CountDownLatch(1);
        AtomicInteger thrown = new AtomicInteger();
        client = PieClient.builder().uri(server.uri()).autoReconnect(FAST)
                .onStateChange(s -> {
                    try {
                        slowListener.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .onStateChange(s -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("a listener that always throws");
                })
                .onStateChange(states)
                .build();
        client.authenticate("alice");
        // The first listener is still blocked on "Connected": frames flow regardless.
        assertThat(client.launchProcess("echo@0.1.0", "\"through\"").result()).isEqualTo("\"through\"");
        assertThat(states.all()).isEmpty();
        slowListener.countDown();
        states.nextState(ConnectionState.Connected.class, WAIT);
        server.faults().dropAllConnections();
        states.nextState(ConnectionState.Reconnected.class, WAIT);
        assertThat(thrown.get()).as("the throwing listener kept receiving").isEqualTo(states.all().size());
    }

    @Test
    void thePolicyDoublesItsCeilingUpToTheMaximumAndJittersBelowIt() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 5);
        assertThat(List.of(p.ceiling(1), p.ceiling(2), p.ceiling(3), p.ceiling(4), p.ceiling(5), p.ceiling(100)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400),
                        Duration.ofMillis(800), Duration.ofSeconds(1), Duration.ofSeconds(1));
        SplittableRandom random = new SplittableRandom(17);
        long below = 0;
        for (int i = 0; i < 10_000; i++) {
            Duration d = p.delayBefore(3, random);
            assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(400));
            if (d.compareTo(Duration.ofMillis(200)) < 0) below++;
        }
        assertThat(below).as("full jitter: uniform over [0, ceiling]").isBetween(4_500L, 5_500L);
        assertThat(ReconnectPolicy.defaults()).isEqualTo(new ReconnectPolicy(ReconnectPolicy.DEFAULT_INITIAL_DELAY,
                ReconnectPolicy.DEFAULT_MAX_DELAY, ReconnectPolicy.DEFAULT_MAX_ATTEMPTS));
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ZERO, Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void whenTheAttemptsRunOutTheClientClosesWithTheLastFailure() throws Exception {
        server = engine().start();
        client = client(new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(2), 3)).build();
        client.authenticate("alice");
        PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
        server.close();
        ConnectionState.Closed closed = states.nextState(ConnectionState.Closed.class, WAIT);
        assertThat(closed.cause()).hasMessageContaining("gave up reconnecting after 3 attempts");
        assertThat(states.all()).filteredOn(ConnectionState.Reconnecting.class::isInstance).hasSize(3);
        assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
        assertThatThrownBy(p::recv).isInstanceOf(PieConnectionException.class).hasMessageContaining("gave up");
    }
}
