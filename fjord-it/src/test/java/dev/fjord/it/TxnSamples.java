package dev.fjord.it;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sample requests for the transaction APIs at any version, for {@link ApiVersionSweepTest}. They use the
 * producer id and epoch that the sweep obtains for {@link #TXN_ID} first, so they reach the success path.
 */
final class TxnSamples {
    static final String TXN_ID = "sweep-txn";
    static volatile long producerId = -1;
    static volatile short producerEpoch = -1;

    private TxnSamples() {
    }

    static final Map<ApiKeys, Function<Short, ApiMessage>> ALL = Map.of(
            ApiKeys.ADD_PARTITIONS_TO_TXN, TxnSamples::addPartitions,
            ApiKeys.ADD_OFFSETS_TO_TXN, v -> new AddOffsetsToTxnRequestData().setTransactionalId(TXN_ID)
                    .setProducerId(producerId).setProducerEpoch(producerEpoch).setGroupId("sweep-group"),
            ApiKeys.END_TXN, v -> new EndTxnRequestData().setTransactionalId(TXN_ID).setProducerId(producerId)
                    .setProducerEpoch(producerEpoch).setCommitted(true),
            ApiKeys.TXN_OFFSET_COMMIT, TxnSamples::txnOffsetCommit,
            ApiKeys.DESCRIBE_TRANSACTIONS, v -> new DescribeTransactionsRequestData().setTransactionalIds(List.of(TXN_ID, "ghost")),
            ApiKeys.LIST_TRANSACTIONS, v -> new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "CompleteCommit")),
            ApiKeys.DESCRIBE_PRODUCERS, v -> {
                final DescribeProducersRequestData r = new DescribeProducersRequestData();
                r.topics().add(new DescribeProducersRequestData.TopicRequest().setName("sweep").setPartitionIndexes(List.of(0, 9)));
                return r;
            },
            ApiKeys.WRITE_TXN_MARKERS, v -> new WriteTxnMarkersRequestData().setMarkers(List.of(
                    new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(producerId).setProducerEpoch(producerEpoch)
                            .setTransactionResult(false).setCoordinatorEpoch(0).setTopics(List.of(
                                    new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName("sweep")
                                            .setPartitionIndexes(List.of(0)))))));

    private static ApiMessage addPartitions(final short v) {
        final AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("sweep").setPartitions(List.of(0)));
        return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(TXN_ID).setV3AndBelowProducerId(producerId)
                .setV3AndBelowProducerEpoch(producerEpoch).setV3AndBelowTopics(topics);
    }

    private static ApiMessage txnOffsetCommit(final short v) {
        return new TxnOffsetCommitRequestData().setTransactionalId(TXN_ID).setGroupId("sweep-txn-group")
                .setProducerId(producerId).setProducerEpoch(producerEpoch).setTopics(List.of(
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("sweep").setPartitions(List.of(
                                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                                        .setCommittedOffset(1).setCommittedMetadata("")))));
    }
}
