package dev.fjord.server.group;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * CONSUMER_GROUP_HEARTBEAT (KIP-848): handed to the group coordinator's consumer groups. v0 lets the
 * coordinator pick the member id; v1 (kafka-clients 4) brings its own and may subscribe by regex.
 * Registered only when {@code group.coordinator.rebalance.protocols} lists {@code consumer}.
 */
public final class ConsumerGroupHeartbeatHandler implements ApiHandler<ConsumerGroupHeartbeatRequestData> {
    private final GroupCoordinator coordinator;

    public ConsumerGroupHeartbeatHandler(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ConsumerGroupHeartbeatResponseData> handle(final RequestContext context,
                                                                        final ConsumerGroupHeartbeatRequestData request) {
        return coordinator.consumerGroups().heartbeat(request, context.apiVersion(), context.clientId(),
                "/" + context.clientAddress().getAddress().getHostAddress());
    }
}
