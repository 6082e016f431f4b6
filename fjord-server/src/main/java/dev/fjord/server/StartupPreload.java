package dev.fjord.server;

import dev.fjord.network.KafkaServer;
import dev.fjord.protocol.ProtocolClasses;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Class initialisation for {@code fjord server}'s start-up, on a second thread: a broker spends most of
 * its first ~200 ms initialising classes, one after the other, and a machine has more than one core.
 *
 * <p>While the main thread sets up logging, reads the config and opens the storage, this thread
 * initialises, in two phases:
 * <ol>
 *   <li>the Kafka protocol classes (every API's schema; parsing and serialising ApiVersions and Metadata);
 *   <li>once logging is set up (Netty looks up its SLF4J logger while initialising, and a logger taken
 *       during SLF4J's own set-up would be a substitute), the listener's classes, by answering one
 *       request on a throw-away listener ({@link KafkaServer#initializeClasses()}).
 * </ol>
 * The main thread waits for phase 1 before it touches the storage and for phase 2 before it binds the
 * listener, so no class is initialised by both threads at once in a way that could deadlock (the
 * protocol classes' superclass/subclass cycles, for one). A failure here is ignored: the main thread
 * then does the same work itself, as it would without this class.
 */
final class StartupPreload {
    /** Does nothing: waits return at once. */
    static final StartupPreload NONE = new StartupPreload();

    private static final long MAX_WAIT_MS = 10_000;

    private final CountDownLatch loggingReady = new CountDownLatch(1);
    private final CountDownLatch protocolDone = new CountDownLatch(1);
    private final CountDownLatch networkDone = new CountDownLatch(1);

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
            if (loggingReady.await(MAX_WAIT_MS, TimeUnit.MILLISECONDS)) {
                KafkaServer.initializeClasses();
            }
        } catch (InterruptedException | IOException | RuntimeException | LinkageError ignored) {
            // as above
        } finally {
            networkDone.countDown();
        }
    }

    /** Logging is set up: the Netty phase may start. */
    void loggingReady() {
        loggingReady.countDown();
    }

    /** Before the storage opens. */
    void awaitProtocol() {
        await(protocolDone);
    }

    /** Before the listener binds. */
    void awaitNetwork() {
        await(networkDone);
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
