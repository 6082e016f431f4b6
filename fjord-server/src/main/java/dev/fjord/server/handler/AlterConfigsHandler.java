package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterConfigs (the older, non-incremental API): the configs given replace all of a topic's own
 * configs; keys left out go back to the broker defaults. Same validation, persistence and per-resource
 * errors as {@link IncrementalAlterConfigsHandler}.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequestData> {
    private final BrokerState broker;

    public AlterConfigsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
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
    public CompletableFuture<AlterConfigsResponseData> handle(final RequestContext context,
                                                              final AlterConfigsRequestData request) {
        final AlterConfigsResponseData response = new AlterConfigsResponseData();
        final Set<String> seen = new HashSet<>();
        final Set<String> duplicated = new HashSet<>();
        for (final AlterConfigsResource r : request.resources()) {
            if (!seen.add(r.resourceType() + "/" + r.resourceName())) {
                duplicated.add(r.resourceType() + "/" + r.resourceName());
            }
        }
        for (final AlterConfigsResource r : request.resources()) {
            final AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(r.resourceType()).setResourceName(r.resourceName());
            try {
                if (duplicated.contains(r.resourceType() + "/" + r.resourceName())) {
                    throw new InvalidRequestException("Resource " + r.resourceName() + " appears more than once in the request");
                }
                alter(r, request.validateOnly());
                result.setErrorCode(Errors.NONE.code()).setErrorMessage(null);
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void alter(final AlterConfigsResource r, final boolean validateOnly) {
        final List<String> keys = new ArrayList<>();
        final Map<String, String> overrides = new HashMap<>();
        for (final AlterableConfig c : r.configs()) {
            if (keys.contains(c.name())) {
                throw new InvalidRequestException("Config " + c.name() + " appears more than once for resource "
                        + r.resourceName());
            }
            keys.add(c.name());
            overrides.put(c.name(), c.value());
        }
        final TopicInfo topic = TopicConfigAlterations.resolve(broker, r.resourceType(), r.resourceName(), keys);
        if (topic != null) {
            TopicConfigAlterations.commit(broker, topic, overrides, validateOnly);
        }
    }
}
