package dev.fjord.server.handler;

import dev.fjord.common.config.ConfigDef;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.config.BrokerConfig;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
 * setting, else a dynamic broker setting, else server.properties, else the built-in default) and
 * BROKER resources: this node's ("1") config table, where only the dynamic keys are not read-only, or
 * the cluster-wide dynamic defaults (""). Each resource succeeds or fails on its own.
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
        final Map<String, String> clusterDefaults = broker.dynamicConfigs().clusterDefaults();
        if (BrokerConfigAlterations.isClusterDefault(broker, resource.resourceName())) {
            // As Kafka: the cluster-wide defaults are only what was set dynamically for the whole cluster.
            for (final Map.Entry<String, String> e : new TreeMap<>(clusterDefaults).entrySet()) {
                final TopicConfigs.Key topicKey = TopicConfigs.dynamicBrokerKeys().get(e.getKey());
                if (topicKey != null && wanted(resource, e.getKey())) {
                    final List<Synonym> synonyms = List.of(new Synonym(e.getValue(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
                    result.configs().add(brokerEntry(e.getKey(), synonyms, false, ConfigType.valueOf(topicKey.type().name()),
                            topicKey.doc(), request, version));
                }
            }
            return;
        }
        final Map<String, String> node = broker.dynamicConfigs().node();
        final Set<String> listed = new HashSet<>();
        for (final ConfigDef.ConfigKey key : BrokerConfig.definition().keys()) {
            if (key.ignored() || !listed.add(key.name()) || !wanted(resource, key.name())) {
                continue;
            }
            final String builtIn = key.defaultValue() == null || key.defaultValue() == ConfigDef.REQUIRED ? null
                    : ConfigDef.format(key.defaultValue());
            result.configs().add(brokerEntry(key.name(), synonyms(key.name(), node, clusterDefaults, builtIn),
                    !TopicConfigs.dynamicBrokerKeys().containsKey(key.name()), configType(key.type()), key.doc(), request, version));
        }
        // The topic keys' broker defaults that server.properties' table does not list (compression.type, ...).
        for (final Map.Entry<String, TopicConfigs.Key> e : TopicConfigs.dynamicBrokerKeys().entrySet()) {
            if (!listed.add(e.getKey()) || !wanted(resource, e.getKey())) {
                continue;
            }
            final TopicConfigs.Key topicKey = e.getValue();
            result.configs().add(brokerEntry(e.getKey(), synonyms(e.getKey(), node, clusterDefaults, topicKey.kafkaDefault()),
                    false, ConfigType.valueOf(topicKey.type().name()), topicKey.doc(), request, version));
        }
    }

    /** One value behind a broker key and where it is set. */
    private record Synonym(String value, ConfigSource source) {
    }

    /** The settings of a broker key, most specific first: this node's dynamic, the cluster's dynamic, server.properties, built in. */
    private List<Synonym> synonyms(final String name, final Map<String, String> node, final Map<String, String> clusterDefaults,
                                   final String builtIn) {
        final List<Synonym> out = new ArrayList<>(4);
        if (node.containsKey(name)) {
            out.add(new Synonym(node.get(name), ConfigSource.DYNAMIC_BROKER_CONFIG));
        }
        if (clusterDefaults.containsKey(name)) {
            out.add(new Synonym(clusterDefaults.get(name), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
        }
        final String set = config.originals().get(name);
        if (set != null) {
            out.add(new Synonym(set.trim(), ConfigSource.STATIC_BROKER_CONFIG));
        }
        if (builtIn != null) {
            out.add(new Synonym(builtIn, ConfigSource.DEFAULT_CONFIG));
        }
        return out;
    }

    private static DescribeConfigsResourceResult brokerEntry(final String name, final List<Synonym> synonyms,
                                                             final boolean readOnly, final ConfigType type, final String doc,
                                                             final DescribeConfigsRequestData request, final short version) {
        final Synonym effective = synonyms.isEmpty() ? new Synonym(null, ConfigSource.DEFAULT_CONFIG) : synonyms.get(0);
        final DescribeConfigsResourceResult entry = new DescribeConfigsResourceResult().setName(name)
                .setValue(effective.value()).setReadOnly(readOnly).setIsSensitive(false).setConfigSource(effective.source().id());
        if (request.includeSynonyms()) {
            for (final Synonym s : synonyms) {
                entry.synonyms().add(new DescribeConfigsSynonym().setName(name).setValue(s.value()).setSource(s.source().id()));
            }
        }
        if (version >= 3) {
            entry.setConfigType(type.id());
            entry.setDocumentation(request.includeDocumentation() ? doc : null);
        }
        return entry;
    }

    private static boolean wanted(final DescribeConfigsResource resource, final String key) {
        final List<String> keys = resource.configurationKeys();
        return keys == null || keys.isEmpty() || keys.contains(key);
    }

    private static byte source(final TopicConfigs.Source source) {
        return switch (source) {
            case TOPIC -> ConfigSource.TOPIC_CONFIG.id();
            case DYNAMIC_BROKER -> ConfigSource.DYNAMIC_BROKER_CONFIG.id();
            case DYNAMIC_DEFAULT_BROKER -> ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id();
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
