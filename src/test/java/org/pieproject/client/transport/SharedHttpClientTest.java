package org.pieproject.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pieproject.client.testsupport.Await;

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

    @Test
    void atExitAClientNoConnectionUsesShutsDownAtOnceInsteadOfLingering() throws InterruptedException {
        SharedHttpClient shared = new SharedHttpClient(false, TlsSettings.DEFAULT, Duration.ofHours(1));
        HttpClient http = shared.acquire();
        assertThat(shared.hasExitHook()).isTrue();
        shared.release(); // lingers for an hour
        Thread watcher = shared.watcher();
        assertThat(watcher).isNotNull();

        shared.endLingerAtExit();
        assertThat(watcher.join(Duration.ofSeconds(10))).as("the watcher ends, not left asleep for the hour").isTrue();
        assertThat(shared.watcher()).isNull();

        // Its selector thread ends (not an hour later), so the JVM's exit has no thread in native code to wait for.
        Await.until("the client terminated", http::isTerminated);
        assertThat(shared.hasExitHook()).isFalse();
        HttpClient next = shared.acquire();
        try {
            assertThat(next).isNotSameAs(http);
            assertThat(shared.hasExitHook()).isTrue();
        } finally {
            shared.endLingerAtExit(); // still in use: left alone
            assertThat(next.isTerminated()).isFalse();
            shared.release();
            shared.endLingerAtExit();
        }
        Await.until("the second client terminated", next::isTerminated);
    }

    @Test
    void atExitAClientInUseIsLeftToItsConnections() throws InterruptedException {
        SharedHttpClient shared = new SharedHttpClient(false, TlsSettings.DEFAULT, Duration.ofHours(1));
        HttpClient http = shared.acquire();
        try {
            shared.endLingerAtExit();
            assertThat(http.isTerminated()).isFalse();
            assertThat(shared.hasExitHook()).isTrue();
        } finally {
            shared.release();
            Thread watcher = shared.watcher();
            shared.endLingerAtExit();
            assertThat(watcher.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void theExitHookGoesWithTheClientWhenItsLingerEnds() {
        SharedHttpClient shared = new SharedHttpClient(false, TlsSettings.DEFAULT, Duration.ZERO);
        HttpClient http = shared.acquire();
        assertThat(shared.hasExitHook()).isTrue();
        shared.release();
        Await.until("the client shut down after its linger", http::isTerminated);
        Await.until("its exit hook removed", () -> !shared.hasExitHook());
    }
}
