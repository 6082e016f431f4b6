package dev.fjord.server.handler;

import dev.fjord.common.Clock;
import dev.fjord.server.metadata.DynamicBrokerConfigs;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicNames;
import dev.fjord.server.metadata.TopicRegistry;
import dev.fjord.server.partition.FetchPurgatory;
import dev.fjord.server.partition.PartitionManager;
import dev.fjord.server.partition.ProducerIdManager;
import java.io.IOException;
import java.util.Map;
import org.apache.kafka.common.errors.KafkaStorageException;

/**
 * What the handlers share: this node's identity and address, the topic catalogue, the partitions and
 * the broker-wide settings they consult. Wired once by {@code Broker}; immutable apart from the
 * components it points to, which are themselves thread-safe.
 *
 * @param advertised the host and port clients are told to connect to (known once the listener is bound)
 * @param leaderEpoch the leader epoch of every partition: a single node leads everything from epoch 0
 */
public record BrokerState(int nodeId, String clusterId, AdvertisedAddress advertised,
                          TopicRegistry topics, TopicConfigs topicConfigs, DynamicBrokerConfigs dynamicConfigs,
                          PartitionManager partitions,
                          FetchPurgatory purgatory, ProducerIdManager producerIds, Clock clock,
                          int defaultPartitions, short defaultReplicationFactor, boolean autoCreateTopics,
                          int leaderEpoch) {

    /** The address clients should use, filled in when the listener is bound. */
    public static final class AdvertisedAddress {
        private volatile String host = "localhost";
        private volatile int port = -1;

        public void set(final String newHost, final int newPort) {
            this.host = newHost;
            this.port = newPort;
        }
    }

    public String advertisedHost() {
        return advertised.host;
    }

    public int advertisedPort() {
        return advertised.port;
    }

    /**
     * Creates a topic and its partition logs: the catalogue entry first, then the logs, so that a crash
     * in between leaves a topic whose missing logs are created at the next start.
     */
    public TopicInfo createTopic(final String name, final int partitionCount, final Map<String, String> configs) {
        TopicNames.validate(name);
        TopicConfigs.validate(configs);
        synchronized (topics) {
            final TopicInfo topic = topics.create(name, partitionCount, configs);
            try {
                partitions.openTopic(topic);
            } catch (IOException e) {
                throw new KafkaStorageException("Could not create the logs of topic " + name + ": " + e.getMessage(), e);
            }
            return topic;
        }
    }

    /**
     * Replaces a topic's own configs: durably in the catalogue first, then in its live logs, so that the
     * new values (segment.bytes, max.message.bytes, retention, ...) apply without a restart.
     *
     * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if the topic is gone
     */
    public TopicInfo alterTopicConfigs(final String name, final Map<String, String> configs) {
        TopicConfigs.validate(configs);
        synchronized (topics) {
            final TopicInfo current = topics.get(name).orElseThrow(
                    () -> new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            final TopicInfo next = topics.update(new TopicInfo(name, current.id(), current.partitions(), configs));
            partitions.updateTopicConfig(next);
            return next;
        }
    }

    /**
     * Replaces the dynamic broker configs of one scope (already validated): durably first, then in the
     * broker-wide topic defaults and the live logs of every topic that does not override them.
     *
     * @param clusterDefault true for the cluster-wide defaults (resource name ""), false for this node's own
     */
    public void alterBrokerConfigs(final boolean clusterDefault, final Map<String, String> configs) {
        synchronized (topics) {
            dynamicConfigs.replace(clusterDefault, configs);
            topicConfigs.reconfigure(dynamicConfigs.clusterDefaults(), dynamicConfigs.node());
            for (final TopicInfo topic : topics.all()) {
                partitions.updateTopicConfig(topic);
            }
        }
    }

    /**
     * Raises a topic's partition count: the catalogue first, then the new partitions' logs (a crash in
     * between leaves logs that the next start creates).
     *
     * @throws org.apache.kafka.common.errors.InvalidPartitionsException unless {@code count} is higher than now
     */
    public TopicInfo addPartitions(final String name, final int count) {
        synchronized (topics) {
            final TopicInfo current = topics.get(name).orElseThrow(
                    () -> new org.apache.kafka.common.errors.UnknownTopicOrPartitionException("Topic '" + name + "' does not exist."));
            CreatePartitionsHandler.checkCount(current.partitions(), count);
            final TopicInfo next = topics.update(new TopicInfo(name, current.id(), count, current.configs()));
            try {
                partitions.openTopic(next);
            } catch (IOException e) {
                throw new KafkaStorageException("Could not create the new partitions of topic " + name + ": " + e.getMessage(), e);
            }
            return next;
        }
    }

    /** Deletes a topic: the catalogue entry first, then its logs. */
    public void deleteTopic(final TopicInfo topic) {
        synchronized (topics) {
            topics.delete(topic.name());
            partitions.deleteTopic(topic);
        }
    }
}
