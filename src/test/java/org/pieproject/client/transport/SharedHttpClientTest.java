package org.pieproject.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ws:// and wss:// connections share a client each; only the wss:// one sets up TLS, with the JDK's default context. */
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
    void theTlsClientUsesTheDefaultContext() throws Exception {
        SharedHttpClient tls = SharedHttpClient.of(URI.create("wss://127.0.0.1:1"));
        HttpClient http = tls.acquire();
        try {
            assertThat(http.sslContext()).isSameAs(SSLContext.getDefault());
        } finally {
            tls.release();
        }
    }
}
