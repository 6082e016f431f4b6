package dev.fjord.server.txn;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.partition.PartitionManager;
import dev.fjord.storage.log.PartitionLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DESCRIBE_PRODUCERS: the producers a partition remembers and the start offset of each one's open
 * transaction ({@code kafka-transactions describe-producers} / {@code find-hanging}). The coordinator
 * epoch is not kept per producer and is answered as -1.
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequestData> {
    private final PartitionManager partitions;

    public DescribeProducersHandler(final PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<DescribeProducersResponseData> handle(final RequestContext context,
                                                                   final DescribeProducersRequestData request) {
        final DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (final DescribeProducersRequestData.TopicRequest t : request.topics()) {
            final DescribeProducersResponseData.TopicResponse rt = new DescribeProducersResponseData.TopicResponse().setName(t.name());
            for (final int p : t.partitionIndexes()) {
                final DescribeProducersResponseData.PartitionResponse rp =
                        new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(p);
                final PartitionLog log = partitions.get(new TopicPartition(t.name(), p));
                if (log == null) {
                    rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else {
                    for (final PartitionLog.ProducerInfo info : log.producers()) {
                        rp.activeProducers().add(new DescribeProducersResponseData.ProducerState()
                                .setProducerId(info.producerId()).setProducerEpoch(info.epoch())
                                .setLastSequence(info.lastSequence()).setLastTimestamp(info.lastTimestamp()).setCoordinatorEpoch(-1)
                                .setCurrentTxnStartOffset(info.txnStartOffset()));
                    }
                }
                rt.partitions().add(rp);
            }
            response.topics().add(rt);
        }
        return CompletableFuture.completedFuture(response);
    }
}
