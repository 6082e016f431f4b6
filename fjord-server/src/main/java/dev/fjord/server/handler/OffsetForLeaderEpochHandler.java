package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.storage.log.PartitionLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetForLeaderEpoch: the end offset of a leader epoch, which clients use to detect log truncation
 * after a leader change. A single node has had one epoch since the log began, so epoch 0 ends at the
 * log end and any later epoch is unknown.
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetForLeaderEpochRequestData> {
    private static final int UNDEFINED = -1;

    private final BrokerState broker;

    public OffsetForLeaderEpochHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<OffsetForLeaderEpochResponseData> handle(final RequestContext context,
                                                                      final OffsetForLeaderEpochRequestData request) {
        final OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : request.topics()) {
            final OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p : topic.partitions()) {
                result.partitions().add(answer(new TopicPartition(topic.topic(), p.partition()), p));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private EpochEndOffset answer(final TopicPartition tp, final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p) {
        final EpochEndOffset out = new EpochEndOffset().setPartition(tp.partition())
                .setLeaderEpoch(UNDEFINED).setEndOffset(UNDEFINED);
        final PartitionLog log = broker.partitions().get(tp);
        if (log == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        final Errors epochError = LeaderEpochs.check(p.currentLeaderEpoch(), broker.leaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        if (p.leaderEpoch() >= 0 && p.leaderEpoch() <= broker.leaderEpoch()) {
            out.setLeaderEpoch(broker.leaderEpoch()).setEndOffset(log.logEndOffset());
        }
        return out;
    }
}
