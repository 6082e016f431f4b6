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
import java.util.function.Supplier;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: which resources can be altered, how one
 * incremental operation changes a topic's overrides, and the durable, live application of the result.
 *
 * <p>TOPIC resources are altered here, BROKER resources by {@link BrokerConfigAlterations}; any
 * other resource type is an INVALID_REQUEST.
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

    /** Whether a resource is a BROKER resource (the dynamic broker configs) rather than a topic. */
    static boolean isBroker(final byte resourceType) {
        return ConfigResource.Type.forId(resourceType) == ConfigResource.Type.BROKER;
    }

    /**
     * The topic a TOPIC resource names.
     *
     * @throws UnknownTopicOrPartitionException if the topic does not exist
     * @throws InvalidRequestException for resource types other than TOPIC and BROKER
     */
    static TopicInfo resolve(final BrokerState broker, final byte resourceType, final String name) {
        final ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        if (type != ConfigResource.Type.TOPIC) {
            throw new InvalidRequestException("Fjord does not alter configs of resource type " + type);
        }
        return broker.topics().get(name).orElseThrow(
                () -> new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
    }

    /** Applies one incremental operation to {@code overrides} (a mutable copy of the topic's own configs). */
    static void apply(final BrokerState broker, final Map<String, String> overrides, final byte op, final String key,
                      final String value) {
        final TopicConfigs.Key def = TopicConfigs.keys().get(key);
        if (def == null) {
            throw new InvalidConfigurationException("Unknown topic config name: " + key);
        }
        apply(overrides, op, key, value, def.type() == TopicConfigs.Type.LIST,
                () -> broker.topicConfigs().effective(Map.of(), key));
    }

    /**
     * Applies one incremental operation to a mutable map of settings.
     *
     * @param isList whether the key is a list (APPEND and SUBTRACT work only on lists)
     * @param inherited the value APPEND and SUBTRACT start from when the map does not set the key
     */
    static void apply(final Map<String, String> settings, final byte op, final String key, final String value,
                      final boolean isList, final Supplier<String> inherited) {
        switch (op) {
            case SET -> {
                if (value == null) {
                    throw new InvalidConfigurationException("Null value not supported for config " + key);
                }
                settings.put(key, value);
            }
            case DELETE -> settings.remove(key);
            case APPEND, SUBTRACT -> {
                if (!isList) {
                    throw new InvalidConfigurationException((op == APPEND ? "APPEND" : "SUBTRACT")
                            + " works only on list configs; " + key + " is not a list");
                }
                final String current = settings.containsKey(key) ? settings.get(key) : inherited.get();
                final List<String> items = new ArrayList<>(TopicConfigs.splitList(current));
                for (final String item : TopicConfigs.splitList(value == null ? "" : value)) {
                    if (op == SUBTRACT) {
                        items.remove(item);
                    } else if (!items.contains(item)) {
                        items.add(item);
                    }
                }
                settings.put(key, String.join(",", items));
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
