package dev.fjord.server.group;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** OFFSET_FETCH: handed to the group coordinator. */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequestData> {
    private final GroupCoordinator coordinator;

    public OffsetFetchHandler(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<OffsetFetchResponseData> handle(final RequestContext context, final OffsetFetchRequestData request) {
        return coordinator.offsets().fetch(request, context.apiVersion());
    }
}
