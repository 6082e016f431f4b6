package dev.fjord.server.metadata;

import dev.fjord.common.config.ConfigException;
import dev.fjord.storage.log.LogConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level config keys Fjord knows, with Kafka's names, each backed by a broker-wide default
 * (Kafka's {@code log.*} key, or the broker's own setting of it). One table: validation at
 * CreateTopics, effective values for DescribeConfigs and the storage {@link LogConfig} all read it.
 *
 * <p>The broker-wide defaults change while the broker runs when an operator sets a dynamic broker
 * config ({@link #reconfigure}); readers see one consistent snapshot of them through a volatile field.
 */
public final class TopicConfigs {
    private static final long MS_PER_HOUR = 3_600_000L;
    private static final Set<String> CLEANUP_POLICIES = Set.of("delete", "compact");
    private static final Set<String> COMPRESSION_TYPES = Set.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd");
    private static final Set<String> TIMESTAMP_TYPES = Set.of("CreateTime", "LogAppendTime");

    /** The value type of a key, as DescribeConfigs reports it. */
    public enum Type { BOOLEAN, STRING, INT, LONG, DOUBLE, LIST }

    /**
     * How one topic key is checked and where its default comes from.
     *
     * @param brokerKey the broker-wide key that sets this key's default (Kafka's synonym)
     * @param doc one line for DescribeConfigs' documentation field
     */
    public record Key(String name, String brokerKey, String kafkaDefault, Predicate<String> valid, String expected,
                      Type type, String doc) {
    }

    /**
     * Where a topic's effective value comes from, most specific first: the topic's own setting, this
     * broker's dynamic setting, the cluster-wide dynamic default, server.properties, the built-in default.
     */
    public enum Source { TOPIC, DYNAMIC_BROKER, DYNAMIC_DEFAULT_BROKER, STATIC_BROKER, DEFAULT }

    /** One synonym of a key: a name that can set its value, that value, and its origin. */
    public record Synonym(String name, String value, Source source) {
    }

    /** A topic's effective value of one key, with its origin and the synonyms behind it (most specific first). */
    public record Described(Key key, String value, Source source, List<Synonym> synonyms) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        key("cleanup.policy", "log.cleanup.policy", "delete", TopicConfigs::isCleanupPolicy, "a list of delete and/or compact",
                Type.LIST, "delete: drop old segments by retention; compact: keep the latest record of each key.");
        key("compression.type", "compression.type", "producer", COMPRESSION_TYPES::contains, "one of " + COMPRESSION_TYPES,
                Type.STRING, "Codec batches are stored with; producer keeps what the producer sent.");
        key("compression.gzip.level", "compression.gzip.level", "-1", v -> "-1".equals(v) || between(1, 9).test(v),
                "-1 or an integer in 1..9", Type.INT, "gzip level when the broker compresses (-1: codec default).");
        key("compression.lz4.level", "compression.lz4.level", "9", between(1, 17), "an integer in 1..17",
                Type.INT, "lz4 level when the broker compresses.");
        key("compression.zstd.level", "compression.zstd.level", "3", between(-131072, 22), "an integer in -131072..22",
                Type.INT, "zstd level when the broker compresses.");
        key("delete.retention.ms", "log.cleaner.delete.retention.ms", "86400000", atLeast(0), "a number >= 0",
                Type.LONG, "How long tombstones stay readable in a compacted topic.");
        key("file.delete.delay.ms", "log.segment.delete.delay.ms", "60000", atLeast(0), "a number >= 0",
                Type.LONG, "Delay between removing a segment from the log and closing its files.");
        key("flush.messages", "log.flush.interval.messages", String.valueOf(Long.MAX_VALUE), atLeast(1), "a number >= 1",
                Type.LONG, "fsync after this many messages.");
        key("flush.ms", "log.flush.interval.ms", String.valueOf(Long.MAX_VALUE), atLeast(0), "a number >= 0",
                Type.LONG, "fsync when this long has passed since the last fsync.");
        key("follower.replication.throttled.replicas", null, "", v -> true, "a list of partition:broker",
                Type.LIST, "Replicas throttled on the follower side (no effect on a single node).");
        key("index.interval.bytes", "log.index.interval.bytes", "4096", intAtLeast(0), "an integer >= 0",
                Type.INT, "Log bytes between two offset-index entries.");
        key("leader.replication.throttled.replicas", null, "", v -> true, "a list of partition:broker",
                Type.LIST, "Replicas throttled on the leader side (no effect on a single node).");
        key("local.retention.bytes", "log.local.retention.bytes", "-2", atLeast(-2), "a number >= -2",
                Type.LONG, "Local size limit with tiered storage (-2: retention.bytes).");
        key("local.retention.ms", "log.local.retention.ms", "-2", atLeast(-2), "a number >= -2",
                Type.LONG, "Local time limit with tiered storage (-2: retention.ms).");
        key("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", String.valueOf(Long.MAX_VALUE), atLeast(1),
                "a number >= 1", Type.LONG, "Longest a record may stay uncompacted.");
        key("max.message.bytes", "message.max.bytes", "1048588", intAtLeast(0), "an integer >= 0",
                Type.INT, "Largest record batch accepted, in bytes.");
        key("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", "3600000", atLeast(0), "a number >= 0",
                Type.LONG, "How far in the future a CreateTime timestamp may be.");
        key("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE),
                atLeast(0), "a number >= 0", Type.LONG, "How far in the past a CreateTime timestamp may be.");
        key("message.timestamp.type", "log.message.timestamp.type", "CreateTime", TIMESTAMP_TYPES::contains,
                "one of " + TIMESTAMP_TYPES, Type.STRING, "CreateTime keeps the producer's timestamps; LogAppendTime uses the broker's.");
        key("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", "0.5", TopicConfigs::isRatio,
                "a number between 0 and 1", Type.DOUBLE, "Share of uncompacted log that triggers compaction.");
        key("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", "0", atLeast(0), "a number >= 0",
                Type.LONG, "Shortest time a record stays uncompacted.");
        key("min.insync.replicas", "min.insync.replicas", "1", intAtLeast(1), "an integer >= 1",
                Type.INT, "Replicas that must have a write for acks=all.");
        key("preallocate", "log.preallocate", "false", TopicConfigs::isBoolean, "true or false",
                Type.BOOLEAN, "Preallocate segment files.");
        key("remote.log.copy.disable", null, "false", TopicConfigs::isBoolean, "true or false",
                Type.BOOLEAN, "Stop copying segments to tiered storage.");
        key("remote.log.delete.on.disable", null, "false", TopicConfigs::isBoolean, "true or false",
                Type.BOOLEAN, "Delete tiered data when tiered storage is turned off.");
        key("remote.storage.enable", "remote.log.storage.system.enable", "false", TopicConfigs::isBoolean, "true or false",
                Type.BOOLEAN, "Tiered storage for this topic (not supported by Fjord).");
        key("retention.bytes", "log.retention.bytes", "-1", atLeast(-1), "a number >= -1",
                Type.LONG, "Size per partition beyond which the oldest segments are deleted (-1: no limit).");
        key("retention.ms", "log.retention.ms", "604800000", atLeast(-1), "a number >= -1",
                Type.LONG, "Age after which whole segments are deleted (-1: keep forever).");
        key("segment.bytes", "log.segment.bytes", "1073741824", intAtLeast(14), "an integer >= 14",
                Type.INT, "Size at which a new segment is rolled.");
        key("segment.index.bytes", "log.index.size.max.bytes", "10485760", intAtLeast(4), "an integer >= 4",
                Type.INT, "Preallocated size of each index file.");
        key("segment.jitter.ms", "log.roll.jitter.ms", "0", atLeast(0), "a number >= 0",
                Type.LONG, "Random jitter subtracted from segment.ms.");
        key("segment.ms", "log.roll.ms", "604800000", atLeast(1), "a number >= 1",
                Type.LONG, "Age at which a new segment is rolled.");
        key("unclean.leader.election.enable", "unclean.leader.election.enable", "false", TopicConfigs::isBoolean,
                "true or false", Type.BOOLEAN, "Allow an out-of-sync replica to lead (no effect on a single node).");
    }

    /**
     * Broker keys that Kafka also reports as synonyms of a topic key, besides its {@link Key#brokerKey()},
     * in precedence order. (Kafka 4.4 lists log.retention.minutes/hours for retention.ms, but not
     * log.roll.hours for segment.ms, although both set the default.)
     */
    private static final Map<String, List<String>> MORE_BROKER_KEYS = Map.of(
            "retention.ms", List.of("log.retention.minutes", "log.retention.hours"));

    /**
     * The built-in default synonym Kafka reports where it is not the topic key's {@link Key#brokerKey()}
     * with {@link Key#kafkaDefault()}; an empty list where Kafka reports none (its broker key has no default).
     */
    private static final Map<String, List<Synonym>> DEFAULT_SYNONYMS = Map.of(
            "retention.ms", List.of(new Synonym("log.retention.hours", "168", Source.DEFAULT)),
            "segment.ms", List.of(),
            "flush.ms", List.of(),
            "segment.jitter.ms", List.of());

    /** The broker keys an operator may change while the broker runs: the primary synonym of each topic key. */
    private static final Map<String, Key> DYNAMIC_BROKER_KEYS = new LinkedHashMap<>();

    static {
        for (final Key key : KEYS.values()) {
            // Tiered storage is not supported, so its switch is not something to turn on live.
            if (key.brokerKey() != null && !key.brokerKey().equals("remote.log.storage.system.enable")) {
                DYNAMIC_BROKER_KEYS.put(key.brokerKey(), key);
            }
        }
    }

    /**
     * The broker-wide defaults of every topic key and the broker settings behind each, most specific
     * first; replaced as a whole when a dynamic broker config changes.
     */
    private record Defaults(Map<String, String> values, Map<String, List<Synonym>> synonyms) {
    }

    private final Map<String, String> staticConfig;
    private volatile Defaults defaults;

    private TopicConfigs(final Map<String, String> staticConfig) {
        this.staticConfig = Map.copyOf(staticConfig);
        this.defaults = build(this.staticConfig, Map.of(), Map.of());
    }

    /**
     * Builds the defaults from the broker's own settings (its {@code server.properties} keys), applying
     * Kafka's precedence: {@code log.roll.ms} over {@code log.roll.hours}; {@code log.retention.ms} over
     * {@code .minutes} over {@code .hours}.
     *
     * @throws ConfigException naming the broker key if its value is not one its topic key accepts
     */
    public static TopicConfigs fromBroker(final Map<String, String> brokerConfig) {
        for (final Key key : KEYS.values()) {
            final String set = key.brokerKey() == null ? null : brokerConfig.get(key.brokerKey());
            if (set != null && !key.valid().test(set.trim())) {
                throw ConfigException.invalid(key.brokerKey(), set.trim(), key.expected(), key.kafkaDefault());
            }
        }
        return new TopicConfigs(brokerConfig);
    }

    /**
     * Replaces the dynamic broker configs the defaults are built from: this broker's own and the
     * cluster-wide defaults (keys from {@link #dynamicBrokerKeys()}, values already validated).
     */
    public void reconfigure(final Map<String, String> dynamicDefault, final Map<String, String> dynamicBroker) {
        defaults = build(staticConfig, Map.copyOf(dynamicDefault), Map.copyOf(dynamicBroker));
    }

    /**
     * Checks dynamic broker configs read back from disk (they were valid when set, but the file may have
     * been edited by hand).
     *
     * @throws ConfigException naming the key, the value and {@code origin}
     */
    public static void validateDynamic(final Map<String, String> configs, final String origin) {
        for (final Map.Entry<String, String> e : configs.entrySet()) {
            final Key key = DYNAMIC_BROKER_KEYS.get(e.getKey());
            final String value = e.getValue() == null ? "" : e.getValue().trim();
            if (key == null) {
                throw new ConfigException(e.getKey(), value, "'" + e.getKey() + "' in " + origin
                        + " is not a broker config Fjord changes while it runs. Remove that line.");
            }
            if (!key.valid().test(value)) {
                throw new ConfigException(e.getKey(), value, "Invalid value '" + value + "' for '" + e.getKey() + "' in "
                        + origin + ": expected " + key.expected() + ". Fix or remove that line, or reset it with "
                        + "kafka-configs --entity-type brokers --alter --delete-config " + e.getKey() + ".");
            }
        }
    }

    /** The broker keys that can change while the broker runs, each with the topic key it is the default of. */
    public static Map<String, Key> dynamicBrokerKeys() {
        return Collections.unmodifiableMap(DYNAMIC_BROKER_KEYS);
    }

    private static Defaults build(final Map<String, String> brokerConfig, final Map<String, String> dynamicDefault,
                                  final Map<String, String> dynamicBroker) {
        final Map<String, String> defaults = new LinkedHashMap<>();
        for (final Key key : KEYS.values()) {
            final String set = key.brokerKey() == null ? null : brokerConfig.get(key.brokerKey());
            defaults.put(key.name(), set == null ? key.kafkaDefault() : set.trim());
        }
        if (!brokerConfig.containsKey("log.roll.ms") && brokerConfig.containsKey("log.roll.hours")) {
            defaults.put("segment.ms", String.valueOf(Long.parseLong(brokerConfig.get("log.roll.hours").trim()) * MS_PER_HOUR));
        }
        if (!brokerConfig.containsKey("log.retention.ms")) {
            if (brokerConfig.containsKey("log.retention.minutes")) {
                defaults.put("retention.ms", String.valueOf(Long.parseLong(brokerConfig.get("log.retention.minutes").trim()) * 60_000L));
            } else if (brokerConfig.containsKey("log.retention.hours")) {
                defaults.put("retention.ms", String.valueOf(Long.parseLong(brokerConfig.get("log.retention.hours").trim()) * MS_PER_HOUR));
            }
        }
        for (final Map.Entry<String, Key> e : DYNAMIC_BROKER_KEYS.entrySet()) {
            final String dynamic = dynamicBroker.containsKey(e.getKey()) ? dynamicBroker.get(e.getKey())
                    : dynamicDefault.get(e.getKey());
            if (dynamic != null) {
                defaults.put(e.getValue().name(), dynamic.trim());
            }
        }
        final Map<String, List<Synonym>> synonyms = new LinkedHashMap<>();
        for (final Key key : KEYS.values()) {
            final List<Synonym> list = new ArrayList<>();
            if (key.brokerKey() != null && DYNAMIC_BROKER_KEYS.containsKey(key.brokerKey())) {
                if (dynamicBroker.containsKey(key.brokerKey())) {
                    list.add(new Synonym(key.brokerKey(), dynamicBroker.get(key.brokerKey()).trim(), Source.DYNAMIC_BROKER));
                }
                if (dynamicDefault.containsKey(key.brokerKey())) {
                    list.add(new Synonym(key.brokerKey(), dynamicDefault.get(key.brokerKey()).trim(),
                            Source.DYNAMIC_DEFAULT_BROKER));
                }
            }
            final List<String> names = new ArrayList<>();
            if (key.brokerKey() != null) {
                names.add(key.brokerKey());
            }
            names.addAll(MORE_BROKER_KEYS.getOrDefault(key.name(), List.of()));
            for (final String name : names) {
                if (brokerConfig.containsKey(name)) {
                    list.add(new Synonym(name, brokerConfig.get(name).trim(), Source.STATIC_BROKER));
                }
            }
            if (DEFAULT_SYNONYMS.containsKey(key.name())) {
                list.addAll(DEFAULT_SYNONYMS.get(key.name()));
            } else if (key.brokerKey() != null) {
                list.add(new Synonym(key.brokerKey(), key.kafkaDefault(), Source.DEFAULT));
            }
            synonyms.put(key.name(), List.copyOf(list));
        }
        return new Defaults(Collections.unmodifiableMap(defaults), Collections.unmodifiableMap(synonyms));
    }

    /** The known keys in a stable order. */
    public static Map<String, Key> keys() {
        return Collections.unmodifiableMap(KEYS);
    }

    /** The broker-wide default of every topic key. */
    public Map<String, String> defaults() {
        return defaults.values();
    }

    /** @throws InvalidConfigurationException naming the key, the value and what is expected */
    public static void validate(final Map<String, String> topicConfigs) {
        for (final Map.Entry<String, String> e : topicConfigs.entrySet()) {
            final Key key = KEYS.get(e.getKey());
            if (key == null) {
                throw new InvalidConfigurationException("Unknown topic config name: " + e.getKey());
            }
            final String value = e.getValue() == null ? null : e.getValue().trim();
            if (value == null || !key.valid().test(value)) {
                throw new InvalidConfigurationException("Invalid value " + e.getValue() + " for configuration "
                        + e.getKey() + ": expected " + key.expected());
            }
        }
    }

    /** A topic's value of {@code key}: its own if set, else the broker's default. */
    public String effective(final Map<String, String> topicConfigs, final String key) {
        final String own = topicConfigs.get(key);
        return own != null ? own.trim() : defaults.values().get(key);
    }

    /**
     * Every known key of a topic with its effective value and origin, as DescribeConfigs reports it: the
     * topic's own setting, else a broker setting from server.properties, else the built-in default.
     */
    public List<Described> describe(final Map<String, String> topicConfigs) {
        final Defaults current = defaults;
        final List<Described> out = new ArrayList<>(KEYS.size());
        for (final Key key : KEYS.values()) {
            final List<Synonym> synonyms = new ArrayList<>();
            final String own = topicConfigs.get(key.name());
            if (own != null) {
                synonyms.add(new Synonym(key.name(), own, Source.TOPIC));
            }
            synonyms.addAll(current.synonyms().get(key.name()));
            final Source source = own != null ? Source.TOPIC
                    : synonyms.isEmpty() ? Source.DEFAULT : synonyms.get(0).source();
            final String value = own != null ? own.trim() : current.values().get(key.name());
            out.add(new Described(key, value, source, List.copyOf(synonyms)));
        }
        return out;
    }

    /** The storage settings for a topic. */
    public LogConfig logConfig(final Map<String, String> topicConfigs) {
        final TimestampType timestampType = "LogAppendTime".equals(effective(topicConfigs, "message.timestamp.type"))
                ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
        return new LogConfig(
                Integer.parseInt(effective(topicConfigs, "segment.bytes")),
                Long.parseLong(effective(topicConfigs, "segment.ms")),
                Long.parseLong(effective(topicConfigs, "flush.messages")),
                Long.parseLong(effective(topicConfigs, "flush.ms")),
                Integer.parseInt(effective(topicConfigs, "max.message.bytes")),
                timestampType,
                Integer.parseInt(effective(topicConfigs, "index.interval.bytes")),
                Integer.parseInt(effective(topicConfigs, "segment.index.bytes")),
                compacts(topicConfigs),
                compression(topicConfigs));
    }

    /**
     * The codec a topic's batches are stored with, from {@code compression.type} and the level key of that codec;
     * null for {@code producer} (stored as sent), {@link Compression#NONE} for {@code uncompressed}.
     */
    private Compression compression(final Map<String, String> topicConfigs) {
        final String type = effective(topicConfigs, "compression.type");
        return switch (type) {
            case "producer" -> null;
            case "uncompressed" -> Compression.NONE;
            case "gzip" -> Compression.gzip().level(level(topicConfigs, "compression.gzip.level")).build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().level(level(topicConfigs, "compression.lz4.level")).build();
            case "zstd" -> Compression.zstd().level(level(topicConfigs, "compression.zstd.level")).build();
            default -> throw new InvalidConfigurationException("Invalid value " + type
                    + " for configuration compression.type: expected one of " + COMPRESSION_TYPES);
        };
    }

    private int level(final Map<String, String> topicConfigs, final String key) {
        return Integer.parseInt(effective(topicConfigs, key));
    }

    private static void key(final String name, final String brokerKey, final String def,
                            final Predicate<String> valid, final String expected, final Type type, final String doc) {
        KEYS.put(name, new Key(name, brokerKey, def, valid, expected, type, doc));
    }

    private static Predicate<String> between(final int min, final int max) {
        return v -> {
            try {
                final int i = Integer.parseInt(v);
                return i >= min && i <= max;
            } catch (NumberFormatException e) {
                return false;
            }
        };
    }

    private static boolean isCleanupPolicy(final String v) {
        final List<String> items = splitList(v);
        return !items.isEmpty() && CLEANUP_POLICIES.containsAll(items) && new java.util.HashSet<>(items).size() == items.size();
    }

    /** Splits a LIST value: comma-separated, trimmed, empty items dropped. */
    public static List<String> splitList(final String v) {
        final List<String> items = new ArrayList<>();
        for (final String part : v.split(",", -1)) {
            if (!part.trim().isEmpty()) {
                items.add(part.trim());
            }
        }
        return items;
    }

    /** Whether the topic's cleanup.policy includes delete (retention and DeleteRecords apply). */
    public boolean deletes(final Map<String, String> topicConfigs) {
        return splitList(effective(topicConfigs, "cleanup.policy")).contains("delete");
    }

    /** Whether the topic's cleanup.policy includes compact (the log cleaner keeps the latest record per key). */
    public boolean compacts(final Map<String, String> topicConfigs) {
        return splitList(effective(topicConfigs, "cleanup.policy")).contains("compact");
    }

    /**
     * The log cleaner's settings for a topic; its key map is bounded by the broker's
     * {@code log.cleaner.dedupe.buffer.size} and {@code log.cleaner.io.buffer.load.factor} (static, checked by
     * BrokerConfig at start; Kafka's defaults when unset).
     */
    public dev.fjord.storage.log.LogCompactor.Settings compactionSettings(final Map<String, String> topicConfigs) {
        final String bufferBytes = staticConfig.get("log.cleaner.dedupe.buffer.size");
        final String loadFactor = staticConfig.get("log.cleaner.io.buffer.load.factor");
        final double factor = loadFactor == null
                ? dev.fjord.storage.log.LogCompactor.Settings.DEFAULT_MAP_LOAD_FACTOR : Double.parseDouble(loadFactor.trim());
        return new dev.fjord.storage.log.LogCompactor.Settings(
                Long.parseLong(effective(topicConfigs, "delete.retention.ms")),
                Double.parseDouble(effective(topicConfigs, "min.cleanable.dirty.ratio")),
                Long.parseLong(effective(topicConfigs, "min.compaction.lag.ms")),
                Long.parseLong(effective(topicConfigs, "max.compaction.lag.ms")),
                Long.parseLong(effective(topicConfigs, "file.delete.delay.ms")),
                dev.fjord.storage.log.LogCompactor.Settings.maxMapEntries(bufferBytes == null
                        ? dev.fjord.storage.log.LogCompactor.Settings.DEFAULT_DEDUPE_BUFFER_BYTES
                        : Long.parseLong(bufferBytes.trim()), factor),
                factor);
    }

    private static Predicate<String> atLeast(final long min) {
        return v -> {
            try {
                return Long.parseLong(v) >= min;
            } catch (NumberFormatException e) {
                return false;
            }
        };
    }

    private static Predicate<String> intAtLeast(final int min) {
        return v -> {
            try {
                return Integer.parseInt(v) >= min;
            } catch (NumberFormatException e) {
                return false;
            }
        };
    }

    private static boolean isRatio(final String v) {
        try {
            final double d = Double.parseDouble(v);
            return d >= 0 && d <= 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isBoolean(final String v) {
        return "true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v);
    }
}
