package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests of the operations APIs that no well-behaved client sends: each gets its Kafka error code
 * per resource, topic or partition, and the broker keeps serving (checked after every test).
 */
class OpsBadInputTest {
    private static EmbeddedFjord fjord;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
        admin.createTopics(List.of(new NewTopic("target", 1, (short) 1),
                new NewTopic("compacted", 1, (short) 1).configs(java.util.Map.of("cleanup.policy", "compact")))).all().get();
    }

    @AfterAll
    static void stop() {
        admin.close();
        fjord.close();
    }

    @AfterEach
    void brokerStillServesOthers() throws Exception {
        assertThat(admin.listTopics().names().get()).contains("target");
    }

    @Test
    void shouldAnswerUnknownResourceTypesAndForeignBrokerIdsWithInvalidRequest() throws Exception {
        final DescribeConfigsRequestData r = new DescribeConfigsRequestData();
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 99)
                .setResourceName("x").setConfigurationKeys(null));
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4)
                .setResourceName("77").setConfigurationKeys(null));
        r.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
                .setResourceName("target").setConfigurationKeys(List.of("retention.ms", "no.such.key")));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final DescribeConfigsResponseData d = ((DescribeConfigsResponse) c.send(ApiKeys.DESCRIBE_CONFIGS, (short) 4, r)).data();
            assertThat(d.results()).extracting(DescribeConfigsResponseData.DescribeConfigsResult::errorCode).containsExactly(
                    Errors.INVALID_REQUEST.code(), Errors.INVALID_REQUEST.code(), Errors.NONE.code());
            assertThat(d.results().get(2).configs()).extracting(DescribeConfigsResponseData.DescribeConfigsResourceResult::name)
                    .containsExactly("retention.ms");
        }
    }

    @Test
    void shouldRefuseUnknownOperationsDuplicateKeysAndNullValues() throws Exception {
        final IncrementalAlterConfigsRequestData r = new IncrementalAlterConfigsRequestData();
        r.resources().add(resource("target", op("retention.ms", (byte) 9, "1")));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            assertThat(errors(c, r)).containsExactly(Errors.INVALID_REQUEST.code());
            final IncrementalAlterConfigsRequestData dup = new IncrementalAlterConfigsRequestData();
            dup.resources().add(resource("target", op("retention.ms", (byte) 0, "1"), op("retention.ms", (byte) 1, null)));
            assertThat(errors(c, dup)).containsExactly(Errors.INVALID_REQUEST.code());
            final IncrementalAlterConfigsRequestData nul = new IncrementalAlterConfigsRequestData();
            nul.resources().add(resource("target", op("retention.ms", (byte) 0, null)));
            assertThat(errors(c, nul)).containsExactly(Errors.INVALID_CONFIG.code());
        }
    }

    @Test
    void shouldRefuseAResourceNamedTwiceEachTimeAndAlterTheOthers() throws Exception {
        final IncrementalAlterConfigsRequestData r = new IncrementalAlterConfigsRequestData();
        r.resources().add(resource("target", op("retention.ms", (byte) 0, "1000")));
        r.resources().add(resource("compacted", op("segment.ms", (byte) 0, "60000")));
        r.resources().add(resource("target", op("retention.ms", (byte) 0, "2000")));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            assertThat(errors(c, r)).containsExactly(Errors.INVALID_REQUEST.code(), Errors.NONE.code(),
                    Errors.INVALID_REQUEST.code());
        }
    }

    @Test
    void shouldRefuseNegativeCountsAndForeignAssignmentsOfNewPartitions() throws Exception {
        final CreatePartitionsRequestData r = new CreatePartitionsRequestData().setTimeoutMs(1000);
        r.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("target").setCount(-5).setAssignments(null));
        r.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("compacted").setCount(2)
                .setAssignments(List.of(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(List.of(42)))));
        r.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("__consumer_offsets").setCount(99)
                .setAssignments(null));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final CreatePartitionsResponseData d = ((CreatePartitionsResponse) c.send(ApiKeys.CREATE_PARTITIONS, (short) 3, r)).data();
            assertThat(d.results()).extracting(CreatePartitionsResponseData.CreatePartitionsTopicResult::errorCode).containsExactly(
                    Errors.INVALID_PARTITIONS.code(), Errors.INVALID_REPLICA_ASSIGNMENT.code(), Errors.INVALID_REQUEST.code());
        }
    }

    @Test
    void shouldRefuseNegativeOffsetsCompactedTopicsAndMissingPartitionsInDeleteRecords() throws Exception {
        final DeleteRecordsRequestData r = new DeleteRecordsRequestData().setTimeoutMs(1000);
        r.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("target").setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(-7),
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(-1).setOffset(0))));
        r.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName("compacted").setPartitions(List.of(
                new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0))));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final DeleteRecordsResponseData d = ((DeleteRecordsResponse) c.send(ApiKeys.DELETE_RECORDS, (short) 2, r)).data();
            assertThat(d.topics().find("target").partitions()).extracting(DeleteRecordsResponseData.DeleteRecordsPartitionResult::errorCode)
                    .containsExactly(Errors.OFFSET_OUT_OF_RANGE.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            assertThat(d.topics().find("compacted").partitions().iterator().next().errorCode())
                    .isEqualTo(Errors.POLICY_VIOLATION.code());
        }
    }

    @Test
    void shouldDescribeNoPartitionsForUnknownTopicsInLogDirs() throws Exception {
        final DescribeLogDirsRequestData r = new DescribeLogDirsRequestData();
        r.topics().add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("ghost").setPartitions(List.of(0)));
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final DescribeLogDirsResponseData d = ((DescribeLogDirsResponse) c.send(ApiKeys.DESCRIBE_LOG_DIRS, (short) 5, r)).data();
            assertThat(d.results()).hasSize(1);
            assertThat(d.results().get(0).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(d.results().get(0).topics()).isEmpty();
        }
    }

    private static List<Short> errors(final RawConnection c, final IncrementalAlterConfigsRequestData r) throws Exception {
        final IncrementalAlterConfigsResponseData d = ((IncrementalAlterConfigsResponse) c.send(ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (short) 1, r)).data();
        return d.responses().stream().map(IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse::errorCode).toList();
    }

    private static IncrementalAlterConfigsRequestData.AlterConfigsResource resource(final String topic,
            final IncrementalAlterConfigsRequestData.AlterableConfig... ops) {
        final IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType((byte) 2).setResourceName(topic);
        for (final IncrementalAlterConfigsRequestData.AlterableConfig op : ops) {
            r.configs().add(op);
        }
        return r;
    }

    private static IncrementalAlterConfigsRequestData.AlterableConfig op(final String key, final byte op, final String value) {
        return new IncrementalAlterConfigsRequestData.AlterableConfig().setName(key).setConfigOperation(op).setValue(value);
    }
}
