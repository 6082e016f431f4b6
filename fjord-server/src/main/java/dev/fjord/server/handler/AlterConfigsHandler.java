package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * AlterConfigs (the older, non-incremental API): the configs given replace all of a topic's own
 * configs, or all dynamic broker configs of a BROKER resource; keys left out go back to the defaults. Same validation, persistence and per-resource
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
        TopicConfigAlterations.eachResource(request.resources(), r -> r.resourceType() + "/" + r.resourceName(),
                AlterConfigsResource::resourceName, r -> alter(r, request.validateOnly()),
                (r, error) -> response.responses().add(new AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType()).setResourceName(r.resourceName())
                        .setErrorCode(error == null ? Errors.NONE.code() : Errors.forException(error).code())
                        .setErrorMessage(error == null ? null : error.getMessage())));
        return CompletableFuture.completedFuture(response);
    }

    private void alter(final AlterConfigsResource r, final boolean validateOnly) {
        TopicConfigAlterations.distinctKeys(r.configs().stream().map(AlterableConfig::name).toList(), r.resourceName());
        final Map<String, String> given = new HashMap<>();
        for (final AlterableConfig c : r.configs()) {
            given.put(c.name(), c.value());
        }
        if (TopicConfigAlterations.isBroker(r.resourceType())) {
            // The legacy call replaces the whole set of the scope, as it replaces a topic's overrides.
            BrokerConfigAlterations.alter(broker, r.resourceName(), List.copyOf(given.keySet()), settings -> {
                settings.clear();
                settings.putAll(given);
            }, validateOnly);
            return;
        }
        final TopicInfo topic = TopicConfigAlterations.resolve(broker, r.resourceType(), r.resourceName());
        TopicConfigAlterations.commit(broker, topic, given, validateOnly);
    }
}
