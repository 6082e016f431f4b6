package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** ApiVersions: the versions of every API we serve, from the dispatch table. No features are finalized. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequestData> {
    private final Supplier<ApiVersionsResponseData> table;

    public ApiVersionsHandler(final Supplier<ApiVersionsResponseData> table) {
        this.table = table;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiVersionsResponseData> handle(final RequestContext context,
                                                             final ApiVersionsRequestData request) {
        return CompletableFuture.completedFuture(table.get());
    }
}
