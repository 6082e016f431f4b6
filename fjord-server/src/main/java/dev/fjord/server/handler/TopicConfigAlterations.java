package dev.fjord.server.handler;

import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: which resources can be altered, how one
 * incremental operation changes a topic's overrides, and the durable, live application of the result.
 *
 * <p>Only TOPIC resources are alterable. BROKER resources that ask for a change are refused with
 * INVALID_CONFIG (as Kafka refuses read-only broker keys): Fjord reads broker configs once, from
 * server.properties, at start-up. Any other resource type is an INVALID_REQUEST.
 */
final class TopicConfigAlterations {
    /** Kafka's incremental operation codes. */
    static final byte SET = 0;
    static final byte DELETE = 1;
    static final byte APPEND = 2;
    static final byte SUBTRACT = 3;

    private TopicConfigAlterations() {
    }

    /** Where a resource's outcome goes: {@code error} is null when it succeeded. */
    interface Outcome<R> {
        void record(R resource, ApiException error);
    }

    /**
     * Alters each resource on its own: one that fails does not stop the others, and a resource named
     * twice in the request fails every time it appears (INVALID_REQUEST).
     *
     * @param id the resource's type and name, which make it the same resource
     */
    static <R> void eachResource(final Iterable<R> resources, final Function<R, String> id, final Function<R, String> name,
                                 final Consumer<R> alter, final Outcome<R> outcome) {
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (final R r : resources) {
            if (!seen.add(id.apply(r))) {
                duplicated.add(id.apply(r));
            }
        }
        for (final R r : resources) {
            try {
                if (duplicated.contains(id.apply(r))) {
                    throw new InvalidRequestException("Resource " + name.apply(r) + " appears more than once in the request");
                }
                alter.accept(r);
                outcome.record(r, null);
            } catch (ApiException e) {
                outcome.record(r, e);
            }
        }
    }

    /** The config names of one resource, each at most once (INVALID_REQUEST otherwise). */
    static List<String> distinctKeys(final List<String> names, final String resourceName) {
        final List<String> keys = new ArrayList<>();
        for (final String n : names) {
            if (keys.contains(n)) {
                throw new InvalidRequestException("Config " + n + " appears more than once for resource " + resourceName);
            }
            keys.add(n);
        }
        return keys;
    }

    /**
     * The topic a resource names, or null for a BROKER resource that asks for no change.
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     * @throws InvalidConfigurationException for a BROKER resource with changes
     * @throws InvalidRequestException for other resource types or a broker id that is not this node
     */
    static TopicInfo resolve(final BrokerState broker, final byte resourceType, final String name,
                             final List<String> changedKeys) {
        final ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type == ConfigResource.Type.TOPIC) {
            return broker.topics().get(name).orElseThrow(
                    () -> new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
        }
        if (type == ConfigResource.Type.BROKER) {
            if (!name.isEmpty() && !name.equals(String.valueOf(broker.nodeId()))) {
                throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                        + " or empty string, but received " + name);
            }
            if (!changedKeys.isEmpty()) {
                throw new InvalidConfigurationException("Fjord does not change broker configs while it runs: set "
                        + String.join(", ", changedKeys) + " in server.properties and restart the broker.");
            }
            return null;
        }
        throw new InvalidRequestException("Fjord does not alter configs of resource type " + type);
    }

    /** Applies one incremental operation to {@code overrides} (a mutable copy of the topic's own configs). */
    static void apply(final BrokerState broker, final Map<String, String> overrides, final byte op, final String key,
                      final String value) {
        final TopicConfigs.Key def = TopicConfigs.keys().get(key);
        if (def == null) {
            throw new InvalidConfigurationException("Unknown topic config name: " + key);
        }
        switch (op) {
            case SET -> {
                if (value == null) {
                    throw new InvalidConfigurationException("Null value not supported for topic config " + key);
                }
                overrides.put(key, value);
            }
            case DELETE -> overrides.remove(key);
            case APPEND, SUBTRACT -> {
                if (def.type() != TopicConfigs.Type.LIST) {
                    throw new InvalidConfigurationException((op == APPEND ? "APPEND" : "SUBTRACT")
                            + " works only on list configs; " + key + " is of type " + def.type());
                }
                final String current = overrides.containsKey(key) ? overrides.get(key)
                        : broker.topicConfigs().effective(Map.of(), key);
                final List<String> items = new ArrayList<>(TopicConfigs.splitList(current));
                for (final String item : TopicConfigs.splitList(value == null ? "" : value)) {
                    if (op == SUBTRACT) {
                        items.remove(item);
                    } else if (!items.contains(item)) {
                        items.add(item);
                    }
                }
                overrides.put(key, String.join(",", items));
            }
            default -> throw new InvalidRequestException("Unknown config operation " + op + " for " + key);
        }
    }

    /** Validates the new overrides and, unless {@code validateOnly}, stores them and applies them to the live logs. */
    static void commit(final BrokerState broker, final TopicInfo topic, final Map<String, String> overrides,
                       final boolean validateOnly) {
        TopicConfigs.validate(overrides);
        if (!validateOnly) {
            broker.alterTopicConfigs(topic.name(), new HashMap<>(overrides));
        }
    }
}
