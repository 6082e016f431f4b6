package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** DescribeCluster: this node is the whole cluster and its controller. */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequestData> {
    /** Endpoint type 1 asks for brokers; 2 (controllers) is not served by a broker listener. */
    private static final byte ENDPOINT_TYPE_BROKERS = 1;

    private final BrokerState broker;

    public DescribeClusterHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
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
    public CompletableFuture<DescribeClusterResponseData> handle(final RequestContext context,
                                                                 final DescribeClusterRequestData request) {
        final DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(broker.clusterId())
                .setControllerId(broker.nodeId())
                .setEndpointType(ENDPOINT_TYPE_BROKERS)
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (context.apiVersion() >= 1 && request.endpointType() != ENDPOINT_TYPE_BROKERS) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("This is a broker listener; it only describes brokers"));
        }
        response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                .setBrokerId(broker.nodeId()).setHost(broker.advertisedHost()).setPort(broker.advertisedPort()));
        return CompletableFuture.completedFuture(response);
    }
}
