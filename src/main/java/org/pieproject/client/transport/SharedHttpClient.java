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
 *
 * <p>A connection with its own TLS ({@link TlsSettings}: an {@code SSLContext} or {@code SSLParameters}
 * given on the builder) gets a client of its own, since an {@code HttpClient}'s TLS is fixed when it is
 * built; it shuts down as soon as that connection releases it.
 *
 * <p>While a client exists, a JVM shutdown hook ends its linger at exit: a client that no connection uses
 * shuts down at once. Its selector thread waits for the socket in native code, and HotSpot's exit waits up
 * to 300 ms for any thread in native code to return, so a program that closed its last connection and
 * exited within the linger paid that much (a third of {@code pie-client ping}). A client still in use is
 * left to its connections.
 */
final class SharedHttpClient {
    private static final System.Logger LOG = System.getLogger(SharedHttpClient.class.getName());
    static final Duration LINGER = Duration.ofMillis(300);
    /** The longest a JVM's exit waits for the selector thread of a client it shuts down; less than HotSpot's 300 ms. */
    static final Duration EXIT_WAIT = Duration.ofMillis(100);

    private static final SharedHttpClient PLAIN = new SharedHttpClient(false);
    private static final SharedHttpClient SECURE = new SharedHttpClient(true);

    private final boolean tls;
    private final TlsSettings tlsSettings;
    private final Duration linger;
    private final ReentrantLock lock = new ReentrantLock();
    // All guarded by lock.
    private HttpClient client;
    private ExecutorService executor;
    private int users;
    private long lastRelease;
    private Thread watcher; // the linger's, while one runs: one at a time, however many connections come and go
    private Thread exitHook;

    private SharedHttpClient(boolean tls) {
        this(tls, TlsSettings.DEFAULT, LINGER);
    }

    SharedHttpClient(boolean tls, TlsSettings tlsSettings, Duration linger) {
        this.tls = tls;
        this.tlsSettings = tlsSettings;
        this.linger = linger;
    }

    /**
     * The shared client for connections to {@code uri}: the TLS one for {@code wss}, the plain one otherwise.
     *
     * @param uri the engine's address
     * @return the shared client that serves it
     */
    static SharedHttpClient of(URI uri) {
        return of(uri, TlsSettings.DEFAULT);
    }

    /**
     * The client for connections to {@code uri} with {@code tls}: a shared one for {@code ws} and for
     * {@code wss} with the JVM's default TLS, else a client of this connection's own.
     *
     * @param uri the engine's address
     * @param tls the TLS settings ({@link TlsSettings#DEFAULT} for the JVM's); ignored for {@code ws}
     * @return the client that serves it
     */
    static SharedHttpClient of(URI uri, TlsSettings tls) {
        if (!"wss".equalsIgnoreCase(uri.getScheme())) return PLAIN;
        return tls.isDefault() ? SECURE : new SharedHttpClient(true, tls, Duration.ZERO);
    }

    /** The shared client; every call must be matched by one {@link #release()}. */
    HttpClient acquire() {
        lock.lock();
        try {
            if (client == null) {
                executor = ListenerThread.newExecutor(tls ? "pie-wss-" : "pie-ws-");
                HttpClient.Builder b = HttpClient.newBuilder().executor(executor);
                if (!tls) b.sslContext(NoTlsContext.INSTANCE).sslParameters(new SSLParameters());
                if (tlsSettings.context() != null) b.sslContext(tlsSettings.context());
                SSLParameters params = tlsSettings.verifyingParameters();
                if (params != null) b.sslParameters(params);
                if (tls) warnIfHostnameVerificationDisabled();
                client = b.build();
                exitHook = addExitHook();
            }
            users++;
            return client;
        } finally {
            lock.unlock();
        }
    }

    /** One connection is done with the client; once none has used it for {@link #LINGER}, it shuts down. */
    void release() {
        Thread w;
        lock.lock();
        try {
            users--;
            lastRelease = System.nanoTime();
            if (users > 0 || watcher != null) return;
            w = watcher = Thread.ofVirtual().name("pie-ws-linger").unstarted(this::shutdownWhenUnused);
        } finally {
            lock.unlock();
        }
        w.start();
    }

    private void shutdownWhenUnused() {
        HttpClient c;
        ExecutorService e;
        while (true) {
            try {
                Thread.sleep(linger); // a grace period, not synchronisation: a reconnect within it reuses the client
            } catch (InterruptedException ex) {
                lock.lock();
                if (watcher == Thread.currentThread()) watcher = null;
                lock.unlock();
                return;
            }
            lock.lock();
            try {
                if (watcher != Thread.currentThread()) return; // ended at exit
                if (users > 0) {
                    watcher = null;
                    return;
                }
                if (System.nanoTime() - lastRelease < linger.toNanos()) continue;
                watcher = null;
                c = client;
                e = executor;
                client = null;
                executor = null;
                removeExitHook();
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

    /**
     * At JVM exit: shuts the client down now if no connection uses it (its linger would outlast the JVM),
     * and waits up to {@link #EXIT_WAIT} for its selector thread to end, which takes a few milliseconds.
     */
    void endLingerAtExit() {
        HttpClient c;
        ExecutorService e;
        Thread w;
        lock.lock();
        try {
            if (users > 0 || client == null) return;
            c = client;
            e = executor;
            w = watcher;
            client = null;
            executor = null;
            exitHook = null;
            watcher = null;
        } finally {
            lock.unlock();
        }
        if (w != null) w.interrupt();
        c.shutdownNow();
        e.shutdownNow(); // its threads are parked daemons: the exit does not wait for them
        try {
            c.awaitTermination(EXIT_WAIT);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** Registers {@link #endLingerAtExit} to run at JVM exit; null if the JVM is already exiting. Under lock. */
    private Thread addExitHook() {
        Thread hook = new Thread(this::endLingerAtExit, tls ? "pie-wss-exit" : "pie-ws-exit");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return hook;
        } catch (IllegalStateException exiting) {
            return null;
        }
    }

    /** The client is gone: its hook has nothing left to do. Under lock. */
    private void removeExitHook() {
        if (exitHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException exiting) {
            // The hooks are running: ours finds no client and returns.
        }
        exitHook = null;
    }

    /** The thread that waits out the linger, or null when the client is not lingering. */
    Thread watcher() {
        lock.lock();
        try {
            return watcher;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a shutdown hook is registered for this client (there is one exactly while the client exists). */
    boolean hasExitHook() {
        lock.lock();
        try {
            return exitHook != null;
        } finally {
            lock.unlock();
        }
    }

    /** The JDK's own switch turns hostname verification off for every HTTP client of the JVM: say so. */
    private static void warnIfHostnameVerificationDisabled() {
        String p = System.getProperty("jdk.internal.httpclient.disableHostnameVerification");
        if (p != null && (p.isEmpty() || p.equalsIgnoreCase("true"))) {
            LOG.log(System.Logger.Level.WARNING, "jdk.internal.httpclient.disableHostnameVerification is set:"
                    + " wss:// connections do not check that the engine's certificate names its host");
        }
    }
}
