package dev.fjord.server.txn;

import dev.fjord.coordinator.txn.TxnMarkerWriter;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * WRITE_TXN_MARKERS v1-2: writes COMMIT/ABORT markers into partitions on request. Our own coordinator
 * writes markers locally; this serves {@code Admin.abortTransaction} ({@code kafka-transactions abort}),
 * the way out of a hanging transaction that no coordinator will end.
 */
public final class WriteTxnMarkersHandler implements ApiHandler<WriteTxnMarkersRequestData> {
    private final TxnMarkerWriter markers;

    public WriteTxnMarkersHandler(final TxnMarkerWriter markers) {
        this.markers = markers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.WRITE_TXN_MARKERS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<WriteTxnMarkersResponseData> handle(final RequestContext context,
                                                                 final WriteTxnMarkersRequestData request) {
        final WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        for (final WriteTxnMarkersRequestData.WritableTxnMarker m : request.markers()) {
            final WriteTxnMarkersResponseData.WritableTxnMarkerResult result =
                    new WriteTxnMarkersResponseData.WritableTxnMarkerResult().setProducerId(m.producerId());
            for (final WriteTxnMarkersRequestData.WritableTxnMarkerTopic t : m.topics()) {
                final WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult rt =
                        new WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult().setName(t.name());
                for (final int p : t.partitionIndexes()) {
                    Errors error = Errors.NONE;
                    try {
                        markers.writeMarker(new TopicPartition(t.name(), p), m.producerId(), m.producerEpoch(),
                                m.coordinatorEpoch(), m.transactionResult());
                    } catch (ApiException e) {
                        error = Errors.forException(e);
                    }
                    rt.partitions().add(new WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult()
                            .setPartitionIndex(p).setErrorCode(error.code()));
                }
                result.topics().add(rt);
            }
            response.markers().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }
}
