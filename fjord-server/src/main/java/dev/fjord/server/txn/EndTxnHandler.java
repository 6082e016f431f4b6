package dev.fjord.server.txn;

import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * END_TXN v0-4: commit or abort. v5 (transaction protocol v2, which returns a new epoch) is not
 * advertised: this broker does not enable {@code transaction.version} 2.
 */
public final class EndTxnHandler implements ApiHandler<EndTxnRequestData> {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private final TransactionCoordinator coordinator;

    public EndTxnHandler(final TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
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
    public CompletableFuture<EndTxnResponseData> handle(final RequestContext context, final EndTxnRequestData request) {
        final short version = context.apiVersion();
        return coordinator.endTxn(request.transactionalId(), request.producerId(), request.producerEpoch(), request.committed())
                .thenApply(e -> new EndTxnResponseData()
                        .setErrorCode(TxnErrors.forVersion(e, version, FIRST_VERSION_WITH_PRODUCER_FENCED).code()));
    }
}
