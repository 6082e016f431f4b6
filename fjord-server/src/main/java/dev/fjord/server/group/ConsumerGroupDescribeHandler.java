package dev.fjord.server.group;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * CONSUMER_GROUP_DESCRIBE (KIP-848): members, epochs and assignments of consumer groups. A classic group
 * gets GROUP_ID_NOT_FOUND, on which the admin client falls back to DescribeGroups.
 */
public final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequestData> {
    private final GroupCoordinator coordinator;

    public ConsumerGroupDescribeHandler(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
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
    public CompletableFuture<ConsumerGroupDescribeResponseData> handle(final RequestContext context,
                                                                       final ConsumerGroupDescribeRequestData request) {
        return coordinator.consumerGroups().describe(request.groupIds(), context.apiVersion());
    }
}
