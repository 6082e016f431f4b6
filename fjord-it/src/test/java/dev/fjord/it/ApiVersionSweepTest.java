package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every version of every API the broker advertises, with a request that reaches the success path, must
 * get a response that parses at that version. Catches fields set in a response that an older version
 * cannot carry (which would close the connection of every client of that version).
 */
class ApiVersionSweepTest {
    private static EmbeddedFjord fjord;
    private static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        fjord = EmbeddedFjord.start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("sweep", 1, (short) 1))).all().get();
            topicId = admin.describeTopics(List.of("sweep")).allTopicNames().get().get("sweep").topicId();
        }
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            p.send(new ProducerRecord<>("sweep", 0, 1_000L, null, "v".getBytes())).get();
        }
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final InitProducerIdResponseData init = ((InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(TxnSamples.TXN_ID).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1))).data();
            assertThat(init.errorCode()).isZero();
            TxnSamples.producerId = init.producerId();
            TxnSamples.producerEpoch = init.producerEpoch();
        }
    }

    @AfterAll
    static void stop() {
        fjord.close();
    }

    @Test
    void shouldAnswerEveryAdvertisedVersionOfEveryApi() throws Exception {
        final Map<ApiKeys, Function<Short, ApiMessage>> samples = new java.util.HashMap<>(GroupSamples.ALL);
        samples.putAll(OpsSamples.ALL);
        samples.putAll(TxnSamples.ALL);
        samples.putAll(Map.of(
                ApiKeys.API_VERSIONS, v -> new ApiVersionsRequestData().setClientSoftwareName("sweep").setClientSoftwareVersion("1"),
                ApiKeys.METADATA, ApiVersionSweepTest::metadata,
                ApiKeys.PRODUCE, ApiVersionSweepTest::produce,
                ApiKeys.FETCH, ApiVersionSweepTest::fetch,
                ApiKeys.LIST_OFFSETS, ApiVersionSweepTest::listOffsets,
                ApiKeys.CREATE_TOPICS, v -> createTopics(v),
                ApiKeys.DELETE_TOPICS, ApiVersionSweepTest::deleteTopics,
                ApiKeys.INIT_PRODUCER_ID, v -> new InitProducerIdRequestData().setTransactionalId(null)
                        .setTransactionTimeoutMs(60_000).setProducerId(-1).setProducerEpoch((short) -1),
                ApiKeys.DESCRIBE_CLUSTER, v -> new DescribeClusterRequestData(),
                ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiVersionSweepTest::offsetForLeaderEpoch));
        final List<String> answered = new ArrayList<>();
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final ApiVersionsResponseData versions = ((ApiVersionsResponse) c.send(ApiKeys.API_VERSIONS, (short) 3,
                    samples.get(ApiKeys.API_VERSIONS).apply((short) 3))).data();
            for (final ApiVersionsResponseData.ApiVersion range : versions.apiKeys()) {
                final ApiKeys api = ApiKeys.forId(range.apiKey());
                assertThat(samples).as("a sample request for advertised API %s", api).containsKey(api);
                for (short v = range.minVersion(); v <= range.maxVersion(); v++) {
                    final AbstractResponse response;
                    try {
                        response = c.send(api, v, samples.get(api).apply(v));
                    } catch (java.io.IOException e) {
                        throw new AssertionError("The broker closed the connection on " + api + " v" + v
                                + " (see its log for the encoding error)", e);
                    }
                    assertThat(response.errorCounts()).as("%s v%d", api, v).isNotNull();
                    answered.add(api + " v" + v);
                }
            }
        }
        assertThat(answered).contains("PRODUCE v3", "FETCH v4", "LIST_OFFSETS v1", "METADATA v0", "FETCH v18");
        assertThat(answered).contains("DESCRIBE_CONFIGS v1", "DESCRIBE_CONFIGS v4", "ALTER_CONFIGS v0", "ALTER_CONFIGS v2",
                "INCREMENTAL_ALTER_CONFIGS v0", "INCREMENTAL_ALTER_CONFIGS v1", "CREATE_PARTITIONS v0", "CREATE_PARTITIONS v3",
                "DELETE_RECORDS v0", "DELETE_RECORDS v2", "DESCRIBE_LOG_DIRS v1", "DESCRIBE_LOG_DIRS v5");
        assertThat(answered).contains("PRODUCE v3", "FETCH v4", "LIST_OFFSETS v1", "METADATA v0", "FETCH v18",
                "ADD_PARTITIONS_TO_TXN v3", "END_TXN v4", "TXN_OFFSET_COMMIT v4", "LIST_TRANSACTIONS v2");
        assertThat(answered).contains("CONSUMER_GROUP_HEARTBEAT v0", "CONSUMER_GROUP_HEARTBEAT v1",
                "CONSUMER_GROUP_DESCRIBE v0", "CONSUMER_GROUP_DESCRIBE v1");
    }

    private static ApiMessage metadata(final short v) {
        final MetadataRequestData r = new MetadataRequestData();
        r.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("sweep"));
        if (v >= 4) {
            r.setAllowAutoTopicCreation(false);
        }
        return r;
    }

    private static ApiMessage produce(final short v) {
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData();
        if (v >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setName("sweep");
        }
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0)
                .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(2_000L, "k".getBytes(), "v".getBytes()))));
        final ProduceRequestData r = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        r.topicData().add(topic);
        return r;
    }

    private static ApiMessage fetch(final short v) {
        final FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)
                        .setLogStartOffset(-1).setCurrentLeaderEpoch(v >= 9 ? 0 : -1)));
        if (v >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setTopic("sweep");
        }
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20)
                .setIsolationLevel((byte) (v % 2)).setSessionId(0).setSessionEpoch(v >= 7 ? 0 : -1).setTopics(List.of(topic));
    }

    private static ApiMessage listOffsets(final short v) {
        final ListOffsetsRequestData.ListOffsetsTopic topic = new ListOffsetsRequestData.ListOffsetsTopic().setName("sweep");
        topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1));
        topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-2));
        topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(1_000L));
        if (v >= 7) {
            topic.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-3));
        }
        return new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(topic));
    }

    private static ApiMessage createTopics(final short v) {
        final CreateTopicsRequestData r = new CreateTopicsRequestData().setTimeoutMs(10_000);
        final CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic()
                .setName("sweep-created-v" + v).setNumPartitions(2).setReplicationFactor((short) 1);
        t.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("1000"));
        r.topics().add(t);
        r.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("sweep").setNumPartitions(1)
                .setReplicationFactor((short) 1));
        return r;
    }

    private static ApiMessage deleteTopics(final short v) {
        final DeleteTopicsRequestData r = new DeleteTopicsRequestData().setTimeoutMs(10_000);
        if (v >= 6) {
            r.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("sweep-created-v" + v));
            r.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(null).setTopicId(Uuid.randomUuid()));
        } else {
            r.setTopicNames(List.of("sweep-created-v" + v, "ghost"));
        }
        return r;
    }

    private static ApiMessage offsetForLeaderEpoch(final short v) {
        final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic =
                new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("sweep");
        topic.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0)
                .setCurrentLeaderEpoch(0).setLeaderEpoch(0));
        final OffsetForLeaderEpochRequestData r = new OffsetForLeaderEpochRequestData();
        if (v >= 3) {
            r.setReplicaId(-1);
        }
        r.topics().add(topic);
        return r;
    }
}
