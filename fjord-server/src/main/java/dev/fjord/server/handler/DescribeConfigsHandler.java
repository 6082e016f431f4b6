package dev.fjord.server.handler;

import dev.fjord.common.config.ConfigDef;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.config.BrokerConfig;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs for TOPIC resources (every topic key with its effective value: the topic's own
 * setting, else the broker's server.properties setting, else the built-in default) and BROKER
 * resources (this node's config table as started; all read-only, since Fjord has no dynamic broker
 * configs). Each resource succeeds or fails on its own.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequestData> {
    private final BrokerState broker;
    private final BrokerConfig config;

    public DescribeConfigsHandler(final BrokerState broker, final BrokerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<DescribeConfigsResponseData> handle(final RequestContext context,
                                                                 final DescribeConfigsRequestData request) {
        final short version = context.apiVersion();
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (final DescribeConfigsResource resource : request.resources()) {
            final DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            try {
                final ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
                if (type == ConfigResource.Type.TOPIC) {
                    describeTopic(resource, request, version, result);
                } else if (type == ConfigResource.Type.BROKER) {
                    describeBroker(resource, request, version, result);
                } else {
                    throw new InvalidRequestException("Fjord does not describe configs of resource type " + type);
                }
                result.setErrorMessage(null);
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage()).configs().clear();
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private void describeTopic(final DescribeConfigsResource resource, final DescribeConfigsRequestData request,
                               final short version, final DescribeConfigsResult result) {
        final Optional<TopicInfo> topic = broker.topics().get(resource.resourceName());
        if (topic.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic '" + resource.resourceName() + "' does not exist.");
        }
        for (final TopicConfigs.Described d : broker.topicConfigs().describe(topic.get().configs())) {
            if (!wanted(resource, d.key().name())) {
                continue;
            }
            final DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(d.key().name())
                    .setValue(d.value()).setReadOnly(false).setIsSensitive(false).setConfigSource(source(d.source()));
            if (request.includeSynonyms()) {
                for (final TopicConfigs.Synonym s : d.synonyms()) {
                    entry.synonyms().add(new DescribeConfigsSynonym().setName(s.name()).setValue(s.value())
                            .setSource(source(s.source())));
                }
            }
            if (version >= 3) {
                entry.setConfigType(ConfigType.valueOf(d.key().type().name()).id());
                entry.setDocumentation(request.includeDocumentation() ? d.key().doc() : null);
            }
            result.configs().add(entry);
        }
    }

    private void describeBroker(final DescribeConfigsResource resource, final DescribeConfigsRequestData request,
                                final short version, final DescribeConfigsResult result) {
        final String name = resource.resourceName();
        if (name.isEmpty()) {
            return; // The cluster-wide dynamic defaults: Fjord has none.
        }
        if (!name.equals(String.valueOf(broker.nodeId()))) {
            throw new InvalidRequestException("Unexpected broker id, expected " + broker.nodeId()
                    + " or empty string, but received " + name);
        }
        for (final ConfigDef.ConfigKey key : BrokerConfig.definition().keys()) {
            if (key.ignored() || !wanted(resource, key.name())) {
                continue;
            }
            final String set = config.originals().get(key.name());
            final String value = set != null ? set.trim()
                    : key.defaultValue() == null || key.defaultValue() == ConfigDef.REQUIRED ? null
                    : ConfigDef.format(key.defaultValue());
            final byte source = set != null ? ConfigSource.STATIC_BROKER_CONFIG.id() : ConfigSource.DEFAULT_CONFIG.id();
            final DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(key.name())
                    .setValue(value).setReadOnly(true).setIsSensitive(false).setConfigSource(source);
            if (request.includeSynonyms()) {
                // As Kafka: the server.properties setting if any, then the built-in default if there is one.
                if (set != null) {
                    entry.synonyms().add(new DescribeConfigsSynonym().setName(key.name()).setValue(value).setSource(source));
                }
                if (key.defaultValue() != null && key.defaultValue() != ConfigDef.REQUIRED) {
                    entry.synonyms().add(new DescribeConfigsSynonym().setName(key.name())
                            .setValue(ConfigDef.format(key.defaultValue())).setSource(ConfigSource.DEFAULT_CONFIG.id()));
                }
            }
            if (version >= 3) {
                entry.setConfigType(configType(key.type()).id());
                entry.setDocumentation(request.includeDocumentation() ? key.doc() : null);
            }
            result.configs().add(entry);
        }
    }

    private static boolean wanted(final DescribeConfigsResource resource, final String key) {
        final List<String> keys = resource.configurationKeys();
        return keys == null || keys.isEmpty() || keys.contains(key);
    }

    private static byte source(final TopicConfigs.Source source) {
        return switch (source) {
            case TOPIC -> ConfigSource.TOPIC_CONFIG.id();
            case STATIC_BROKER -> ConfigSource.STATIC_BROKER_CONFIG.id();
            case DEFAULT -> ConfigSource.DEFAULT_CONFIG.id();
        };
    }

    private static ConfigType configType(final ConfigDef.Type type) {
        return switch (type) {
            case INT -> ConfigType.INT;
            case LONG -> ConfigType.LONG;
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case LIST -> ConfigType.LIST;
        };
    }
}
