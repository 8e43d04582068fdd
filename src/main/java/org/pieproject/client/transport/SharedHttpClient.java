package org.pieproject.client.transport;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLParameters;

/**
 * One {@link HttpClient} shared by every connection of this JVM while any is open, one for {@code ws://}
 * and one for {@code wss://}. Opening a WebSocket on a fresh HttpClient costs a selector thread and its
 * setup each time; sharing one makes connecting cheaper. When the last connection closes, the client
 * lingers briefly (a program that reconnects at once keeps it), then shuts down, so no thread outlives the
 * connections for long.
 *
 * <p>The {@code ws://} client is built without TLS ({@link NoTlsContext}): the JDK otherwise sets up
 * {@code SSLContext.getDefault()} for every client, which took 160-220 ms of a first connection's
 * 275-330 ms here (the trust store and the JSSE provider), for nothing on a plain connection.
 */
final class SharedHttpClient {
    private static final System.Logger LOG = System.getLogger(SharedHttpClient.class.getName());
    static final Duration LINGER = Duration.ofMillis(300);

    private static final SharedHttpClient PLAIN = new SharedHttpClient(false);
    private static final SharedHttpClient SECURE = new SharedHttpClient(true);

    private final boolean tls;
    private final ReentrantLock lock = new ReentrantLock();
    // All guarded by lock.
    private HttpClient client;
    private ExecutorService executor;
    private int users;
    private long lastRelease;
    private boolean lingering;

    private SharedHttpClient(boolean tls) {
        this.tls = tls;
    }

    /**
     * The shared client for connections to {@code uri}: the TLS one for {@code wss}, the plain one otherwise.
     *
     * @param uri the engine's address
     * @return the shared client that serves it
     */
    static SharedHttpClient of(URI uri) {
        return "wss".equalsIgnoreCase(uri.getScheme()) ? SECURE : PLAIN;
    }

    /** The shared client; every call must be matched by one {@link #release()}. */
    HttpClient acquire() {
        lock.lock();
        try {
            if (client == null) {
                executor = ListenerThread.newExecutor(tls ? "pie-wss-" : "pie-ws-");
                HttpClient.Builder b = HttpClient.newBuilder().executor(executor);
                if (!tls) b.sslContext(NoTlsContext.INSTANCE).sslParameters(new SSLParameters());
                client = b.build();
            }
            users++;
            return client;
        } finally {
            lock.unlock();
        }
    }

    /** One connection is done with the client; once none has used it for {@link #LINGER}, it shuts down. */
    void release() {
        lock.lock();
        try {
            users--;
            lastRelease = System.nanoTime();
            if (users > 0 || lingering) return;
            lingering = true; // one watcher at a time, however many connections come and go
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("pie-ws-linger").start(this::shutdownWhenUnused);
    }

    private void shutdownWhenUnused() {
        HttpClient c;
        ExecutorService e;
        while (true) {
            try {
                Thread.sleep(LINGER); // a grace period, not synchronisation: a reconnect within it reuses the client
            } catch (InterruptedException ex) {
                lock.lock();
                lingering = false;
                lock.unlock();
                return;
            }
            lock.lock();
            try {
                if (users > 0) {
                    lingering = false;
                    return;
                }
                if (System.nanoTime() - lastRelease < LINGER.toNanos()) continue;
                lingering = false;
                c = client;
                e = executor;
                client = null;
                executor = null;
            } finally {
                lock.unlock();
            }
            break;
        }
        if (c == null) return;
        c.shutdownNow();
        e.shutdownNow();
        try {
            if (!e.awaitTermination(1, TimeUnit.SECONDS)) LOG.log(System.Logger.Level.DEBUG, "HTTP threads still ending");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
