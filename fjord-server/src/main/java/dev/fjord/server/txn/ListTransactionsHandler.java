package dev.fjord.server.txn;

import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** LIST_TRANSACTIONS v0-2: filters by state, producer id, duration (v1) and id pattern (v2). */
public final class ListTransactionsHandler implements ApiHandler<ListTransactionsRequestData> {
    private final TransactionCoordinator coordinator;

    public ListTransactionsHandler(final TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_TRANSACTIONS;
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
    public CompletableFuture<ListTransactionsResponseData> handle(final RequestContext context,
                                                                  final ListTransactionsRequestData request) {
        return coordinator.list(request, context.apiVersion());
    }
}
