package org.pieproject.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.PieClient;
import org.pieproject.client.PieConnectionException;

/** ws:// and wss:// connections share a client each; only the wss:// one sets up TLS, and it really does. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedHttpClientTest {

    @Test
    void plainAndTlsAddressesShareAClientEach() {
        assertThat(SharedHttpClient.of(URI.create("ws://a:1"))).isSameAs(SharedHttpClient.of(URI.create("ws://b:2")));
        assertThat(SharedHttpClient.of(URI.create("wss://a:1"))).isSameAs(SharedHttpClient.of(URI.create("WSS://b:2")));
        assertThat(SharedHttpClient.of(URI.create("ws://a:1"))).isNotSameAs(SharedHttpClient.of(URI.create("wss://a:1")));
    }

    @Test
    void thePlainClientHasNoTls() {
        SharedHttpClient plain = SharedHttpClient.of(URI.create("ws://127.0.0.1:1"));
        HttpClient http = plain.acquire();
        try {
            assertThat(http.sslContext()).isSameAs(NoTlsContext.INSTANCE);
            assertThatThrownBy(() -> http.sslContext().createSSLEngine())
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ws://");
        } finally {
            plain.release();
        }
    }

    @Test
    void aWssConnectionNegotiatesRealTls() throws Exception {
        // A server that answers anything with plain text: over wss:// the JDK's TLS handshake must be what
        // fails on it, which shows that wss:// gets the client with the default SSLContext.
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = plain.accept()) {
                    s.getInputStream().read(new byte[512]); // the client's TLS hello
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().read(new byte[512]); // until the client gives up on it
                } catch (IOException e) {
                    // the test's assertion says what went wrong
                }
            });
            URI wss = URI.create("wss://127.0.0.1:" + plain.getLocalPort() + "/");
            assertThatThrownBy(() -> PieClient.builder().uri(wss).connectTimeout(Duration.ofSeconds(5)).build())
                    .isInstanceOf(PieConnectionException.class)
                    .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLException))
                    .satisfies(e -> assertThat(causes(e)).noneMatch(c -> c instanceof UnsupportedOperationException));
            server.join(5_000);
        }
    }

    private static java.util.List<Throwable> causes(Throwable e) {
        java.util.List<Throwable> all = new java.util.ArrayList<>();
        for (Throwable c = e; c != null && !all.contains(c); c = c.getCause()) all.add(c);
        return all;
    }
}
