package dev.fjord.server.txn;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * TXN_OFFSET_COMMIT v0-4, handed to the group coordinator. v5+ (KIP-890 verification) is not advertised.
 */
public final class TxnOffsetCommitHandler implements ApiHandler<TxnOffsetCommitRequestData> {
    private final GroupCoordinator groups;

    public TxnOffsetCommitHandler(final GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
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
    public CompletableFuture<TxnOffsetCommitResponseData> handle(final RequestContext context,
                                                                 final TxnOffsetCommitRequestData request) {
        return groups.offsets().txnCommit(request, context.apiVersion());
    }
}
