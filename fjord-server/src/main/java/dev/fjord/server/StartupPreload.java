package dev.fjord.server;

import dev.fjord.network.KafkaServer;
import dev.fjord.network.NetworkConfig;
import dev.fjord.protocol.ProtocolClasses;
import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code fjord server}'s start-up work on a second thread: a broker spends most of its first ~150 ms
 * initialising classes, one after the other, and a machine has more than one core.
 *
 * <p>While the main thread sets up logging, reads the config and opens the storage, this thread
 * <ol>
 *   <li>initialises the Kafka protocol classes (every API's schema; parsing and serialising ApiVersions and
 *       Metadata);
 *   <li>once the main thread has read the config (which also means logging is set up: Netty looks up its
 *       SLF4J logger while initialising, and a logger taken during SLF4J's own set-up would be a substitute),
 *       binds the broker's listener: Netty's event loops, allocator and channel classes. The listener accepts
 *       nothing until the broker {@linkplain KafkaServer#serve serves} on it, so a client that connects early
 *       waits in the listen backlog and is answered as soon as the broker is ready.
 * </ol>
 * The main thread waits for the first phase before it touches the storage and takes the listener from the
 * second through {@link #bound}, so no class is initialised by both threads at once in a way that could
 * deadlock (the protocol classes' superclass/subclass cycles, for one). A failure here other than a port in use
 * is ignored: the main thread then binds the listener itself, as it does without this class.
 */
final class StartupPreload implements Broker.ListenerSource {
    /** Does nothing: waits return at once and the broker binds its own listener. */
    static final StartupPreload NONE = new StartupPreload();

    private static final long MAX_WAIT_MS = 10_000;

    private final CountDownLatch configured = new CountDownLatch(1);
    private final CountDownLatch protocolDone = new CountDownLatch(1);
    private final CountDownLatch listenerDone = new CountDownLatch(1);
    private volatile NetworkConfig network;
    /** The listener bound here until the broker takes it; guarded by this. */
    private KafkaServer listener;
    private BindException bindFailure;
    private boolean abandoned;

    private StartupPreload() {
    }

    static StartupPreload begin() {
        final StartupPreload preload = new StartupPreload();
        final Thread thread = new Thread(preload::run, "fjord-startup-preload");
        thread.setDaemon(true);
        thread.start();
        return preload;
    }

    private void run() {
        try {
            ProtocolClasses.initialize();
        } catch (RuntimeException | LinkageError ignored) {
            // the main thread initialises them itself
        } finally {
            protocolDone.countDown();
        }
        try {
            if (configured.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
                bind(network);
            }
        } catch (InterruptedException | RuntimeException | LinkageError ignored) {
            // as above
        } finally {
            listenerDone.countDown();
        }
    }

    private void bind(final NetworkConfig config) throws InterruptedException {
        final KafkaServer server = new KafkaServer(config);
        try {
            server.bind();
            synchronized (this) {
                if (abandoned) {
                    server.close(); // the broker waited too long and bound its own
                } else {
                    listener = server;
                }
            }
        } catch (BindException e) {
            synchronized (this) {
                bindFailure = e;
            }
        }
    }

    /** The config is read and logging set up: the listener may be bound as {@code config} says. */
    void configured(final NetworkConfig config) {
        network = config;
        configured.countDown();
    }

    /** Before the storage opens. */
    void awaitProtocol() {
        await(protocolDone);
    }

    /**
     * The listener bound here, if it was bound as {@code config} says; else one the caller's thread binds.
     *
     * @throws BindException if the port is in use (found here or by the caller's own attempt)
     */
    @Override
    public KafkaServer bound(final NetworkConfig config) throws IOException, InterruptedException {
        await(listenerDone);
        final KafkaServer bound;
        synchronized (this) {
            abandoned = true; // from here on, a bind that finishes late closes itself
            bound = listener;
            listener = null;
            if (config.sameAs(network)) {
                if (bindFailure != null) {
                    throw bindFailure;
                }
                if (bound != null) {
                    return bound;
                }
            }
        }
        if (bound != null) {
            bound.close(); // bound with other settings
        }
        return Broker.ListenerSource.BIND.bound(config);
    }

    /** Closes the listener if the broker did not take it (its start failed before). */
    void closeUnused() {
        final KafkaServer unused;
        synchronized (this) {
            unused = listener;
            listener = null;
        }
        if (unused != null) {
            unused.close();
        }
    }

    private void await(final CountDownLatch latch) {
        if (this == NONE) {
            return;
        }
        try {
            latch.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
