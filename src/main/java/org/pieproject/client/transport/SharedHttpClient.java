package org.pieproject.client.transport;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One {@link HttpClient} shared by every connection of this JVM while any is open. Opening a WebSocket
 * on a fresh HttpClient costs a selector thread and its setup each time; sharing one makes connecting
 * cheaper. When the last connection closes, the client lingers briefly (a program that reconnects at
 * once keeps it), then shuts down, so no thread outlives the connections for long.
 */
final class SharedHttpClient {
    private static final System.Logger LOG = System.getLogger(SharedHttpClient.class.getName());
    static final Duration LINGER = Duration.ofMillis(300);

    private static final ReentrantLock LOCK = new ReentrantLock();
    // All guarded by LOCK.
    private static HttpClient client;
    private static ExecutorService executor;
    private static int users;
    private static long lastRelease;
    private static boolean lingering;

    private SharedHttpClient() {
    }

    /** The shared client; every call must be matched by one {@link #release()}. */
    static HttpClient acquire() {
        LOCK.lock();
        try {
            if (client == null) {
                // Idle worker threads end after a second; the HttpClient's own selector thread ends
                // when it is shut down after the last release.
                executor = ListenerThread.newExecutor("pie-ws-");
                client = HttpClient.newBuilder().executor(executor).build();
            }
            users++;
            return client;
        } finally {
            LOCK.unlock();
        }
    }

    /** One connection is done with the client; once none has used it for {@link #LINGER}, it shuts down. */
    static void release() {
        LOCK.lock();
        try {
            users--;
            lastRelease = System.nanoTime();
            if (users > 0 || lingering) return;
            lingering = true; // one watcher at a time, however many connections come and go
        } finally {
            LOCK.unlock();
        }
        Thread.ofVirtual().name("pie-ws-linger").start(SharedHttpClient::shutdownWhenUnused);
    }

    private static void shutdownWhenUnused() {
        HttpClient c;
        ExecutorService e;
        while (true) {
            try {
                Thread.sleep(LINGER); // a grace period, not synchronisation: a reconnect within it reuses the client
            } catch (InterruptedException ex) {
                LOCK.lock();
                lingering = false;
                LOCK.unlock();
                return;
            }
            LOCK.lock();
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
                LOCK.unlock();
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
