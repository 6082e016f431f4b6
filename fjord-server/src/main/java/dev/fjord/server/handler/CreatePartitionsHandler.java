package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * CreatePartitions: raises a topic's partition count (never lowers it), creating the new partitions'
 * logs and recording the count in the topic catalogue, unless {@code validate_only}. The next Metadata
 * answer shows the new partitions, so producers use them and consumer groups rebalance onto them.
 * Manual assignments must place every new partition on this node. Each topic succeeds or fails on its own.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequestData> {
    private final BrokerState broker;

    public CreatePartitionsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<CreatePartitionsResponseData> handle(final RequestContext context,
                                                                  final CreatePartitionsRequestData request) {
        final CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (final CreatePartitionsTopic t : request.topics()) {
            if (!seen.add(t.name())) {
                duplicated.add(t.name());
            }
        }
        for (final CreatePartitionsTopic t : request.topics()) {
            final CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
            try {
                if (duplicated.contains(t.name())) {
                    throw new InvalidRequestException("Duplicate topic in request: " + t.name());
                }
                grow(t, request.validateOnly());
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void grow(final CreatePartitionsTopic t, final boolean validateOnly) {
        final TopicInfo topic = broker.topics().get(t.name()).orElseThrow(
                () -> new UnknownTopicOrPartitionException("Topic '" + t.name() + "' does not exist."));
        if (topic.isInternal()) {
            throw new InvalidRequestException("Fjord does not add partitions to internal topic " + t.name()
                    + ": its coordinator maps keys to partitions by the partition count.");
        }
        checkCount(topic.partitions(), t.count());
        final List<CreatePartitionsAssignment> assignments = t.assignments();
        if (assignments != null) {
            if (assignments.size() != t.count() - topic.partitions()) {
                throw new InvalidReplicaAssignmentException("Increasing the number of partitions by "
                        + (t.count() - topic.partitions()) + " but " + assignments.size() + " assignments provided.");
            }
            for (final CreatePartitionsAssignment a : assignments) {
                if (!a.brokerIds().equals(List.of(broker.nodeId()))) {
                    throw new InvalidReplicaAssignmentException("A new partition is assigned to brokers " + a.brokerIds()
                            + ", but the only broker is " + broker.nodeId());
                }
            }
        }
        if (!validateOnly) {
            broker.addPartitions(t.name(), t.count());
        }
    }

    static void checkCount(final int current, final int requested) {
        if (requested < current) {
            throw new InvalidPartitionsException("Topic currently has " + current + " partitions, which is higher than "
                    + "the requested " + requested + ". Partitions can only be added, never removed.");
        }
        if (requested == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partition(s).");
        }
    }
}
