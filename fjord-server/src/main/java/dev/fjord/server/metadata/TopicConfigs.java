package dev.fjord.server.metadata;

import dev.fjord.storage.log.LogConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;

/**
 * The topic-level config keys Fjord knows, with Kafka's names, each backed by a broker-wide default
 * (Kafka's {@code log.*} key, or the broker's own setting of it). One table: validation at
 * CreateTopics, effective values for DescribeConfigs and the storage {@link LogConfig} all read it.
 */
public final class TopicConfigs {
    private static final long MS_PER_HOUR = 3_600_000L;
    private static final Set<String> CLEANUP_POLICIES = Set.of("delete", "compact", "compact,delete", "delete,compact");
    private static final Set<String> COMPRESSION_TYPES = Set.of("producer", "uncompressed", "gzip", "snappy", "lz4", "zstd");
    private static final Set<String> TIMESTAMP_TYPES = Set.of("CreateTime", "LogAppendTime");

    /** How one topic key is checked and where its default comes from. */
    public record Key(String name, String brokerKey, String kafkaDefault, Predicate<String> valid, String expected) {
    }

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        key("cleanup.policy", "log.cleanup.policy", "delete", CLEANUP_POLICIES::contains, "one of " + CLEANUP_POLICIES);
        key("compression.type", "compression.type", "producer", COMPRESSION_TYPES::contains, "one of " + COMPRESSION_TYPES);
        key("delete.retention.ms", "log.cleaner.delete.retention.ms", "86400000", atLeast(0), "a number >= 0");
        key("file.delete.delay.ms", "log.segment.delete.delay.ms", "60000", atLeast(0), "a number >= 0");
        key("flush.messages", "log.flush.interval.messages", String.valueOf(Long.MAX_VALUE), atLeast(1), "a number >= 1");
        key("flush.ms", "log.flush.interval.ms", String.valueOf(Long.MAX_VALUE), atLeast(0), "a number >= 0");
        key("index.interval.bytes", "log.index.interval.bytes", "4096", intAtLeast(0), "an integer >= 0");
        key("max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms", String.valueOf(Long.MAX_VALUE), atLeast(1), "a number >= 1");
        key("max.message.bytes", "message.max.bytes", "1048588", intAtLeast(0), "an integer >= 0");
        key("message.timestamp.type", "log.message.timestamp.type", "CreateTime", TIMESTAMP_TYPES::contains, "one of " + TIMESTAMP_TYPES);
        key("message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE), atLeast(0), "a number >= 0");
        key("message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms", "3600000", atLeast(0), "a number >= 0");
        key("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", "0.5", TopicConfigs::isRatio, "a number between 0 and 1");
        key("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", "0", atLeast(0), "a number >= 0");
        key("min.insync.replicas", "min.insync.replicas", "1", intAtLeast(1), "an integer >= 1");
        key("preallocate", "log.preallocate", "false", TopicConfigs::isBoolean, "true or false");
        key("retention.bytes", "log.retention.bytes", "-1", atLeast(-1), "a number >= -1");
        key("retention.ms", "log.retention.ms", "604800000", atLeast(-1), "a number >= -1");
        key("segment.bytes", "log.segment.bytes", "1073741824", intAtLeast(14), "an integer >= 14");
        key("segment.index.bytes", "log.index.size.max.bytes", "10485760", intAtLeast(4), "an integer >= 4");
        key("segment.jitter.ms", "log.roll.jitter.ms", "0", atLeast(0), "a number >= 0");
        key("segment.ms", "log.roll.ms", "604800000", atLeast(1), "a number >= 1");
        key("unclean.leader.election.enable", "unclean.leader.election.enable", "false", TopicConfigs::isBoolean, "true or false");
        key("local.retention.ms", "log.local.retention.ms", "-2", atLeast(-2), "a number >= -2");
        key("local.retention.bytes", "log.local.retention.bytes", "-2", atLeast(-2), "a number >= -2");
        key("remote.storage.enable", "remote.log.storage.system.enable", "false", TopicConfigs::isBoolean, "true or false");
    }

    private final Map<String, String> brokerDefaults;

    private TopicConfigs(final Map<String, String> brokerDefaults) {
        this.brokerDefaults = brokerDefaults;
    }

    /**
     * Builds the defaults from the broker's own settings (its {@code server.properties} keys), applying
     * Kafka's precedence: {@code log.roll.ms} over {@code log.roll.hours}; {@code log.retention.ms} over
     * {@code .minutes} over {@code .hours}.
     */
    public static TopicConfigs fromBroker(final Map<String, String> brokerConfig) {
        final Map<String, String> defaults = new LinkedHashMap<>();
        for (final Key key : KEYS.values()) {
            defaults.put(key.name(), brokerConfig.getOrDefault(key.brokerKey(), key.kafkaDefault()).trim());
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
        return new TopicConfigs(Collections.unmodifiableMap(defaults));
    }

    /** The known keys in a stable order. */
    public static Map<String, Key> keys() {
        return Collections.unmodifiableMap(KEYS);
    }

    /** The broker-wide default of every topic key. */
    public Map<String, String> defaults() {
        return brokerDefaults;
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
        return own != null ? own.trim() : brokerDefaults.get(key);
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
                Integer.parseInt(effective(topicConfigs, "segment.index.bytes")));
    }

    private static void key(final String name, final String brokerKey, final String def,
                                final Predicate<String> valid, final String expected) {
        KEYS.put(name, new Key(name, brokerKey, def, valid, expected));
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
