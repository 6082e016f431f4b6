package dev.fjord.server.config;

import static dev.fjord.common.config.ConfigDef.Importance.HIGH;
import static dev.fjord.common.config.ConfigDef.Importance.LOW;
import static dev.fjord.common.config.ConfigDef.Importance.MEDIUM;
import static dev.fjord.common.config.ConfigDef.atLeast;
import static dev.fjord.common.config.ConfigDef.nonEmpty;
import static dev.fjord.common.config.ConfigDef.oneOf;
import static dev.fjord.common.config.ConfigDef.range;

import dev.fjord.common.config.ConfigDef;
import dev.fjord.common.config.ConfigDef.Type;
import dev.fjord.common.config.ConfigException;
import dev.fjord.common.config.ConfigValues;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's settings, parsed and validated once at startup. Keys and defaults follow Kafka's
 * {@code server.properties} so that an existing Kafka config works; keys Fjord does not know are
 * ignored with one WARN each, and KRaft/ZooKeeper plumbing that has no meaning for a single-node
 * Fjord is accepted silently.
 *
 * <p>Immutable and thread-safe.
 */
public final class BrokerConfig {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerConfig.class);

    // Keys Fjord reads.
    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LISTENER_SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String LOG_SEGMENT_BYTES = "log.segment.bytes";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";
    public static final String LOG_FLUSH_INTERVAL_MESSAGES = "log.flush.interval.messages";
    public static final String LOG_FLUSH_INTERVAL_MS = "log.flush.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_INDEX_INTERVAL_BYTES = "log.index.interval.bytes";
    public static final String LOG_INDEX_SIZE_MAX_BYTES = "log.index.size.max.bytes";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    /** Broker-wide defaults of the topic keys of the same names (and of segment.jitter.ms, file.delete.delay.ms, ...). */
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";
    public static final String LOG_ROLL_JITTER_MS = "log.roll.jitter.ms";
    public static final String LOG_SEGMENT_DELETE_DELAY_MS = "log.segment.delete.delay.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "log.message.timestamp.before.max.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS = "log.message.timestamp.after.max.ms";
    public static final String LOG_PREALLOCATE = "log.preallocate";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String SOCKET_SEND_BUFFER_BYTES = "socket.send.buffer.bytes";
    public static final String SOCKET_RECEIVE_BUFFER_BYTES = "socket.receive.buffer.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String QUEUED_MAX_REQUESTS = "queued.max.requests";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSETS_TOPIC_REPLICATION_FACTOR = "offsets.topic.replication.factor";
    public static final String TRANSACTION_STATE_LOG_NUM_PARTITIONS = "transaction.state.log.num.partitions";
    public static final String TRANSACTION_MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = "transactional.id.expiration.ms";
    public static final String TRANSACTION_REMOVE_EXPIRED_CLEANUP_INTERVAL_MS =
        "transaction.remove.expired.transaction.cleanup.interval.ms";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = "producer.id.expiration.check.interval.ms";
    public static final String TRANSACTION_PARTITION_VERIFICATION_ENABLE = "transaction.partition.verification.enable";
    public static final String TRANSACTION_ABORT_TIMED_OUT_CLEANUP_INTERVAL_MS =
        "transaction.abort.timed.out.transaction.cleanup.interval.ms";
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String GROUP_COORDINATOR_REBALANCE_PROTOCOLS = "group.coordinator.rebalance.protocols";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_SIZE = "group.consumer.max.size";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    /** Broker-wide defaults of the topic keys delete.retention.ms, min.cleanable.dirty.ratio, min/max.compaction.lag.ms. */
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    /** Bound the log cleaner's key map (read by TopicConfigs.compactionSettings). */
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    /** Fjord's own: bounds memory per connection (Kafka clients send at most 5 by default). */
    public static final String MAX_INFLIGHT_REQUESTS_PER_CONNECTION = "fjord.max.inflight.requests.per.connection";

    /** Default for {@code log.dirs}: a local folder, unlike Kafka's /tmp/kafka-logs, as the README promises. */
    public static final String DEFAULT_LOG_DIR = "./data";
    public static final String DEFAULT_LISTENERS = "PLAINTEXT://localhost:9092";

    private static final long HOUR_MS = 3_600_000L;
    private static final long MINUTE_MS = 60_000L;

    /**
     * Kafka keys that configure things a single-node Fjord does not have (KRaft controllers, ZooKeeper,
     * replication, recovery threads). Common in existing server.properties files; accepted silently.
     */
    static final List<String> IGNORED_KEYS = List.of(
        "process.roles",
        "controller.quorum.voters",
        "controller.quorum.bootstrap.servers",
        "controller.quorum.election.timeout.ms",
        "controller.quorum.fetch.timeout.ms",
        "controller.listener.names",
        "inter.broker.listener.name",
        "inter.broker.protocol.version",
        "listener.security.protocol.map",
        "early.start.listeners",
        "metadata.log.dir",
        "metadata.log.segment.bytes",
        "metadata.max.retention.bytes",
        "metadata.max.retention.ms",
        "broker.heartbeat.interval.ms",
        "broker.session.timeout.ms",
        "broker.rack",
        "broker.id.generation.enable",
        "zookeeper.connect",
        "zookeeper.connection.timeout.ms",
        "zookeeper.session.timeout.ms",
        "num.recovery.threads.per.data.dir",
        "num.replica.fetchers",
        "replica.lag.time.max.ms",
        "auto.leader.rebalance.enable",
        "controlled.shutdown.enable",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "share.coordinator.state.topic.replication.factor",
        "share.coordinator.state.topic.min.isr");

    private static final ConfigDef DEF = buildDef();

    private static ConfigDef buildDef() {
        final ConfigDef d = new ConfigDef();
        d.define(NODE_ID, Type.INT, null, atLeast(0), HIGH,
            "Id of this broker. Default 1; broker.id is accepted as an alias.");
        d.define(BROKER_ID, Type.INT, null, atLeast(0), LOW, "Older name for node.id.");
        d.define(CLUSTER_ID, Type.STRING, null, nonEmpty(), MEDIUM,
            "Cluster id. Unset: generated on first start and kept in the first log dir.");
        d.define(LISTENERS, Type.LIST, List.of(DEFAULT_LISTENERS), nonEmpty(), HIGH,
            "Where to accept clients: NAME://host:port,... Empty host = all interfaces, port 0 = any free port.");
        d.define(ADVERTISED_LISTENERS, Type.LIST, null, nonEmpty(), HIGH,
            "Addresses given to clients in metadata. Default: the listeners.");
        d.define(LOG_DIRS, Type.LIST, null, nonEmpty(), HIGH, "Data directories. Default: log.dir.");
        d.define(LOG_DIR, Type.STRING, DEFAULT_LOG_DIR, nonEmpty(), HIGH, "Data directory if log.dirs is unset.");
        d.define(NUM_PARTITIONS, Type.INT, 1, atLeast(1), MEDIUM, "Partitions of auto-created topics.");
        d.define(DEFAULT_REPLICATION_FACTOR, Type.INT, 1, atLeast(1), MEDIUM, "Replication factor of auto-created topics.");
        d.define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, MEDIUM, "Create topics on first produce/metadata request.");
        d.define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, MEDIUM, "Allow deleting topics.");
        d.define(LOG_SEGMENT_BYTES, Type.INT, 1_073_741_824, atLeast(14), HIGH, "Maximum size of one log segment file, in bytes.");
        d.define(LOG_ROLL_MS, Type.LONG, null, atLeast(1), MEDIUM, "Roll a new segment after this long. Default: log.roll.hours.");
        d.define(LOG_ROLL_HOURS, Type.INT, 168, atLeast(1), MEDIUM, "Roll a new segment after this many hours.");
        d.define(LOG_FLUSH_INTERVAL_MESSAGES, Type.LONG, Long.MAX_VALUE, atLeast(1), HIGH,
            "fsync a partition after this many messages. Default: leave it to the OS.");
        d.define(LOG_FLUSH_INTERVAL_MS, Type.LONG, null, atLeast(0), HIGH,
            "fsync a partition after this many ms. Default: log.flush.scheduler.interval.ms.");
        d.define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, Long.MAX_VALUE, atLeast(0), LOW,
            "How often to check for partitions to fsync by time.");
        d.define(LOG_INDEX_INTERVAL_BYTES, Type.INT, 4096, atLeast(0), MEDIUM, "Bytes of log between offset-index entries.");
        d.define(LOG_INDEX_SIZE_MAX_BYTES, Type.INT, 10_485_760, atLeast(4), MEDIUM, "Maximum size of one offset index, in bytes.");
        d.define(LOG_MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", oneOf("CreateTime", "LogAppendTime"), MEDIUM,
            "Timestamp kept in records: the producer's (CreateTime) or the broker's (LogAppendTime).");
        d.define(MESSAGE_MAX_BYTES, Type.INT, 1_048_588, atLeast(0), HIGH, "Largest record batch accepted, in bytes.");
        d.define(COMPRESSION_TYPE, Type.STRING, "producer", oneOf("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"),
            MEDIUM, "Codec batches are stored with; producer keeps what the producer sent, others recompress.");
        d.define(COMPRESSION_GZIP_LEVEL, Type.INT, -1, range(-1, 9), LOW, "gzip level when the broker compresses (-1: codec default).");
        d.define(COMPRESSION_LZ4_LEVEL, Type.INT, 9, range(1, 17), LOW, "lz4 level when the broker compresses.");
        d.define(COMPRESSION_ZSTD_LEVEL, Type.INT, 3, range(-131072, 22), LOW, "zstd level when the broker compresses.");
        d.define(LOG_ROLL_JITTER_MS, Type.LONG, 0L, atLeast(0), LOW, "Random jitter subtracted from the roll time.");
        d.define(LOG_SEGMENT_DELETE_DELAY_MS, Type.LONG, 60_000L, atLeast(0), LOW,
            "Delay between removing a segment from the log and deleting its files.");
        d.define(LOG_MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Type.LONG, Long.MAX_VALUE, atLeast(0), LOW,
            "How far in the past a CreateTime timestamp may be.");
        d.define(LOG_MESSAGE_TIMESTAMP_AFTER_MAX_MS, Type.LONG, 3_600_000L, atLeast(0), LOW,
            "How far in the future a CreateTime timestamp may be.");
        d.define(LOG_PREALLOCATE, Type.BOOLEAN, false, LOW, "Preallocate segment files.");
        d.define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 104_857_600, atLeast(1), HIGH, "Largest request accepted, in bytes.");
        d.define(SOCKET_SEND_BUFFER_BYTES, Type.INT, 102_400, atLeast(-1), LOW, "SO_SNDBUF; -1 = OS default.");
        // Kafka's default is 102400; a fixed SO_RCVBUF turns off the kernel's receive-buffer autotuning and caps the
        // window a producer can fill before the broker reads. -1 measured 3-8 % more produce MB/s (bench/profile.sh).
        d.define(SOCKET_RECEIVE_BUFFER_BYTES, Type.INT, -1, atLeast(-1), LOW, "SO_RCVBUF; -1 = OS default (autotuning).");
        d.define(NUM_NETWORK_THREADS, Type.INT, 3, atLeast(1), HIGH, "Threads doing network I/O.");
        d.define(NUM_IO_THREADS, Type.INT, 8, atLeast(1), HIGH, "Threads handling requests.");
        d.define(QUEUED_MAX_REQUESTS, Type.INT, 500, atLeast(1), MEDIUM, "Requests queued before reading from sockets pauses.");
        d.define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, atLeast(0), MEDIUM, "Maximum open client connections.");
        d.define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, MEDIUM, "Close connections idle this long.");
        d.define(OFFSETS_TOPIC_NUM_PARTITIONS, Type.INT, 50, atLeast(1), HIGH, "Partitions of __consumer_offsets.");
        d.define(OFFSETS_TOPIC_REPLICATION_FACTOR, Type.INT, 1, atLeast(1), HIGH,
            "Replication factor of __consumer_offsets (Kafka's default is 3; one node here).");
        d.define(TRANSACTION_STATE_LOG_NUM_PARTITIONS, Type.INT, 50, atLeast(1), HIGH, "Partitions of __transaction_state.");
        d.define(TRANSACTION_PARTITION_VERIFICATION_ENABLE, Type.BOOLEAN, true, LOW,
            "Refuse a transactional batch unless its producer's open transaction includes the partition (KIP-890).");
        d.define(TRANSACTIONAL_ID_EXPIRATION_MS, Type.INT, 604_800_000, atLeast(1), LOW,
            "Forget a transactional id with no transaction in progress and no update for this long.");
        d.define(TRANSACTION_REMOVE_EXPIRED_CLEANUP_INTERVAL_MS, Type.INT, 3_600_000, atLeast(1), LOW,
            "How often expired transactional ids are looked for.");
        d.define(PRODUCER_ID_EXPIRATION_MS, Type.INT, 86_400_000, atLeast(1), LOW,
            "A partition forgets an idempotent producer that has not written to it for this long (and has no open transaction).");
        d.define(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS, Type.INT, 600_000, atLeast(1), LOW,
            "How often partitions look for producers to forget.");
        d.define(TRANSACTION_MAX_TIMEOUT_MS, Type.INT, 900_000, atLeast(1), HIGH,
            "Largest transaction.timeout.ms a producer may ask for; larger gets INVALID_TRANSACTION_TIMEOUT.");
        d.define(TRANSACTION_ABORT_TIMED_OUT_CLEANUP_INTERVAL_MS, Type.INT, 10_000, atLeast(1), LOW,
            "How often transactions open longer than their timeout are looked for and aborted.");
        d.define(GROUP_INITIAL_REBALANCE_DELAY_MS, Type.INT, 3000, atLeast(0), MEDIUM, "Wait for more members before the first rebalance.");
        d.define(GROUP_MIN_SESSION_TIMEOUT_MS, Type.INT, 6000, atLeast(0), MEDIUM, "Smallest session timeout a consumer may ask for.");
        d.define(GROUP_MAX_SESSION_TIMEOUT_MS, Type.INT, 1_800_000, atLeast(0), MEDIUM, "Largest session timeout a consumer may ask for.");
        d.define(GROUP_MAX_SIZE, Type.INT, Integer.MAX_VALUE, atLeast(1), MEDIUM, "Most members a consumer group may have.");
        d.define(GROUP_COORDINATOR_REBALANCE_PROTOCOLS, Type.LIST, List.of("classic", "consumer"),
            oneOf("classic", "consumer", "share", "streams"), MEDIUM,
            "Group protocols served: classic (JoinGroup/SyncGroup) always; consumer (KIP-848) unless left out. "
                + "share and streams are accepted and not served.");
        d.define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, Type.INT, 45_000, atLeast(1), MEDIUM,
            "KIP-848 groups: a member without a heartbeat this long is removed.");
        d.define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, Type.INT, 5_000, atLeast(1), MEDIUM,
            "KIP-848 groups: how often members are told to heartbeat.");
        d.define(GROUP_CONSUMER_MAX_SIZE, Type.INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
            "KIP-848 groups: most members a group may have.");
        d.define(GROUP_CONSUMER_ASSIGNORS, Type.LIST, List.of("uniform", "range"),
            oneOf("uniform", "range", "org.apache.kafka.coordinator.group.assignor.UniformAssignor",
                "org.apache.kafka.coordinator.group.assignor.RangeAssignor"), MEDIUM,
            "KIP-848 groups: server-side assignors members may ask for; the first is the default.");
        d.define(OFFSET_METADATA_MAX_BYTES, Type.INT, 4096, atLeast(0), LOW, "Longest metadata string kept with a committed offset.");
        d.define(OFFSETS_RETENTION_MINUTES, Type.INT, 10080, atLeast(1), MEDIUM,
            "Keep the offsets of a group without members this long after it emptied (standalone consumers: after each commit).");
        d.define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 600_000L, atLeast(1), LOW, "How often expired offsets are removed.");
        d.define(LOG_RETENTION_MS, Type.LONG, null, HIGH, "Delete segments older than this; -1 = keep forever. Wins over minutes/hours.");
        d.define(LOG_RETENTION_MINUTES, Type.INT, null, HIGH, "Retention in minutes if log.retention.ms is unset.");
        d.define(LOG_RETENTION_HOURS, Type.INT, 168, HIGH, "Retention in hours if ms and minutes are unset.");
        d.define(LOG_RETENTION_BYTES, Type.LONG, -1L, HIGH, "Delete old segments beyond this size per partition; -1 = no limit.");
        d.define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, atLeast(1), MEDIUM,
            "How often partitions are checked for segments that retention deletes.");
        d.define(LOG_CLEANUP_POLICY, Type.LIST, List.of("delete"), oneOf("delete", "compact"), MEDIUM, "delete, compact, or both.");
        d.define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, MEDIUM,
            "Run the log cleaner, which compacts topics whose cleanup.policy includes compact.");
        d.define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15_000L, atLeast(1), MEDIUM,
            "Pause of the log cleaner between two passes over the compacted partitions.");
        d.define(LOG_CLEANER_DELETE_RETENTION_MS, Type.LONG, 86_400_000L, atLeast(0), MEDIUM,
            "Default delete.retention.ms: how long tombstones stay after their first compaction.");
        d.define(LOG_CLEANER_MIN_CLEANABLE_RATIO, Type.STRING, "0.5", MEDIUM,
            "Default min.cleanable.dirty.ratio: share of not yet compacted bytes that triggers compaction.");
        d.define(LOG_CLEANER_MIN_COMPACTION_LAG_MS, Type.LONG, 0L, atLeast(0), MEDIUM,
            "Default min.compaction.lag.ms: records younger than this are not compacted.");
        d.define(LOG_CLEANER_MAX_COMPACTION_LAG_MS, Type.LONG, Long.MAX_VALUE, atLeast(1), MEDIUM,
            "Default max.compaction.lag.ms: a record older than this forces compaction of its log.");
        // Kafka requires more than 1 MiB per cleaner thread; Fjord runs one.
        d.define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.LONG, 134_217_728L, atLeast(1_048_577L), MEDIUM,
            "Memory of the log cleaner's key map, 24 bytes a key (at most 2 GiB used); a log with more keys to "
                + "compact than fit is compacted over several passes.");
        d.define(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, Type.STRING, "0.9", loadFactor(), MEDIUM,
            "Share of the log cleaner's key map that may fill (more keys per pass, more hash collisions to probe).");
        d.define(MIN_INSYNC_REPLICAS, Type.INT, 1, atLeast(1), MEDIUM, "Replicas that must have a write for acks=all.");
        d.define(UNCLEAN_LEADER_ELECTION_ENABLE, Type.BOOLEAN, false, LOW, "Allow out-of-sync replicas to become leader.");
        d.define(MAX_INFLIGHT_REQUESTS_PER_CONNECTION, Type.INT, 100, atLeast(1), MEDIUM,
            "Fjord only: requests read from one connection before its responses are sent; bounds memory per connection.");
        for (final String key : IGNORED_KEYS) {
            d.defineIgnored(key, "Accepted for compatibility with Kafka; no effect in Fjord.");
        }
        return d;
    }

    /** A number in (0, 1], given as a string (the config table has no floating-point type). */
    private static ConfigDef.Validator loadFactor() {
        return new ConfigDef.Validator() {
            @Override
            public boolean accepts(final Object value) {
                try {
                    final double d = Double.parseDouble(String.valueOf(value).trim());
                    return d > 0 && d <= 1;
                } catch (NumberFormatException e) {
                    return false;
                }
            }

            @Override
            public String expected(final Type type) {
                return "a number > 0 and <= 1";
            }

            @Override
            public String example() {
                return "0.9";
            }
        };
    }

    /** One listener: a name (the security protocol, or a name mapped to PLAINTEXT), a host and a port. */
    public record Endpoint(String name, String host, int port) {
        public Endpoint {
            name = name.toUpperCase(Locale.ROOT);
            host = host == null ? "" : host;
        }

        /** Empty host: bind to all interfaces. */
        public boolean allInterfaces() {
            return host.isEmpty();
        }

        /** Written back the way it appears in a config file, e.g. {@code PLAINTEXT://localhost:9092}. */
        @Override
        public String toString() {
            final String h = host.contains(":") ? "[" + host + "]" : host;
            return name + "://" + h + ":" + port;
        }
    }

    /** Timestamp kept in appended records. */
    public enum TimestampType {
        CREATE_TIME("CreateTime"),
        LOG_APPEND_TIME("LogAppendTime");

        private final String configValue;

        TimestampType(final String configValue) {
            this.configValue = configValue;
        }

        public String configValue() {
            return configValue;
        }
    }

    private final Map<String, String> originals;
    private final Set<String> unknownKeys;
    private final int nodeId;
    private final String clusterId;
    private final List<Endpoint> listeners;
    private final List<Endpoint> advertisedListeners;
    private final List<Path> logDirs;
    private final int numPartitions;
    private final int defaultReplicationFactor;
    private final boolean autoCreateTopicsEnable;
    private final boolean deleteTopicEnable;
    private final int logSegmentBytes;
    private final long logRollMs;
    private final long logFlushIntervalMessages;
    private final long logFlushIntervalMs;
    private final int logIndexIntervalBytes;
    private final int logIndexSizeMaxBytes;
    private final TimestampType logMessageTimestampType;
    private final int messageMaxBytes;
    private final int socketRequestMaxBytes;
    private final int socketSendBufferBytes;
    private final int socketReceiveBufferBytes;
    private final int numNetworkThreads;
    private final int numIoThreads;
    private final int queuedMaxRequests;
    private final int maxConnections;
    private final long connectionsMaxIdleMs;
    private final int offsetsTopicNumPartitions;
    private final int offsetsTopicReplicationFactor;
    private final int transactionStateLogNumPartitions;
    private final boolean transactionPartitionVerificationEnable;
    private final int transactionMaxTimeoutMs;
    private final int transactionalIdExpirationMs;
    private final int transactionRemoveExpiredCleanupIntervalMs;
    private final int producerIdExpirationMs;
    private final int producerIdExpirationCheckIntervalMs;
    private final int transactionAbortTimedOutCleanupIntervalMs;
    private final int groupInitialRebalanceDelayMs;
    private final int groupMinSessionTimeoutMs;
    private final int groupMaxSessionTimeoutMs;
    private final int groupMaxSize;
    private final boolean consumerGroupProtocolEnabled;
    private final int groupConsumerSessionTimeoutMs;
    private final int groupConsumerHeartbeatIntervalMs;
    private final int groupConsumerMaxSize;
    private final List<String> groupConsumerAssignors;
    private final int offsetMetadataMaxBytes;
    private final long offsetsRetentionMs;
    private final long offsetsRetentionCheckIntervalMs;
    private final long logRetentionMs;
    private final long logRetentionBytes;
    private final long logRetentionCheckIntervalMs;
    private final List<String> logCleanupPolicy;
    private final boolean logCleanerEnable;
    private final long logCleanerBackoffMs;
    private final int minInsyncReplicas;
    private final boolean uncleanLeaderElectionEnable;
    private final int maxInflightRequestsPerConnection;

    private BrokerConfig(final Map<String, String> settings) {
        this.originals = Collections.unmodifiableMap(new TreeMap<>(settings));
        final ConfigValues v = DEF.parse(settings);
        this.unknownKeys = v.unknownKeys();

        this.nodeId = resolveNodeId(v);
        this.clusterId = v.getString(CLUSTER_ID);

        final Map<String, String> protocolMap = parseProtocolMap((String) v.get(LISTENER_SECURITY_PROTOCOL_MAP));
        final Set<String> controllerNames = new HashSet<>();
        final String controllerRaw = (String) v.get(CONTROLLER_LISTENER_NAMES);
        if (controllerRaw != null) {
            for (final String n : ConfigDef.splitList(controllerRaw)) {
                controllerNames.add(n.toUpperCase(Locale.ROOT));
            }
        }
        this.listeners = parseListeners(LISTENERS, v.getList(LISTENERS), protocolMap, controllerNames);
        if (this.listeners.isEmpty()) {
            throw new ConfigException(LISTENERS, String.join(",", v.getList(LISTENERS)),
                "Invalid value '" + String.join(",", v.getList(LISTENERS)) + "' for 'listeners': no client listener left"
                    + " once controller listeners are removed. Add one, e.g. " + DEFAULT_LISTENERS + ". "
                    + ConfigException.remedy(LISTENERS, DEFAULT_LISTENERS));
        }
        this.advertisedListeners = resolveAdvertised(v, protocolMap, controllerNames, listeners);

        this.logDirs = resolveLogDirs(v);
        this.numPartitions = v.getInt(NUM_PARTITIONS);
        this.defaultReplicationFactor = v.getInt(DEFAULT_REPLICATION_FACTOR);
        this.autoCreateTopicsEnable = v.getBoolean(AUTO_CREATE_TOPICS_ENABLE);
        this.deleteTopicEnable = v.getBoolean(DELETE_TOPIC_ENABLE);
        this.logSegmentBytes = v.getInt(LOG_SEGMENT_BYTES);
        this.logRollMs = v.getLong(LOG_ROLL_MS) != null ? v.getLong(LOG_ROLL_MS) : v.getInt(LOG_ROLL_HOURS) * HOUR_MS;
        this.logFlushIntervalMessages = v.getLong(LOG_FLUSH_INTERVAL_MESSAGES);
        this.logFlushIntervalMs = v.getLong(LOG_FLUSH_INTERVAL_MS) != null
            ? v.getLong(LOG_FLUSH_INTERVAL_MS) : v.getLong(LOG_FLUSH_SCHEDULER_INTERVAL_MS);
        this.logIndexIntervalBytes = v.getInt(LOG_INDEX_INTERVAL_BYTES);
        this.logIndexSizeMaxBytes = v.getInt(LOG_INDEX_SIZE_MAX_BYTES);
        this.logMessageTimestampType = "LogAppendTime".equalsIgnoreCase(v.getString(LOG_MESSAGE_TIMESTAMP_TYPE))
            ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        this.messageMaxBytes = v.getInt(MESSAGE_MAX_BYTES);
        this.socketRequestMaxBytes = v.getInt(SOCKET_REQUEST_MAX_BYTES);
        this.socketSendBufferBytes = v.getInt(SOCKET_SEND_BUFFER_BYTES);
        this.socketReceiveBufferBytes = v.getInt(SOCKET_RECEIVE_BUFFER_BYTES);
        this.numNetworkThreads = v.getInt(NUM_NETWORK_THREADS);
        this.numIoThreads = v.getInt(NUM_IO_THREADS);
        this.queuedMaxRequests = v.getInt(QUEUED_MAX_REQUESTS);
        this.maxConnections = v.getInt(MAX_CONNECTIONS);
        this.connectionsMaxIdleMs = v.getLong(CONNECTIONS_MAX_IDLE_MS);
        this.offsetsTopicNumPartitions = v.getInt(OFFSETS_TOPIC_NUM_PARTITIONS);
        this.offsetsTopicReplicationFactor = v.getInt(OFFSETS_TOPIC_REPLICATION_FACTOR);
        this.transactionStateLogNumPartitions = v.getInt(TRANSACTION_STATE_LOG_NUM_PARTITIONS);
        this.transactionMaxTimeoutMs = v.getInt(TRANSACTION_MAX_TIMEOUT_MS);
        this.transactionalIdExpirationMs = v.getInt(TRANSACTIONAL_ID_EXPIRATION_MS);
        this.transactionRemoveExpiredCleanupIntervalMs = v.getInt(TRANSACTION_REMOVE_EXPIRED_CLEANUP_INTERVAL_MS);
        this.producerIdExpirationMs = v.getInt(PRODUCER_ID_EXPIRATION_MS);
        this.producerIdExpirationCheckIntervalMs = v.getInt(PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS);
        this.transactionPartitionVerificationEnable = v.getBoolean(TRANSACTION_PARTITION_VERIFICATION_ENABLE);
        this.transactionAbortTimedOutCleanupIntervalMs = v.getInt(TRANSACTION_ABORT_TIMED_OUT_CLEANUP_INTERVAL_MS);
        this.groupInitialRebalanceDelayMs = v.getInt(GROUP_INITIAL_REBALANCE_DELAY_MS);
        this.groupMinSessionTimeoutMs = v.getInt(GROUP_MIN_SESSION_TIMEOUT_MS);
        this.groupMaxSessionTimeoutMs = v.getInt(GROUP_MAX_SESSION_TIMEOUT_MS);
        this.groupMaxSize = v.getInt(GROUP_MAX_SIZE);
        final List<String> protocols = v.getList(GROUP_COORDINATOR_REBALANCE_PROTOCOLS).stream()
            .map(p -> ConfigDef.canonical(p, "classic", "consumer", "share", "streams")).toList();
        if (!protocols.contains("classic")) {
            throw new ConfigException(GROUP_COORDINATOR_REBALANCE_PROTOCOLS, String.join(",", protocols),
                "Invalid value '" + String.join(",", protocols) + "' for '" + GROUP_COORDINATOR_REBALANCE_PROTOCOLS
                    + "': classic must be listed. " + ConfigException.remedy(GROUP_COORDINATOR_REBALANCE_PROTOCOLS,
                        "classic,consumer"));
        }
        this.consumerGroupProtocolEnabled = protocols.contains("consumer");
        this.groupConsumerSessionTimeoutMs = v.getInt(GROUP_CONSUMER_SESSION_TIMEOUT_MS);
        this.groupConsumerHeartbeatIntervalMs = v.getInt(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS);
        if (groupConsumerHeartbeatIntervalMs >= groupConsumerSessionTimeoutMs) {
            throw new ConfigException(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, String.valueOf(groupConsumerHeartbeatIntervalMs),
                "Invalid value '" + groupConsumerHeartbeatIntervalMs + "' for '" + GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS
                    + "': expected less than group.consumer.session.timeout.ms (" + groupConsumerSessionTimeoutMs + "). "
                    + ConfigException.remedy(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, "5000"));
        }
        this.groupConsumerMaxSize = v.getInt(GROUP_CONSUMER_MAX_SIZE);
        this.groupConsumerAssignors = List.copyOf(v.getList(GROUP_CONSUMER_ASSIGNORS));
        this.offsetMetadataMaxBytes = v.getInt(OFFSET_METADATA_MAX_BYTES);
        this.offsetsRetentionMs = v.getInt(OFFSETS_RETENTION_MINUTES) * 60_000L;
        this.offsetsRetentionCheckIntervalMs = v.getLong(OFFSETS_RETENTION_CHECK_INTERVAL_MS);
        if (groupMinSessionTimeoutMs > groupMaxSessionTimeoutMs) {
            throw new ConfigException(GROUP_MIN_SESSION_TIMEOUT_MS, String.valueOf(groupMinSessionTimeoutMs),
                "Invalid value '" + groupMinSessionTimeoutMs + "' for '" + GROUP_MIN_SESSION_TIMEOUT_MS
                    + "': expected at most group.max.session.timeout.ms (" + groupMaxSessionTimeoutMs + "). "
                    + ConfigException.remedy(GROUP_MIN_SESSION_TIMEOUT_MS, "6000"));
        }
        this.logRetentionMs = resolveRetentionMs(v);
        this.logRetentionBytes = v.getLong(LOG_RETENTION_BYTES);
        this.logRetentionCheckIntervalMs = v.getLong(LOG_RETENTION_CHECK_INTERVAL_MS);
        this.logCleanupPolicy = v.getList(LOG_CLEANUP_POLICY).stream()
            .map(p -> ConfigDef.canonical(p, "delete", "compact")).distinct().toList();
        this.logCleanerEnable = v.getBoolean(LOG_CLEANER_ENABLE);
        this.logCleanerBackoffMs = v.getLong(LOG_CLEANER_BACKOFF_MS);
        this.minInsyncReplicas = v.getInt(MIN_INSYNC_REPLICAS);
        this.uncleanLeaderElectionEnable = v.getBoolean(UNCLEAN_LEADER_ELECTION_ENABLE);
        this.maxInflightRequestsPerConnection = v.getInt(MAX_INFLIGHT_REQUESTS_PER_CONNECTION);
    }

    // ---------------------------------------------------------------- loading

    /**
     * Reads a Java-properties file (may be null: defaults only), applies the overrides on top (overrides
     * win), validates everything, and logs one WARN per key Fjord does not know.
     *
     * @throws ConfigException if the file cannot be read or a value is invalid
     */
    public static BrokerConfig load(final Path fileOrNull, final Map<String, String> overrides) {
        final Map<String, String> settings = new LinkedHashMap<>();
        if (fileOrNull != null) {
            settings.putAll(readProperties(fileOrNull));
        }
        if (overrides != null) {
            settings.putAll(overrides);
        }
        return fromMap(settings);
    }

    /** Builds a config from settings alone (tests, embedding). Unknown keys are logged at WARN like {@link #load}. */
    public static BrokerConfig fromMap(final Map<String, String> settings) {
        return fromMap(settings, LOG::warn);
    }

    /** As {@link #fromMap(Map)}, sending each warning to {@code warnings} instead of the log. */
    static BrokerConfig fromMap(final Map<String, String> settings, final Consumer<String> warnings) {
        final Map<String, String> copy = new LinkedHashMap<>();
        settings.forEach((k, val) -> {
            if (k != null && val != null) {
                copy.put(k.trim(), val);
            }
        });
        final BrokerConfig config = new BrokerConfig(copy);
        for (final String key : config.unknownKeys) {
            warnings.accept(unknownKeyWarning(key));
        }
        return config;
    }

    static String unknownKeyWarning(final String key) {
        return "Ignoring unknown config key '" + key + "' (not supported by Fjord yet)";
    }

    /** Reads a properties file as UTF-8. */
    static Map<String, String> readProperties(final Path file) {
        final Path abs = file.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new ConfigException("Config file " + abs + " does not exist. Pass an existing file with --config,"
                + " or leave --config out to start with the defaults.");
        }
        if (!Files.isRegularFile(abs)) {
            throw new ConfigException("Config file " + abs + " is not a regular file. Pass a properties file with --config.");
        }
        final Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(abs, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (final IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read config file " + abs + ": " + e.getMessage()
                + ". Check that it is readable Java-properties text (key=value per line).");
        }
        final Map<String, String> map = new LinkedHashMap<>();
        for (final String name : props.stringPropertyNames()) {
            map.put(name, props.getProperty(name));
        }
        return map;
    }

    /** The key table, for documentation and tests. */
    public static ConfigDef definition() {
        return DEF;
    }

    // ---------------------------------------------------------------- resolution helpers

    private static int resolveNodeId(final ConfigValues v) {
        final Integer nodeId = v.getInt(NODE_ID);
        final Integer brokerId = v.getInt(BROKER_ID);
        if (nodeId != null && brokerId != null && !nodeId.equals(brokerId)) {
            throw new ConfigException(BROKER_ID, String.valueOf(brokerId),
                "Conflicting values: node.id=" + nodeId + " but broker.id=" + brokerId
                    + ". They name the same thing; remove broker.id or make them equal. "
                    + ConfigException.remedy(NODE_ID, String.valueOf(nodeId)));
        }
        if (nodeId != null) {
            return nodeId;
        }
        return brokerId != null ? brokerId : 1;
    }

    private static final Set<String> SECURITY_PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    /** Lenient: malformed entries are skipped (the key is otherwise ignored by Fjord). */
    private static Map<String, String> parseProtocolMap(final String raw) {
        final Map<String, String> map = new HashMap<>();
        if (raw == null) {
            return map;
        }
        for (final String entry : ConfigDef.splitList(raw)) {
            final int colon = entry.indexOf(':');
            if (colon > 0 && colon < entry.length() - 1) {
                map.put(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT),
                    entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT));
            }
        }
        return map;
    }

    private static final Pattern ENDPOINT = Pattern.compile("([A-Za-z0-9_.-]+)://(\\[[^\\]]*\\]|[^:/\\[\\]]*):([0-9]{1,5})");

    /** Parses one {@code NAME://host:port}; host may be empty or a bracketed IPv6 address. */
    static Endpoint parseEndpoint(final String key, final String text) {
        final Matcher m = ENDPOINT.matcher(text.trim());
        if (!m.matches()) {
            throw ConfigException.invalid(key, text,
                "NAME://host:port, e.g. PLAINTEXT://localhost:9092 (empty host = all interfaces, port 0 = any free port)",
                DEFAULT_LISTENERS);
        }
        String host = m.group(2);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        final int port = Integer.parseInt(m.group(3));
        if (port > 65535) {
            throw ConfigException.invalid(key, text, "a port between 0 and 65535 in NAME://host:port", DEFAULT_LISTENERS);
        }
        return new Endpoint(m.group(1), host, port);
    }

    private static List<Endpoint> parseListeners(final String key, final List<String> entries,
                                                 final Map<String, String> protocolMap, final Set<String> controllerNames) {
        final List<Endpoint> result = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (final String entry : entries) {
            final Endpoint e = parseEndpoint(key, entry);
            if (!names.add(e.name())) {
                throw ConfigException.invalid(key, String.join(",", entries),
                    "each listener name at most once, but " + e.name() + " appears twice", DEFAULT_LISTENERS);
            }
            if (controllerNames.contains(e.name())) {
                continue; // a KRaft controller listener: Fjord has no controller quorum
            }
            final String protocol = protocolMap.getOrDefault(e.name(),
                SECURITY_PROTOCOLS.contains(e.name()) ? e.name() : null);
            if (protocol == null) {
                throw new ConfigException(key, entry, "Invalid value '" + entry + "' for '" + key + "': listener name '"
                    + e.name() + "' has no security protocol. Name it PLAINTEXT, or map it with "
                    + "listener.security.protocol.map=" + e.name() + ":PLAINTEXT. "
                    + ConfigException.remedy(key, DEFAULT_LISTENERS));
            }
            if (!protocol.equals("PLAINTEXT")) {
                throw new ConfigException(key, entry, "Invalid value '" + entry + "' for '" + key + "': security protocol "
                    + protocol + " is not supported; Fjord supports only PLAINTEXT listeners so far. Remove this listener"
                    + " or use PLAINTEXT://host:port. " + ConfigException.remedy(key, DEFAULT_LISTENERS));
            }
            result.add(e);
        }
        return List.copyOf(result);
    }

    /** Advertised entries by name; any listener without one is advertised as itself. Same order as listeners. */
    private static List<Endpoint> resolveAdvertised(final ConfigValues v, final Map<String, String> protocolMap,
                                                    final Set<String> controllerNames, final List<Endpoint> listeners) {
        final List<String> raw = v.getList(ADVERTISED_LISTENERS);
        if (raw == null) {
            return listeners;
        }
        final Map<String, Endpoint> byName = new LinkedHashMap<>();
        for (final Endpoint e : parseListeners(ADVERTISED_LISTENERS, raw, protocolMap, controllerNames)) {
            byName.put(e.name(), e);
        }
        final Set<String> listenerNames = new HashSet<>();
        for (final Endpoint l : listeners) {
            listenerNames.add(l.name());
        }
        for (final Endpoint e : byName.values()) {
            if (!listenerNames.contains(e.name())) {
                throw new ConfigException(ADVERTISED_LISTENERS, String.join(",", raw), "Invalid value '"
                    + String.join(",", raw) + "' for 'advertised.listeners': listener name " + e.name()
                    + " is not in listeners (" + listenerNames + "). Advertise only listeners the broker has. "
                    + ConfigException.remedy(ADVERTISED_LISTENERS, listeners.get(0).toString()));
            }
        }
        final List<Endpoint> result = new ArrayList<>();
        for (final Endpoint l : listeners) {
            result.add(byName.getOrDefault(l.name(), l));
        }
        return List.copyOf(result);
    }

    private static List<Path> resolveLogDirs(final ConfigValues v) {
        final List<String> dirs = v.getList(LOG_DIRS);
        final String key = dirs != null ? LOG_DIRS : LOG_DIR;
        final List<String> names = dirs != null ? dirs : List.of(v.getString(LOG_DIR));
        final List<Path> paths = new ArrayList<>();
        for (final String name : names) {
            try {
                paths.add(Path.of(name));
            } catch (final InvalidPathException e) {
                throw ConfigException.invalid(key, name, "a directory path (" + e.getReason() + ")", DEFAULT_LOG_DIR);
            }
        }
        return List.copyOf(paths);
    }

    private static long resolveRetentionMs(final ConfigValues v) {
        final long ms;
        if (v.getLong(LOG_RETENTION_MS) != null) {
            ms = v.getLong(LOG_RETENTION_MS);
        } else if (v.getInt(LOG_RETENTION_MINUTES) != null) {
            ms = v.getInt(LOG_RETENTION_MINUTES) * MINUTE_MS;
        } else {
            ms = v.getInt(LOG_RETENTION_HOURS) * HOUR_MS;
        }
        return ms < 0 ? -1L : ms;
    }

    // ---------------------------------------------------------------- getters

    /** All settings as given (file merged with overrides), sorted by key. Unknown keys included. */
    public Map<String, String> originals() {
        return originals;
    }

    /** Keys that were set but that Fjord does not know (each was warned about). */
    public Set<String> unknownKeys() {
        return unknownKeys;
    }

    /** {@code node.id} (alias {@code broker.id}); default 1. */
    public int nodeId() {
        return nodeId;
    }

    /** {@code cluster.id}, or null: the broker then generates one and persists it in the first log dir. */
    public String clusterId() {
        return clusterId;
    }

    /**
     * {@code listeners}: the PLAINTEXT endpoints to bind, in the order given. Controller listeners (named in
     * {@code controller.listener.names}) are dropped. Empty host = all interfaces; port 0 = any free port.
     */
    public List<Endpoint> listeners() {
        return listeners;
    }

    /**
     * {@code advertised.listeners}, one per entry of {@link #listeners()} in the same order (a listener without
     * an advertised entry is advertised as itself). An empty host or port 0 here is not a usable address:
     * the broker substitutes the bound host/port.
     */
    public List<Endpoint> advertisedListeners() {
        return advertisedListeners;
    }

    /** {@code log.dirs}, else {@code log.dir}; default {@code ./data}. Paths as written (may be relative). */
    public List<Path> logDirs() {
        return logDirs;
    }

    public int numPartitions() {
        return numPartitions;
    }

    public int defaultReplicationFactor() {
        return defaultReplicationFactor;
    }

    public boolean autoCreateTopicsEnable() {
        return autoCreateTopicsEnable;
    }

    public boolean deleteTopicEnable() {
        return deleteTopicEnable;
    }

    public int logSegmentBytes() {
        return logSegmentBytes;
    }

    /** {@code log.roll.ms}, else {@code log.roll.hours} in ms (default 168 h). */
    public long logRollMs() {
        return logRollMs;
    }

    /** Messages between fsyncs; Long.MAX_VALUE (default) = leave it to the OS. */
    public long logFlushIntervalMessages() {
        return logFlushIntervalMessages;
    }

    /** {@code log.flush.interval.ms}, else {@code log.flush.scheduler.interval.ms}; Long.MAX_VALUE = never by time. */
    public long logFlushIntervalMs() {
        return logFlushIntervalMs;
    }

    public int logIndexIntervalBytes() {
        return logIndexIntervalBytes;
    }

    public int logIndexSizeMaxBytes() {
        return logIndexSizeMaxBytes;
    }

    public TimestampType logMessageTimestampType() {
        return logMessageTimestampType;
    }

    public int messageMaxBytes() {
        return messageMaxBytes;
    }

    public int socketRequestMaxBytes() {
        return socketRequestMaxBytes;
    }

    /** SO_SNDBUF; -1 = OS default. */
    public int socketSendBufferBytes() {
        return socketSendBufferBytes;
    }

    /** SO_RCVBUF; -1 = OS default. */
    public int socketReceiveBufferBytes() {
        return socketReceiveBufferBytes;
    }

    public int numNetworkThreads() {
        return numNetworkThreads;
    }

    public int numIoThreads() {
        return numIoThreads;
    }

    public int queuedMaxRequests() {
        return queuedMaxRequests;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public long connectionsMaxIdleMs() {
        return connectionsMaxIdleMs;
    }

    public int offsetsTopicNumPartitions() {
        return offsetsTopicNumPartitions;
    }

    public int offsetsTopicReplicationFactor() {
        return offsetsTopicReplicationFactor;
    }

    public int transactionStateLogNumPartitions() {
        return transactionStateLogNumPartitions;
    }

    public boolean transactionPartitionVerificationEnable() {
        return transactionPartitionVerificationEnable;
    }

    public int transactionMaxTimeoutMs() {
        return transactionMaxTimeoutMs;
    }

    public int transactionalIdExpirationMs() {
        return transactionalIdExpirationMs;
    }

    public int transactionRemoveExpiredCleanupIntervalMs() {
        return transactionRemoveExpiredCleanupIntervalMs;
    }

    public int producerIdExpirationMs() {
        return producerIdExpirationMs;
    }

    public int producerIdExpirationCheckIntervalMs() {
        return producerIdExpirationCheckIntervalMs;
    }

    public int transactionAbortTimedOutCleanupIntervalMs() {
        return transactionAbortTimedOutCleanupIntervalMs;
    }

    public int groupInitialRebalanceDelayMs() {
        return groupInitialRebalanceDelayMs;
    }

    public int groupMinSessionTimeoutMs() {
        return groupMinSessionTimeoutMs;
    }

    public int groupMaxSessionTimeoutMs() {
        return groupMaxSessionTimeoutMs;
    }

    public int groupMaxSize() {
        return groupMaxSize;
    }

    /** Whether {@code group.coordinator.rebalance.protocols} lists {@code consumer} (KIP-848). */
    public boolean consumerGroupProtocolEnabled() {
        return consumerGroupProtocolEnabled;
    }

    public int groupConsumerSessionTimeoutMs() {
        return groupConsumerSessionTimeoutMs;
    }

    public int groupConsumerHeartbeatIntervalMs() {
        return groupConsumerHeartbeatIntervalMs;
    }

    public int groupConsumerMaxSize() {
        return groupConsumerMaxSize;
    }

    public List<String> groupConsumerAssignors() {
        return groupConsumerAssignors;
    }

    public int offsetMetadataMaxBytes() {
        return offsetMetadataMaxBytes;
    }

    public long offsetsRetentionMs() {
        return offsetsRetentionMs;
    }

    public long offsetsRetentionCheckIntervalMs() {
        return offsetsRetentionCheckIntervalMs;
    }

    /** {@code log.retention.ms} &gt; {@code .minutes} &gt; {@code .hours} (default 168 h); -1 = keep forever. */
    public long logRetentionMs() {
        return logRetentionMs;
    }

    /** -1 = no size limit. */
    public long logRetentionBytes() {
        return logRetentionBytes;
    }

    /** {@code log.retention.check.interval.ms}: how often retention runs; default 5 minutes. */
    public long logRetentionCheckIntervalMs() {
        return logRetentionCheckIntervalMs;
    }

    /** "delete" and/or "compact", lower case, no duplicates. */
    public List<String> logCleanupPolicy() {
        return logCleanupPolicy;
    }

    /** {@code log.cleaner.enable}: whether compacted topics are compacted; default true. */
    public boolean logCleanerEnable() {
        return logCleanerEnable;
    }

    /** {@code log.cleaner.backoff.ms}: the pause between two cleaner passes; default 15 s. */
    public long logCleanerBackoffMs() {
        return logCleanerBackoffMs;
    }

    public int minInsyncReplicas() {
        return minInsyncReplicas;
    }

    public boolean uncleanLeaderElectionEnable() {
        return uncleanLeaderElectionEnable;
    }

    /** {@code fjord.max.inflight.requests.per.connection} (default 100). */
    public int maxInflightRequestsPerConnection() {
        return maxInflightRequestsPerConnection;
    }

    @Override
    public String toString() {
        return "BrokerConfig" + originals;
    }
}
