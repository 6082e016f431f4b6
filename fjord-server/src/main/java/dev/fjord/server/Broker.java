package dev.fjord.server;

import dev.fjord.server.config.BrokerConfig;
import dev.fjord.server.config.BrokerConfig.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PLACEHOLDER — NOT THE REAL BROKER. This stub exists only so that {@link FjordMain} and the launcher compile
 * and can be exercised on the {@code config} branch. It binds the configured listeners and creates the log
 * dirs but speaks no protocol. The real {@code Broker} (written in parallel) replaces this file at merge and
 * must keep this public API: {@link #start}, {@link #boundPort}, {@link #awaitShutdown}, {@link #close}.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    private final List<ServerSocket> sockets;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private Broker(final List<ServerSocket> sockets) {
        this.sockets = sockets;
    }

    /**
     * Creates the log dirs, binds every listener and logs "Fjord listening on host:port, data in &lt;abs path&gt;".
     *
     * @throws java.net.BindException if a listener's port is taken (FjordMain turns it into a one-line error)
     */
    public static Broker start(final BrokerConfig config) throws IOException {
        for (final Path dir : config.logDirs()) {
            Files.createDirectories(dir);
        }
        final List<ServerSocket> bound = new ArrayList<>();
        try {
            for (final Endpoint endpoint : config.listeners()) {
                final ServerSocket socket = new ServerSocket();
                bound.add(socket);
                socket.bind(endpoint.allInterfaces()
                    ? new InetSocketAddress(endpoint.port())
                    : new InetSocketAddress(endpoint.host(), endpoint.port()));
                LOG.info("Fjord listening on {}:{}, data in {}",
                    endpoint.allInterfaces() ? "0.0.0.0" : endpoint.host(), socket.getLocalPort(),
                    config.logDirs().get(0).toAbsolutePath().normalize());
            }
        } catch (final IOException e) {
            for (final ServerSocket socket : bound) {
                socket.close();
            }
            throw e;
        }
        return new Broker(List.copyOf(bound));
    }

    /** The first listener's actual port (useful with port 0). */
    public int boundPort() {
        return sockets.get(0).getLocalPort();
    }

    /** Blocks until {@link #close()} has run. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Unbinds. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (final ServerSocket socket : sockets) {
            try {
                socket.close();
            } catch (final IOException e) {
                LOG.warn("Closing {} failed", socket, e);
            }
        }
        LOG.info("Fjord stopped");
        stopped.countDown();
    }
}
