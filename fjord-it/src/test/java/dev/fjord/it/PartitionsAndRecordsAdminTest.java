package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.DescribeReplicaLogDirsResult.ReplicaLogDirInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionReplica;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CreatePartitions, DeleteRecords and DescribeLogDirs through the real AdminClient, producer and consumer. */
class PartitionsAndRecordsAdminTest {
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (fjord != null) {
            fjord.close();
        }
    }

    private int partitionCount(final String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }

    @Test
    void shouldAddPartitionsThatASubscribedConsumerGetsRecordsFrom() throws Exception {
        admin.createTopics(List.of(new NewTopic("grow", 1, (short) 1))).all().get();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(),
                Map.of("group.id", "growers", "auto.offset.reset", "earliest", "metadata.max.age.ms", "200"));
             KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(),
                     Map.of("metadata.max.age.ms", "200"))) {
            consumer.subscribe(List.of("grow"));
            pollUntil(consumer, () -> consumer.assignment().size() == 1, new ArrayList<>());

            admin.createPartitions(Map.of("grow", NewPartitions.increaseTo(3))).all().get();
            assertThat(partitionCount("grow")).isEqualTo(3);
            producer.send(new ProducerRecord<>("grow", 2, null, "on-new-partition".getBytes())).get();

            final List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            pollUntil(consumer, () -> got.stream().anyMatch(r -> r.partition() == 2), got);
            assertThat(consumer.assignment()).hasSize(3);
            assertThat(new String(got.get(got.size() - 1).value())).isEqualTo("on-new-partition");
        }
        fjord.restart();
        assertThat(partitionCount("grow")).isEqualTo(3);
    }

    @Test
    void shouldRefuseToShrinkOrKeepTheCountAndHonourValidateOnly() throws Exception {
        admin.createTopics(List.of(new NewTopic("fixed", 3, (short) 1))).all().get();

        assertThatThrownBy(() -> admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(2))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(3))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("ghost", NewPartitions.increaseTo(3))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        admin.createPartitions(Map.of("fixed", NewPartitions.increaseTo(5)), new CreatePartitionsOptions().validateOnly(true))
                .all().get();

        assertThat(partitionCount("fixed")).isEqualTo(3);
    }

    @Test
    void shouldDeleteRecordsSoThatAConsumerBeforeThemIsOutOfRange() throws Exception {
        admin.createTopics(List.of(new NewTopic("trimmed", 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("trimmed", 0, null, ("v" + i).getBytes())).get();
            }
        }
        final TopicPartition tp = new TopicPartition("trimmed", 0);

        final DeletedRecords deleted = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(6))).lowWatermarks()
                .get(tp).get();
        assertThat(deleted.lowWatermark()).isEqualTo(6);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get())
                .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isEqualTo(6);

        try (KafkaConsumer<byte[], byte[]> strict = Clients.consumer(fjord.bootstrapServers(),
                Map.of("auto.offset.reset", "none"))) {
            strict.assign(List.of(tp));
            strict.seek(tp, 2);
            assertThatThrownBy(() -> {
                for (int i = 0; i < 600; i++) {
                    strict.poll(Duration.ofMillis(100));
                }
            }).isInstanceOf(org.apache.kafka.clients.consumer.OffsetOutOfRangeException.class);
        }
        try (KafkaConsumer<byte[], byte[]> resetting = Clients.consumer(fjord.bootstrapServers(),
                Map.of("auto.offset.reset", "earliest"))) {
            resetting.assign(List.of(tp));
            resetting.seek(tp, 2);
            final List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
            pollUntil(resetting, () -> got.size() >= 4, got);
            assertThat(got.get(0).offset()).isEqualTo(6);
        }

        fjord.restart();
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isEqualTo(6);
    }

    @Test
    void shouldDescribeLogDirsWithEachPartitionAndItsSize() throws Exception {
        admin.createTopics(List.of(new NewTopic("sized", 2, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            producer.send(new ProducerRecord<>("sized", 1, null, new byte[1000])).get();
        }

        final Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);

        assertThat(dirs).hasSize(1);
        final LogDirDescription dir = dirs.values().iterator().next();
        assertThat(dir.error()).isNull();
        assertThat(dir.totalBytes().orElseThrow()).isPositive();
        assertThat(dir.usableBytes().orElseThrow()).isPositive();
        assertThat(dir.replicaInfos().get(new TopicPartition("sized", 0)).size()).isZero();
        assertThat(dir.replicaInfos().get(new TopicPartition("sized", 1)).size()).isGreaterThan(1000);
        assertThat(dir.replicaInfos().get(new TopicPartition("sized", 1)).offsetLag()).isZero();
        final Map<TopicPartitionReplica, ReplicaLogDirInfo> replicas = admin.describeReplicaLogDirs(
                List.of(new TopicPartitionReplica("sized", 1, 1))).all().get();
        assertThat(replicas.values().iterator().next().getCurrentReplicaLogDir()).isEqualTo(dirs.keySet().iterator().next());
    }

    @Test
    void shouldDropOffsetsTopicRecordsTheGroupCoordinatorSnapshotted() throws Exception {
        admin.createTopics(List.of(new NewTopic("committed", 1, (short) 1))).all().get();
        // 12,000 commits of one offset: past the coordinator's 10,000-record snapshot threshold with 2 live keys.
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            for (int request = 0; request < 12; request++) {
                final OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName("committed");
                for (int i = 0; i < 1000; i++) {
                    t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                            .setCommittedOffset(request * 1000L + i));
                }
                final OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId("snapshotted")
                        .setGenerationIdOrMemberEpoch(-1).setMemberId("");
                r.topics().add(t);
                c.send(ApiKeys.OFFSET_COMMIT, (short) 8, r);
            }
        }
        final Map<TopicPartition, OffsetSpec> earliest = new java.util.HashMap<>();
        for (int p = 0; p < 5; p++) {
            earliest.put(new TopicPartition("__consumer_offsets", p), OffsetSpec.earliest());
        }
        assertThat(admin.listOffsets(earliest).all().get().values()).as("some offsets partition was trimmed")
                .anySatisfy(o -> assertThat(o.offset()).isGreaterThanOrEqualTo(10_000));

        fjord.restart();
        assertThat(admin.listConsumerGroupOffsets("snapshotted").partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition("committed", 0)).offset()).isEqualTo(11_999);
    }

    private static void pollUntil(final KafkaConsumer<byte[], byte[]> consumer, final java.util.function.BooleanSupplier done,
                                  final List<ConsumerRecord<byte[], byte[]>> sink) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached; assignment " + consumer.assignment() + ", records " + sink.size());
            }
            consumer.poll(Duration.ofMillis(100)).forEach(sink::add);
        }
    }
}
