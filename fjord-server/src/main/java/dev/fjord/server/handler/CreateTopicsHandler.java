package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicNames;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * CreateTopics: validates each topic (name, partition count, replication factor — at most 1 on a
 * single node —, manual assignment, configs) and creates it unless {@code validate_only}. Each topic
 * succeeds or fails on its own.
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequestData> {
    private final BrokerState broker;

    public CreateTopicsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletableFuture<CreateTopicsResponseData> handle(final RequestContext context,
                                                              final CreateTopicsRequestData request) {
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (final CreatableTopic t : request.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        for (final CreatableTopic t : request.topics()) {
            final CreatableTopicResult result = new CreatableTopicResult().setName(t.name());
            if (duplicated.contains(t.name())) {
                if (response.topics().find(t.name()) == null) {
                    fail(result, new InvalidRequestException("Create topics request from client `" + context.clientId()
                            + "` contains multiple entries for the following topics: " + t.name()));
                    response.topics().add(result);
                }
                continue;
            }
            try {
                create(t, request.validateOnly(), result);
            } catch (ApiException e) {
                fail(result, e);
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static void fail(final CreatableTopicResult result, final ApiException e) {
        result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage())
                .setNumPartitions(-1).setReplicationFactor((short) -1).setTopicConfigErrorCode(Errors.NONE.code());
    }

    private void create(final CreatableTopic t, final boolean validateOnly, final CreatableTopicResult result) {
        TopicNames.validate(t.name());
        if (broker.topics().get(t.name()).isPresent()) {
            throw new TopicExistsException("Topic '" + t.name() + "' already exists.");
        }
        final int partitions = partitionCount(t);
        final short replicationFactor = t.replicationFactor() == -1 ? broker.defaultReplicationFactor() : t.replicationFactor();
        if (t.assignments().isEmpty() && replicationFactor != 1) {
            if (replicationFactor <= 0) {
                throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 to use the default value.");
            }
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only 1 broker(s) are registered.");
        }
        final Map<String, String> configs = new HashMap<>();
        for (final CreateTopicsRequestData.CreatableTopicConfig c : t.configs()) {
            configs.put(c.name(), c.value());
        }
        TopicConfigs.validate(configs);
        final TopicInfo topic = validateOnly
                ? new TopicInfo(t.name(), org.apache.kafka.common.Uuid.ZERO_UUID, partitions, configs)
                : broker.createTopic(t.name(), partitions, configs);
        result.setTopicId(topic.id()).setNumPartitions(partitions).setReplicationFactor((short) 1);
        for (final TopicConfigs.Described d : broker.topicConfigs().describe(configs)) {
            result.configs().add(new CreatableTopicConfigs().setName(d.key().name()).setValue(d.value())
                    .setConfigSource(switch (d.source()) {
                        case TOPIC -> DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id();
                        case DYNAMIC_BROKER -> DescribeConfigsResponse.ConfigSource.DYNAMIC_BROKER_CONFIG.id();
                        case DYNAMIC_DEFAULT_BROKER -> DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id();
                        case STATIC_BROKER -> DescribeConfigsResponse.ConfigSource.STATIC_BROKER_CONFIG.id();
                        case DEFAULT -> DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id();
                    })
                    .setReadOnly(false).setIsSensitive(false));
        }
    }

    private int partitionCount(final CreatableTopic t) {
        if (!t.assignments().isEmpty()) {
            if (t.numPartitions() != -1 || t.replicationFactor() != -1) {
                throw new InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments were set. "
                        + "Both cannot be used at the same time.");
            }
            final Set<Integer> indexes = new HashSet<>();
            for (final CreateTopicsRequestData.CreatableReplicaAssignment a : t.assignments()) {
                if (!a.brokerIds().equals(java.util.List.of(broker.nodeId()))) {
                    throw new InvalidReplicaAssignmentException("Partition " + a.partitionIndex() + " is assigned to brokers "
                            + a.brokerIds() + ", but the only broker is " + broker.nodeId());
                }
                indexes.add(a.partitionIndex());
            }
            for (int p = 0; p < indexes.size(); p++) {
                if (!indexes.contains(p)) {
                    throw new InvalidReplicaAssignmentException("Partitions should be numbered 0.." + (indexes.size() - 1));
                }
            }
            return indexes.size();
        }
        final int n = t.numPartitions() == -1 ? broker.defaultPartitions() : t.numPartitions();
        if (n <= 0) {
            throw new InvalidPartitionsException("Number of partitions was set to an invalid non-positive value.");
        }
        return n;
    }
}
