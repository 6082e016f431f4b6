package dev.fjord.server.group;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/** JOIN_GROUP: handed to the group coordinator. */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequestData> {
    private final GroupCoordinator coordinator;

    public JoinGroupHandler(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<JoinGroupResponseData> handle(final RequestContext context, final JoinGroupRequestData request) {
        return coordinator.joinGroup(request, context.apiVersion(), context.clientId(),
                "/" + context.clientAddress().getAddress().getHostAddress());
    }
}
