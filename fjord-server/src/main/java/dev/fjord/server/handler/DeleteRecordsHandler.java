package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.storage.log.PartitionLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DeleteRecords: moves each partition's log start offset up to the requested offset ({@code -1}: the
 * high watermark) and answers the resulting low watermark. Beyond the high watermark is
 * OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks {@code delete} is POLICY_VIOLATION, as in
 * Kafka. On one node the change is durable when answered, so {@code timeout_ms} is not needed.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequestData> {
    /** The request's offset meaning "up to the high watermark". */
    private static final long HIGH_WATERMARK = -1L;

    private final BrokerState broker;

    public DeleteRecordsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<DeleteRecordsResponseData> handle(final RequestContext context,
                                                               final DeleteRecordsRequestData request) {
        final DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (final DeleteRecordsTopic topic : request.topics()) {
            final DeleteRecordsTopicResult result = new DeleteRecordsTopicResult().setName(topic.name());
            final Optional<TopicInfo> info = broker.topics().get(topic.name());
            for (final DeleteRecordsPartition p : topic.partitions()) {
                final DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                try {
                    out.setLowWatermark(delete(info, new TopicPartition(topic.name(), p.partitionIndex()), p.offset()));
                    out.setErrorCode(Errors.NONE.code());
                } catch (ApiException e) {
                    out.setErrorCode(Errors.forException(e).code());
                }
                result.partitions().add(out);
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private long delete(final Optional<TopicInfo> topic, final TopicPartition tp, final long offset) {
        final PartitionLog log = topic.isEmpty() ? null : broker.partitions().get(tp);
        if (log == null) {
            throw new UnknownTopicOrPartitionException("This server does not host " + tp);
        }
        if (!broker.topicConfigs().deletes(topic.get().configs())) {
            throw new PolicyViolationException("Records of " + tp + " cannot be deleted: cleanup.policy is "
                    + broker.topicConfigs().effective(topic.get().configs(), "cleanup.policy"));
        }
        if (offset < HIGH_WATERMARK) {
            throw new OffsetOutOfRangeException("Offset " + offset + " is not a valid offset to delete records before");
        }
        return log.deleteRecordsBefore(offset == HIGH_WATERMARK ? log.highWatermark() : offset);
    }
}
