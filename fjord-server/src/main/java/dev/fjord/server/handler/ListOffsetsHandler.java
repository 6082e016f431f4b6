package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.storage.log.PartitionLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * ListOffsets: earliest, latest, the record with the largest timestamp, or the first record at or
 * after a timestamp. "Latest" is the high watermark for read_uncommitted and the last stable offset
 * for read_committed.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequestData> {
    private static final short FIRST_VERSION_WITH_LEADER_EPOCH = 4;
    private static final byte READ_COMMITTED = 1;
    private final BrokerState broker;

    public ListOffsetsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 11;
    }

    @Override
    public CompletableFuture<ListOffsetsResponseData> handle(final RequestContext context, final ListOffsetsRequestData request) {
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (final ListOffsetsRequestData.ListOffsetsTopic topic : request.topics()) {
            final ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            for (final ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                final ListOffsetsPartitionResponse answer = answer(new TopicPartition(topic.name(), p.partitionIndex()), p,
                        context.apiVersion() >= 2 && request.isolationLevel() == READ_COMMITTED);
                if (context.apiVersion() < FIRST_VERSION_WITH_LEADER_EPOCH) {
                    answer.setLeaderEpoch(-1); // v1-v3 have no such field: a value other than its default cannot be written
                }
                topicResponse.partitions().add(answer);
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private ListOffsetsPartitionResponse answer(final TopicPartition tp, final ListOffsetsRequestData.ListOffsetsPartition p,
                                                final boolean readCommitted) {
        final ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse().setPartitionIndex(tp.partition())
                .setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
        final PartitionLog log = broker.partitions().get(tp);
        if (log == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        final Errors epochError = LeaderEpochs.check(p.currentLeaderEpoch(), broker.leaderEpoch());
        if (epochError != Errors.NONE) {
            return out.setErrorCode(epochError.code());
        }
        try {
            final long ts = p.timestamp();
            if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
                return out.setOffset(readCommitted ? log.lastStableOffset() : log.highWatermark())
                        .setLeaderEpoch(broker.leaderEpoch());
            }
            if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                return out.setOffset(log.logStartOffset()).setLeaderEpoch(broker.leaderEpoch());
            }
            final Optional<PartitionLog.TimestampAndOffset> found;
            if (ts == ListOffsetsRequest.MAX_TIMESTAMP) {
                found = log.maxTimestampAndOffset();
            } else if (ts >= 0) {
                found = log.offsetForTimestamp(ts);
            } else {
                // Tiered-storage lookups (-5 and below): nothing is tiered on this broker.
                found = Optional.empty();
            }
            // A read_committed reader is not told of records it could not read yet (at or past the LSO).
            found.filter(f -> !readCommitted || f.offset() < log.lastStableOffset())
                    .ifPresent(f -> out.setTimestamp(f.timestampMs()).setOffset(f.offset()).setLeaderEpoch(f.leaderEpoch()));
            return out;
        } catch (ApiException e) {
            return out.setErrorCode(Errors.forException(e).code());
        }
    }
}
