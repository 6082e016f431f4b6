package dev.fjord.server.handler;

import dev.fjord.common.config.ConfigDef;
import dev.fjord.common.config.ConfigException;
import dev.fjord.server.config.BrokerConfig;
import dev.fjord.server.metadata.TopicConfigs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * Changes to the dynamic broker configs: a BROKER resource named "" (the cluster-wide defaults) or by
 * this node's id. The keys that can change live are the broker-wide defaults of the topic keys
 * ({@link TopicConfigs#dynamicBrokerKeys()}: log.retention.ms, log.segment.bytes, message.max.bytes,
 * log.cleanup.policy, compression.type, ...); they apply at once to every topic that does not set the
 * key itself, and are kept across restarts. Any other key is refused as Kafka refuses a key that is not
 * dynamic (INVALID_REQUEST, "Cannot update these configs dynamically"), and so is a bad value.
 */
final class BrokerConfigAlterations {
    private BrokerConfigAlterations() {
    }

    /** Whether a BROKER resource name means the cluster-wide defaults; otherwise it must be this node's id. */
    static boolean isClusterDefault(final BrokerState broker, final String name) {
        if (name.isEmpty()) {
            return true;
        }
        if (!name.equals(String.valueOf(broker.nodeId()))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + " or empty string, but received " + name);
        }
        return false;
    }

    /**
     * Applies {@code change} to a copy of the scope's dynamic configs, validates the result and, unless
     * {@code validateOnly}, makes it the new set. The broker id is checked first, then that every key the
     * request sets is dynamic (all refused keys named at once, before any value is looked at).
     *
     * @param setKeys the keys the request sets (not those it deletes)
     */
    static void alter(final BrokerState broker, final String name, final List<String> setKeys,
                      final Consumer<Map<String, String>> change, final boolean validateOnly) {
        final boolean clusterDefault = isClusterDefault(broker, name);
        requireDynamic(setKeys);
        final Map<String, String> next = new HashMap<>(clusterDefault
                ? broker.dynamicConfigs().clusterDefaults() : broker.dynamicConfigs().node());
        change.accept(next);
        validate(next);
        if (!validateOnly) {
            broker.alterBrokerConfigs(clusterDefault, next);
        }
    }

    /** Refuses keys that cannot change live, naming them all (as Kafka). */
    private static void requireDynamic(final List<String> keys) {
        final TreeSet<String> refused = new TreeSet<>();
        for (final String key : keys) {
            if (!TopicConfigs.dynamicBrokerKeys().containsKey(key)) {
                refused.add(key);
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidRequestException("Cannot update these configs dynamically: " + new ArrayList<>(refused)
                    + ". Fjord changes these broker configs while it runs: "
                    + String.join(", ", new TreeSet<>(TopicConfigs.dynamicBrokerKeys().keySet()))
                    + "; set the others in server.properties and restart the broker.");
        }
    }

    /** Every key dynamic, every value valid as its topic key and as the broker key server.properties takes. */
    static void validate(final Map<String, String> configs) {
        requireDynamic(new ArrayList<>(configs.keySet()));
        for (final Map.Entry<String, String> e : configs.entrySet()) {
            final TopicConfigs.Key topicKey = TopicConfigs.dynamicBrokerKeys().get(e.getKey());
            final String value = e.getValue() == null ? null : e.getValue().trim();
            if (value == null || !topicKey.valid().test(value)) {
                throw new InvalidRequestException("Invalid value " + e.getValue() + " for configuration " + e.getKey()
                        + ": expected " + topicKey.expected());
            }
            final ConfigDef.ConfigKey brokerKey = BrokerConfig.definition().key(e.getKey());
            if (brokerKey != null) {
                try {
                    ConfigDef.parseValue(brokerKey, value);
                } catch (ConfigException ex) {
                    throw new InvalidRequestException(ex.getMessage());
                }
            }
        }
    }

    /** The LIST type of a dynamic key, for APPEND and SUBTRACT. */
    static boolean isList(final String key) {
        final TopicConfigs.Key topicKey = TopicConfigs.dynamicBrokerKeys().get(key);
        return topicKey != null && topicKey.type() == TopicConfigs.Type.LIST;
    }

    /** The value APPEND and SUBTRACT start from when the scope does not set the key: the broker's default. */
    static String effective(final BrokerState broker, final String key) {
        return broker.topicConfigs().defaults().get(TopicConfigs.dynamicBrokerKeys().get(key).name());
    }
}
