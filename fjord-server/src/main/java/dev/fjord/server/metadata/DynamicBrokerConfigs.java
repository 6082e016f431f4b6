package dev.fjord.server.metadata;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * The broker configs set while the broker runs (AlterConfigs / IncrementalAlterConfigs on a BROKER
 * resource, e.g. {@code kafka-configs --entity-type brokers}), kept so that they survive restarts: the
 * cluster-wide defaults (resource name "") and this node's own (resource name = its node id), which
 * win over the defaults. Both win over server.properties, as in Kafka.
 *
 * <p>File {@code fjord-broker-configs.properties} in the first log directory, Java properties syntax,
 * {@code default.<key>=<value>} and {@code node.<key>=<value>}; replaced atomically and durably on
 * every change, so a crash leaves the old or the new set.
 *
 * <p>Thread-safety: changes are serialized by this object's monitor; reads see immutable snapshots.
 */
public final class DynamicBrokerConfigs {
    static final String FILE_NAME = "fjord-broker-configs.properties";
    private static final String DEFAULT_PREFIX = "default.";
    private static final String NODE_PREFIX = "node.";

    private final Path file;
    private volatile Map<String, String> clusterDefaults;
    private volatile Map<String, String> node;

    private DynamicBrokerConfigs(final Path file, final Map<String, String> clusterDefaults, final Map<String, String> node) {
        this.file = file;
        this.clusterDefaults = Map.copyOf(clusterDefaults);
        this.node = Map.copyOf(node);
    }

    /** Loads the dynamic configs kept in {@code dir}, or none. */
    public static DynamicBrokerConfigs open(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE_NAME);
        final Map<String, String> defaults = new TreeMap<>();
        final Map<String, String> node = new TreeMap<>();
        if (Files.exists(file)) {
            final Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(reader);
            }
            for (final String key : props.stringPropertyNames()) {
                if (key.startsWith(DEFAULT_PREFIX)) {
                    defaults.put(key.substring(DEFAULT_PREFIX.length()), props.getProperty(key));
                } else if (key.startsWith(NODE_PREFIX)) {
                    node.put(key.substring(NODE_PREFIX.length()), props.getProperty(key));
                }
            }
        }
        return new DynamicBrokerConfigs(file, defaults, node);
    }

    /** Where they are kept. */
    public Path file() {
        return file;
    }

    /** The cluster-wide dynamic defaults. */
    public Map<String, String> clusterDefaults() {
        return clusterDefaults;
    }

    /** This node's own dynamic configs. */
    public Map<String, String> node() {
        return node;
    }

    /**
     * Replaces one of the two sets, durably, before it is visible.
     *
     * @param clusterDefault true for the cluster-wide defaults, false for this node's own
     * @throws KafkaStorageException if the file could not be written (nothing changed then)
     */
    public synchronized void replace(final boolean clusterDefault, final Map<String, String> configs) {
        final Map<String, String> nextDefaults = clusterDefault ? Map.copyOf(configs) : clusterDefaults;
        final Map<String, String> nextNode = clusterDefault ? node : Map.copyOf(configs);
        final Properties props = new Properties();
        nextDefaults.forEach((k, v) -> props.setProperty(DEFAULT_PREFIX + k, v));
        nextNode.forEach((k, v) -> props.setProperty(NODE_PREFIX + k, v));
        final StringWriter out = new StringWriter();
        try {
            props.store(out, "Dynamic broker configs, set with AlterConfigs (kafka-configs --entity-type brokers)");
            TopicRegistry.DurableFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KafkaStorageException("Could not write the dynamic broker configs " + file + ": " + e.getMessage(), e);
        }
        clusterDefaults = nextDefaults;
        node = nextNode;
    }
}
