package org.pieproject.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testkit.PieTestServer;

/**
 * {@code wss://}: an engine with a self-signed certificate is reachable once the builder's SSLContext
 * trusts it; an untrusted certificate and one for another host are refused at once, with a
 * {@link PieConnectionException} that says it was TLS and why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {
    /** Far longer than any failure may take: a failure that comes from waiting it out is a hang, not a refusal. */
    private static final Duration LONG_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    private PieTestServer server;

    private PieTestServer start(TestCertificates.Identity identity) throws Exception {
        server = PieTestServer.builder()
                .tls(identity.serverContext())
                .inferlet("echo@0.1.0", ctx -> "echo " + ctx.input())
                .start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void aSelfSignedEngineIsReachableWhenTheBuilderTrustsIt() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        start(engine);
        assertThat(server.uri().getScheme()).isEqualTo("wss");
        for (URI uri : new URI[] {server.uri(), URI.create("wss://localhost:" + server.port())}) {
            try (PieClient client = PieClient.builder().uri(uri).sslContext(engine.trustingContext()).build()) {
                client.authenticate("alice");
                assertThat(client.launchProcess("echo@0.1.0", "hi").result()).isEqualTo("echo hi");
            }
        }
    }

    @Test
    void sslParametersAreUsedAndHostnameVerificationStaysOn() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        start(engine);
        SSLParameters tls13 = new SSLParameters();
        tls13.setProtocols(new String[] {"TLSv1.3"});
        try (PieClient client = PieClient.builder().uri(server.uri()).sslContext(engine.trustingContext())
                .sslParameters(tls13).build()) {
            client.authenticate("alice");
            client.ping();
        }
        assertThat(tls13.getEndpointIdentificationAlgorithm()).as("the caller's parameters are not changed").isNull();

        SSLParameters onlyTls11 = new SSLParameters();
        onlyTls11.setProtocols(new String[] {"TLSv1.1"}); // disabled in every current JDK: nothing to agree on
        assertThatThrownBy(() -> PieClient.builder().uri(server.uri()).sslContext(engine.trustingContext())
                .sslParameters(onlyTls11).connectTimeout(LONG_CONNECT_TIMEOUT).build())
                .isInstanceOf(PieConnectionException.class)
                .hasMessageContaining("TLS");
    }

    @Test
    void anUntrustedCertificateFailsPromptlySayingSo() throws Exception {
        start(TestCertificates.loopback());
        TestCertificates.Identity stranger = TestCertificates.loopback(); // the client trusts another certificate
        for (SSLContext trust : new SSLContext[] {stranger.trustingContext(), SSLContext.getDefault()}) {
            PieConnectionException e = connectFails(PieClient.builder().uri(server.uri()).sslContext(trust));
            assertThat(e).hasMessageContaining("TLS handshake failed")
                    .hasMessageContaining("certificate is not trusted")
                    .hasMessageContaining(server.uri().toString());
        }
        // Without an SSLContext, the JVM's trust store is used: it does not know a self-signed certificate either.
        assertThat(connectFails(PieClient.builder().uri(server.uri())))
                .hasMessageContaining("TLS handshake failed").hasMessageContaining("not trusted");
    }

    @Test
    void aCertificateForAnotherHostFailsPromptlySayingSo() throws Exception {
        // Trusted, but it names engine.example only, and the client connects to 127.0.0.1 and localhost.
        TestCertificates.Identity elsewhere = TestCertificates.selfSigned("engine.example",
                new GeneralName(GeneralName.dNSName, "engine.example"));
        start(elsewhere);
        SSLParameters noEndpointCheck = new SSLParameters(); // no endpoint identification algorithm asked for
        for (URI uri : new URI[] {server.uri(), URI.create("wss://localhost:" + server.port())}) {
            for (SSLParameters params : new SSLParameters[] {null, noEndpointCheck}) {
                PieClient.Builder b = PieClient.builder().uri(uri).sslContext(elsewhere.trustingContext());
                if (params != null) b.sslParameters(params);
                assertThat(connectFails(b)).hasMessageContaining("TLS handshake failed")
                        .hasMessageContaining("does not match the host name");
            }
        }
    }

    @Test
    void reconnectKeepsTheTlsSettings() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        start(engine);
        PieClient client = PieClient.builder().uri(server.uri()).sslContext(engine.trustingContext()).build();
        client.authenticate("alice");
        server.faults().dropAllConnections();
        try (PieClient fresh = client.reconnect()) {
            assertThat(fresh.user()).isEqualTo("alice");
            assertThat(fresh.launchProcess("echo@0.1.0", "again").result()).isEqualTo("echo again");
        }
    }

    @Test
    void automaticReconnectOverTlsHealsABlipAndKeepsTheProcessStreaming() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server = PieTestServer.builder()
                .tls(engine.serverContext())
                .inferlet("blocked@0.1.0", ctx -> {
                    ctx.stdout("before");
                    release.await();
                    ctx.stdout("after");
                    return "released";
                })
                .start();
        java.util.concurrent.BlockingQueue<ConnectionState> states = new java.util.concurrent.LinkedBlockingQueue<>();
        try (PieClient client = PieClient.builder().uri(server.uri()).sslContext(engine.trustingContext())
                .autoReconnect(new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(50), 100))
                .onStateChange(states::add).build()) {
            client.authenticate("alice");
            PieProcess p = client.launchProcess("blocked@0.1.0", "{}");
            assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("before"));
            server.faults().dropAllConnections();
            ConnectionState back;
            do {
                back = states.poll(30, TimeUnit.SECONDS);
                assertThat(back).as("a state within 30 s").isNotNull();
            } while (!(back instanceof ConnectionState.Reconnected));
            assertThat(client.isOpen()).isTrue();
            release.countDown();
            // Re-attached over the new wss:// connection: the rest of the stream arrives there.
            assertThat(p.recv()).isEqualTo(new ProcessEvent.Stdout("after"));
            assertThat(p.recv()).isEqualTo(new ProcessEvent.Return("released"));
        } finally {
            release.countDown();
        }
    }

    @Test
    void aClientWithItsOwnTlsLeavesNoThreadBehind() throws Exception {
        TestCertificates.Identity engine = TestCertificates.loopback();
        start(engine);
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        try (PieClient client = PieClient.builder().uri(server.uri()).sslContext(engine.trustingContext()).build()) {
            client.authenticate("alice");
            client.ping();
        }
        Set<Thread> ours = new HashSet<>(Thread.getAllStackTraces().keySet());
        ours.removeAll(before);
        ours.removeIf(t -> !t.getName().startsWith("pie-wss-") && !t.getName().startsWith("HttpClient-"));
        for (Thread t : ours) t.join(5_000);
        assertThat(ours).filteredOn(Thread::isAlive).as("HTTP client threads still alive after close()").isEmpty();
    }

    private static PieConnectionException connectFails(PieClient.Builder b) {
        b.connectTimeout(LONG_CONNECT_TIMEOUT);
        return assertTimeoutPreemptively(PROMPTLY, () -> {
            try (PieClient c = b.build()) {
                throw new AssertionError("connected: " + c);
            } catch (PieConnectionException e) {
                return e;
            }
        });
    }
}
