package dev.fjord.server.group;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.handler.BrokerState;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * FindCoordinator: this node coordinates every group and every transactional id. Other key types
 * (share groups) get COORDINATOR_NOT_AVAILABLE. v4+ asks for many keys at once.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequestData> {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;

    private final BrokerState broker;

    public FindCoordinatorHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<FindCoordinatorResponseData> handle(final RequestContext context,
                                                                 final FindCoordinatorRequestData request) {
        final FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() >= 4) {
            for (final String key : request.coordinatorKeys()) {
                response.coordinators().add(coordinatorFor(key, request.keyType()));
            }
            return CompletableFuture.completedFuture(response);
        }
        final FindCoordinatorResponseData.Coordinator c = coordinatorFor(request.key(), request.keyType());
        response.setErrorCode(c.errorCode()).setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        if (context.apiVersion() >= 1) {
            response.setErrorMessage(c.errorMessage());
        }
        return CompletableFuture.completedFuture(response);
    }

    private FindCoordinatorResponseData.Coordinator coordinatorFor(final String key, final byte keyType) {
        final FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key);
        if (keyType != GROUP && keyType != TRANSACTION) {
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setNodeId(-1).setHost("").setPort(-1)
                    .setErrorMessage("This broker has no coordinator for key type " + keyType);
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setNodeId(-1).setHost("").setPort(-1)
                    .setErrorMessage(keyType == GROUP ? "The group id is empty" : "The transactional id is empty");
        }
        return c.setNodeId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort());
    }

}
