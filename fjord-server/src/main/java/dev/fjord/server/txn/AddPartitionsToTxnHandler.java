package dev.fjord.server.txn;

import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * ADD_PARTITIONS_TO_TXN v0-3, the producer's form. v4+ (KIP-890's broker-to-coordinator verification
 * batches) is not advertised: this broker does not verify produce requests against the coordinator.
 */
public final class AddPartitionsToTxnHandler implements ApiHandler<AddPartitionsToTxnRequestData> {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private final TransactionCoordinator coordinator;

    public AddPartitionsToTxnHandler(final TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
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
    public CompletableFuture<AddPartitionsToTxnResponseData> handle(final RequestContext context,
                                                                    final AddPartitionsToTxnRequestData request) {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic t : request.v3AndBelowTopics()) {
            for (final int p : t.partitions()) {
                partitions.add(new TopicPartition(t.name(), p));
            }
        }
        final short version = context.apiVersion();
        return coordinator.addPartitions(request.v3AndBelowTransactionalId(), request.v3AndBelowProducerId(),
                request.v3AndBelowProducerEpoch(), partitions).thenApply(result -> response(result, version));
    }

    private static AddPartitionsToTxnResponseData response(final Map<TopicPartition, Errors> result, final short version) {
        final AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection topics =
                new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection();
        for (final Map.Entry<TopicPartition, Errors> e : result.entrySet()) {
            AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult topic = topics.find(e.getKey().topic());
            if (topic == null) {
                topic = new AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult().setName(e.getKey().topic());
                topics.add(topic);
            }
            topic.resultsByPartition().add(new AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult()
                    .setPartitionIndex(e.getKey().partition())
                    .setPartitionErrorCode(TxnErrors.forVersion(e.getValue(), version, FIRST_VERSION_WITH_PRODUCER_FENCED).code()));
        }
        return new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(topics);
    }
}
