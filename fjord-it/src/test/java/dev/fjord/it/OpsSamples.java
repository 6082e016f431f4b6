package dev.fjord.it;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Sample requests for the operations APIs (configs, partitions, records, log dirs) at any version, for
 * {@link ApiVersionSweepTest}. They work on the sweep's topic {@code sweep} and broker 1.
 */
final class OpsSamples {
    private OpsSamples() {
    }

    static final Map<ApiKeys, Function<Short, ApiMessage>> ALL = Map.ofEntries(
            Map.entry(ApiKeys.DESCRIBE_CONFIGS, OpsSamples::describeConfigs));

    private static ApiMessage describeConfigs(final short v) {
        final DescribeConfigsRequestData r = new DescribeConfigsRequestData().setIncludeSynonyms(true)
                .setIncludeDocumentation(v >= 3);
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                .setResourceName("sweep").setConfigurationKeys(null));
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                .setResourceName("ghost").setConfigurationKeys(null));
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4)
                .setResourceName("1").setConfigurationKeys(List.of("log.dirs", "num.partitions")));
        return r;
    }
}
