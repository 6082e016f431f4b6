package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a topic's own configs or on the dynamic
 * broker configs; the result is validated as a whole, then stored and applied to the live logs unless
 * {@code validate_only}. Each
 * resource succeeds or fails on its own; a resource named twice fails both times.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequestData> {
    private final BrokerState broker;

    public IncrementalAlterConfigsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
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
    public CompletableFuture<IncrementalAlterConfigsResponseData> handle(final RequestContext context,
                                                                         final IncrementalAlterConfigsRequestData request) {
        final IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
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
        if (TopicConfigAlterations.isBroker(r.resourceType())) {
            final List<String> setKeys = r.configs().stream()
                    .filter(c -> c.configOperation() != TopicConfigAlterations.DELETE).map(AlterableConfig::name).toList();
            BrokerConfigAlterations.alter(broker, r.resourceName(), setKeys, settings -> {
                for (final AlterableConfig c : r.configs()) {
                    TopicConfigAlterations.apply(settings, c.configOperation(), c.name(), c.value(),
                            BrokerConfigAlterations.isList(c.name()), () -> BrokerConfigAlterations.effective(broker, c.name()));
                }
            }, validateOnly);
            return;
        }
        final TopicInfo topic = TopicConfigAlterations.resolve(broker, r.resourceType(), r.resourceName());
        final Map<String, String> overrides = new HashMap<>(topic.configs());
        for (final AlterableConfig c : r.configs()) {
            TopicConfigAlterations.apply(broker, overrides, c.configOperation(), c.name(), c.value());
        }
        TopicConfigAlterations.commit(broker, topic, overrides, validateOnly);
    }
}
