package dev.fjord.server;

import dev.fjord.network.KafkaServer;
import dev.fjord.network.NetworkConfig;
import dev.fjord.protocol.ProtocolClasses;
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
 *       {@linkplain KafkaServer#prepare prepares} the broker's listener: Netty's event loops, allocator and
 *       server channel, everything but the bind. The broker binds it when it is ready to serve, so the port
 *       opens then, as Kafka's does.
 * </ol>
 * The main thread waits for the first phase before it touches the storage and takes the listener from the
 * second through {@link #prepared}, so no class is initialised by both threads at once in a way that could
 * deadlock (the protocol classes' superclass/subclass cycles, for one). A failure here is ignored: the
 * broker then prepares its listener itself, as it does without this class.
 */
final class StartupPreload implements Broker.ListenerSource {
    /** Does nothing: waits return at once and the broker prepares its own listener. */
    static final StartupPreload NONE = new StartupPreload();

    private static final long MAX_WAIT_MS = 10_000;

    private final CountDownLatch configured = new CountDownLatch(1);
    private final CountDownLatch protocolDone = new CountDownLatch(1);
    private final CountDownLatch listenerDone = new CountDownLatch(1);
    private volatile NetworkConfig network;
    /** The listener prepared here until the broker takes it; guarded by this. */
    private KafkaServer listener;
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
                prepare(network);
            }
        } catch (InterruptedException | RuntimeException | LinkageError ignored) {
            // as above
        } finally {
            listenerDone.countDown();
        }
    }

    private void prepare(final NetworkConfig config) {
        final KafkaServer server = new KafkaServer(config);
        try {
            server.prepare();
        } catch (RuntimeException | LinkageError e) {
            server.close();
            throw e;
        }
        synchronized (this) {
            if (abandoned) {
                server.close(); // the broker waited too long and made its own
            } else {
                listener = server;
            }
        }
    }

    /** The config is read and logging set up: the listener may be prepared as {@code config} says. */
    void configured(final NetworkConfig config) {
        network = config;
        configured.countDown();
    }

    /** Before the storage opens. */
    void awaitProtocol() {
        await(protocolDone);
    }

    /** The listener prepared here, if it was prepared as {@code config} says; else a new one. */
    @Override
    public KafkaServer prepared(final NetworkConfig config) {
        await(listenerDone);
        final KafkaServer prepared;
        synchronized (this) {
            abandoned = true; // from here on, a preparation that finishes late closes itself
            prepared = listener;
            listener = null;
        }
        if (prepared != null && config.sameAs(network)) {
            return prepared;
        }
        if (prepared != null) {
            prepared.close(); // made with other settings
        }
        return Broker.ListenerSource.NEW.prepared(config);
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
