package dev.fjord.testkit;

import dev.fjord.server.Broker;
import dev.fjord.server.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Fjord broker inside the current JVM, for tests: it listens on a free loopback port, keeps its data
 * in a temporary directory that it deletes on {@link #close()}, and starts in well under a second.
 *
 * <pre>{@code
 * try (EmbeddedFjord fjord = EmbeddedFjord.start()) {
 *     Properties props = new Properties();
 *     props.put("bootstrap.servers", fjord.bootstrapServers());
 *     // ... a KafkaProducer / KafkaConsumer / Admin against it
 * }
 * }</pre>
 *
 * <p>Unlike a production broker, it forms consumer groups without {@code group.initial.rebalance.delay.ms}
 * and keeps {@code __consumer_offsets} and {@code __transaction_state} at 5 partitions. Any broker setting can be given with Kafka's key names through {@link #builder()}. The data
 * directory can be kept across a {@link #restart()} to test what survives a broker restart.
 */
public final class EmbeddedFjord implements AutoCloseable {
    private final Map<String, String> settings;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private Broker broker;
    private int port;

    private EmbeddedFjord(final Map<String, String> settings, final Path dataDir, final boolean ownsDataDir) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    /** Starts a broker with default settings on a free port and a fresh temporary directory. */
    public static EmbeddedFjord start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings for an embedded broker. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Path dataDir;

        private Builder() {
        }

        /** Sets a broker config key, with Kafka's name (for example {@code num.partitions}). */
        public Builder config(final String key, final String value) {
            settings.put(key, value);
            return this;
        }

        /** Keeps the data in this directory (not deleted on close) instead of a temporary one. */
        public Builder dataDir(final Path dir) {
            this.dataDir = dir;
            return this;
        }

        public EmbeddedFjord start() {
            try {
                final boolean owns = dataDir == null;
                final Path dir = owns ? Files.createTempDirectory("fjord-") : dataDir;
                final EmbeddedFjord fjord = new EmbeddedFjord(new LinkedHashMap<>(settings), dir, owns);
                try {
                    fjord.startBroker(0);
                } catch (IOException | RuntimeException e) {
                    fjord.close(); // a broker that failed to start leaves no temporary directory behind
                    throw e;
                }
                return fjord;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void startBroker(final int wantedPort) throws IOException {
        final Map<String, String> all = new LinkedHashMap<>();
        all.put("listeners", "PLAINTEXT://127.0.0.1:" + wantedPort);
        all.put("log.dirs", dataDir.toString());
        all.put("num.network.threads", "2");
        all.put("num.io.threads", "4");
        // Test-friendly defaults, as Kafka's own test harnesses use: groups form at once, and a small offsets topic.
        all.put("group.initial.rebalance.delay.ms", "0");
        all.put("offsets.topic.num.partitions", "5");
        all.put("transaction.state.log.num.partitions", "5");
        all.putAll(settings);
        broker = Broker.start(BrokerConfig.fromMap(all));
        port = broker.boundPort();
    }

    /** {@code host:port} for the clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The log directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** Stops the broker cleanly and starts it again on the same port and data. */
    public void restart() {
        broker.close();
        try {
            startBroker(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker and deletes its temporary directory. */
    @Override
    public void close() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private static void deleteRecursively(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
