package dev.fjord.server.txn;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.group.OffsetsTopicLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** ADD_OFFSETS_TO_TXN: the group's {@code __consumer_offsets} partition joins the producer's transaction. */
public final class AddOffsetsToTxnHandler implements ApiHandler<AddOffsetsToTxnRequestData> {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private final TransactionCoordinator coordinator;
    private final GroupCoordinator groups;

    public AddOffsetsToTxnHandler(final TransactionCoordinator coordinator, final GroupCoordinator groups) {
        this.coordinator = coordinator;
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<AddOffsetsToTxnResponseData> handle(final RequestContext context,
                                                                 final AddOffsetsToTxnRequestData request) {
        if (request.groupId() == null || request.groupId().isEmpty()) {
            return CompletableFuture.completedFuture(new AddOffsetsToTxnResponseData().setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        final TopicPartition offsets = new TopicPartition(OffsetsTopicLog.TOPIC, groups.partitionFor(request.groupId()));
        final short version = context.apiVersion();
        return coordinator.addOffsets(request.transactionalId(), request.producerId(), request.producerEpoch(), offsets)
                .thenApply(e -> new AddOffsetsToTxnResponseData()
                        .setErrorCode(TxnErrors.forVersion(e, version, FIRST_VERSION_WITH_PRODUCER_FENCED).code()));
    }
}
