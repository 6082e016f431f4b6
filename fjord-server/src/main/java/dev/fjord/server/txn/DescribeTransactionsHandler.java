package dev.fjord.server.txn;

import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** DESCRIBE_TRANSACTIONS: the state of transactional ids (used by {@code kafka-transactions describe}). */
public final class DescribeTransactionsHandler implements ApiHandler<DescribeTransactionsRequestData> {
    private final TransactionCoordinator coordinator;

    public DescribeTransactionsHandler(final TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
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
    public CompletableFuture<DescribeTransactionsResponseData> handle(final RequestContext context,
                                                                      final DescribeTransactionsRequestData request) {
        return coordinator.describe(request.transactionalIds());
    }
}
