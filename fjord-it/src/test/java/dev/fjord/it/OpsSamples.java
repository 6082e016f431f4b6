package dev.fjord.it;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
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
            Map.entry(ApiKeys.DESCRIBE_CONFIGS, OpsSamples::describeConfigs),
            Map.entry(ApiKeys.ALTER_CONFIGS, OpsSamples::alterConfigs),
            Map.entry(ApiKeys.INCREMENTAL_ALTER_CONFIGS, OpsSamples::incrementalAlterConfigs),
            Map.entry(ApiKeys.CREATE_PARTITIONS, OpsSamples::createPartitions),
            Map.entry(ApiKeys.DELETE_RECORDS, OpsSamples::deleteRecords),
            Map.entry(ApiKeys.DESCRIBE_LOG_DIRS, OpsSamples::describeLogDirs));

    private static ApiMessage describeLogDirs(final short v) {
        if (v % 2 == 0) {
            return new DescribeLogDirsRequestData().setTopics(null);
        }
        final DescribeLogDirsRequestData r = new DescribeLogDirsRequestData();
        r.topics().add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("sweep").setPartitions(List.of(0, 3)));
        return r;
    }

    /** Deletes nothing of {@code sweep} (offset 0 is at or below its start), and fails on an unknown topic. */
    private static ApiMessage deleteRecords(final short v) {
        final DeleteRecordsRequestData r = new DeleteRecordsRequestData().setTimeoutMs(10_000);
        r.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("sweep").setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0),
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(7).setOffset(0))));
        r.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("ghost").setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(-1))));
        return r;
    }

    /** Validates growing {@code sweep} (which stays as it is) and fails on an unknown topic. */
    private static ApiMessage createPartitions(final short v) {
        final CreatePartitionsRequestData r = new CreatePartitionsRequestData().setTimeoutMs(10_000).setValidateOnly(true);
        r.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("sweep").setCount(4)
                .setAssignments(null));
        r.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("ghost").setCount(2)
                .setAssignments(null));
        return r;
    }

    private static ApiMessage alterConfigs(final short v) {
        final AlterConfigsRequestData r = new AlterConfigsRequestData().setValidateOnly(v % 2 == 0);
        final AlterConfigsRequestData.AlterConfigsResource topic = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType((byte) 2).setResourceName("sweep");
        topic.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("604800000"));
        r.resources().add(topic);
        r.resources().add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("ghost"));
        return r;
    }

    private static ApiMessage incrementalAlterConfigs(final short v) {
        final IncrementalAlterConfigsRequestData r = new IncrementalAlterConfigsRequestData().setValidateOnly(v % 2 == 0);
        final IncrementalAlterConfigsRequestData.AlterConfigsResource topic =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("sweep");
        topic.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                .setConfigOperation((byte) 1).setValue(null));
        r.resources().add(topic);
        final IncrementalAlterConfigsRequestData.AlterConfigsResource broker =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 4).setResourceName("1");
        broker.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("log.retention.ms")
                .setConfigOperation((byte) 0).setValue("1"));
        r.resources().add(broker);
        return r;
    }

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
