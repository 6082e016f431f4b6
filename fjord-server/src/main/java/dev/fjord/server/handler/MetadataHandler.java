package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * Metadata: this broker as the whole cluster, leader of every partition at epoch 0, and the topics
 * asked for (all of them when the list is null, or empty in v0). Unknown topics are created when the
 * client allows it and {@code auto.create.topics.enable} is on.
 */
public final class MetadataHandler implements ApiHandler<MetadataRequestData> {
    /** Sent when authorized operations were not asked for. */
    private static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final BrokerState broker;

    public MetadataHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletableFuture<MetadataResponseData> handle(final RequestContext context, final MetadataRequestData request) {
        final short version = context.apiVersion();
        final MetadataResponseData response = new MetadataResponseData()
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort()));
        final boolean allTopics = request.topics() == null || (version == 0 && request.topics().isEmpty());
        if (allTopics) {
            for (final TopicInfo topic : broker.topics().all()) {
                response.topics().add(describe(topic));
            }
        } else {
            final boolean autoCreate = broker.autoCreateTopics() && (version < 4 || request.allowAutoTopicCreation());
            for (final MetadataRequestData.MetadataRequestTopic wanted : request.topics()) {
                response.topics().add(lookup(wanted, autoCreate));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private MetadataResponseTopic lookup(final MetadataRequestData.MetadataRequestTopic wanted, final boolean autoCreate) {
        if (wanted.name() == null) {
            final Uuid id = wanted.topicId();
            return broker.topics().get(id).map(this::describe).orElseGet(() -> new MetadataResponseTopic()
                    .setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
        }
        final String name = wanted.name();
        if (!TopicNames.isValid(name)) {
            return error(name, Errors.INVALID_TOPIC_EXCEPTION);
        }
        Optional<TopicInfo> topic = broker.topics().get(name);
        if (topic.isEmpty() && autoCreate) {
            try {
                topic = Optional.of(broker.createTopic(name, broker.defaultPartitions(), Map.of()));
            } catch (TopicExistsException raced) {
                topic = broker.topics().get(name);
            } catch (ApiException e) {
                return error(name, Errors.forException(e));
            }
        }
        return topic.map(this::describe).orElseGet(() -> error(name, Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }

    private static MetadataResponseTopic error(final String name, final Errors error) {
        return new MetadataResponseTopic().setName(name).setErrorCode(error.code())
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }

    private MetadataResponseTopic describe(final TopicInfo topic) {
        final List<Integer> replicas = List.of(broker.nodeId());
        final Collection<MetadataResponsePartition> partitions = new ArrayList<>(topic.partitions());
        for (int p = 0; p < topic.partitions(); p++) {
            partitions.add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setLeaderId(broker.nodeId())
                    .setLeaderEpoch(broker.leaderEpoch())
                    .setReplicaNodes(replicas)
                    .setIsrNodes(replicas)
                    .setOfflineReplicas(List.of()));
        }
        return new MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(topic.isInternal())
                .setPartitions(new ArrayList<>(partitions))
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }
}
