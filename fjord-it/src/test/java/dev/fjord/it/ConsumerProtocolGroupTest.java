package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KIP-848 consumer groups ({@code group.protocol=consumer}) with kafka-clients 4 consumers and admin. */
class ConsumerProtocolGroupTest {
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        // Members learn of a rebalance at their next heartbeat: a short interval keeps the tests quick.
        fjord = EmbeddedFjord.builder().config("group.consumer.heartbeat.interval.ms", "200").start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterEach
    void stop() {
        admin.close();
        fjord.close();
    }

    private KafkaConsumer<byte[], byte[]> member(final String group, final Map<String, Object> extra) {
        final Map<String, Object> config = new HashMap<>(Map.of("group.id", group, "group.protocol", "consumer",
                "auto.offset.reset", "earliest"));
        config.putAll(extra);
        return Clients.consumer(fjord.bootstrapServers(), config);
    }

    /** Records what a consumer's rebalance listener is told. */
    private static final class Recorder implements ConsumerRebalanceListener {
        final List<TopicPartition> assigned = new ArrayList<>();
        final List<TopicPartition> revoked = new ArrayList<>();

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            assigned.addAll(partitions);
        }
    }

    @Test
    void shouldSplitATopicAndMovePartitionsWhenMembersComeAndGo() throws Exception {
        admin.createTopics(List.of(new NewTopic("split", 6, (short) 1))).all().get();
        final Recorder aEvents = new Recorder();
        try (KafkaConsumer<byte[], byte[]> a = member("g-split", Map.of());
             KafkaConsumer<byte[], byte[]> b = member("g-split", Map.of())) {
            a.subscribe(List.of("split"), aEvents);
            b.subscribe(List.of("split"));
            awaitAssignment(List.of(a, b), 6);
            assertThat(aEvents.assigned).isNotEmpty();

            try (KafkaConsumer<byte[], byte[]> c = member("g-split", Map.of())) {
                c.subscribe(List.of("split"));
                awaitAssignment(List.of(a, b, c), 6);
                assertThat(a.assignment()).hasSize(2);
                assertThat(b.assignment()).hasSize(2);
                assertThat(c.assignment()).hasSize(2);
            }
            // c closed (left the group): its partitions go back to a and b.
            awaitAssignment(List.of(a, b), 6);
            assertThat(aEvents.revoked).as("a gave up partitions when b or c joined").isNotEmpty();
        }
    }

    @Test
    void shouldCommitSyncAndAsyncAndKeepOffsetsAcrossARestart() throws Exception {
        admin.createTopics(List.of(new NewTopic("commits", 2, (short) 1))).all().get();
        produce("commits", 40);
        try (KafkaConsumer<byte[], byte[]> c = member("g-commits", Map.of())) {
            c.subscribe(List.of("commits"));
            assertThat(consume(c, 40)).isEqualTo(40);
            c.commitSync();
            assertThat(committed("g-commits")).isEqualTo(40);

            produce("commits", 10);
            assertThat(consume(c, 10)).isEqualTo(10);
            final CompletableFuture<Exception> done = new CompletableFuture<>();
            c.commitAsync((offsets, error) -> done.complete(error));
            while (!done.isDone()) {
                c.poll(Duration.ofMillis(100));
            }
            assertThat(done.get()).isNull();
            assertThat(committed("g-commits")).isEqualTo(50);

            fjord.restart();
            // The group's state is in the log: the member keeps its epoch and partitions, and commits at once.
            produce("commits", 5);
            assertThat(consume(c, 5)).isEqualTo(5);
            c.commitSync();
            awaitStableMembers(c, "g-commits", 1);
        }
        assertThat(committed("g-commits")).isEqualTo(55);
    }

    @Test
    void shouldDescribeMembersAndAssignmentsThroughTheAdminClient() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 4, (short) 1))).all().get();
        try (KafkaConsumer<byte[], byte[]> a = member("g-described", Map.of("client.id", "client-a"));
             KafkaConsumer<byte[], byte[]> b = member("g-described", Map.of("group.instance.id", "static-b"))) {
            a.subscribe(List.of("described"));
            b.subscribe(List.of("described"));
            awaitAssignment(List.of(a, b), 4);
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("g-described")).all().get().get("g-described");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (d.groupState() != GroupState.STABLE && System.nanoTime() < deadline) {
                a.poll(Duration.ofMillis(100));
                b.poll(Duration.ofMillis(100));
                d = admin.describeConsumerGroups(List.of("g-described")).all().get().get("g-described");
            }
            assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.partitionAssignor()).isEqualTo("uniform");
            assertThat(d.members()).hasSize(2);
            final Set<TopicPartition> all = new HashSet<>();
            for (final MemberDescription m : d.members()) {
                all.addAll(m.assignment().topicPartitions());
            }
            assertThat(all).hasSize(4);
            assertThat(d.members()).anyMatch(m -> m.clientId().equals("client-a"));
            assertThat(d.members()).anyMatch(m -> m.groupInstanceId().orElse("").equals("static-b"));
            assertThat(admin.listGroups().all().get()).anyMatch(g -> g.groupId().equals("g-described")
                    && g.type().orElse(null) == GroupType.CONSUMER);
        }
    }

    @Test
    void shouldKeepAConsumerGroupAcrossACoordinatorSnapshotAndARestart() throws Exception {
        admin.createTopics(List.of(new NewTopic("kept", 2, (short) 1))).all().get();
        // EmbeddedFjord's __consumer_offsets has 5 partitions; the two groups must share one.
        final String churn = "g-churn";
        String group = null;
        for (int i = 0; group == null; i++) {
            if (offsetsPartition("g-kept-" + i) == offsetsPartition(churn)) {
                group = "g-kept-" + i;
            }
        }
        try (KafkaConsumer<byte[], byte[]> a = member(group, Map.of("group.instance.id", "static-kept"))) {
            a.subscribe(List.of("kept"));
            awaitAssignment(List.of(a), 2);
            a.commitSync(Map.of(new TopicPartition("kept", 0), new OffsetAndMetadata(7)));
        } // a static member that leaves stays in the group, with its assignment, until its session times out
        final ConsumerGroupDescription before = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(before.members()).hasSize(1);

        // 12,000 offset commits of another group in the same partition: the coordinator snapshots it and
        // deletes the records before the snapshot, the consumer group's own records among them.
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            for (int request = 0; request < 12; request++) {
                final org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic t =
                        new org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic().setName("kept");
                for (int i = 0; i < 1000; i++) {
                    t.partitions().add(new org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition()
                            .setPartitionIndex(1).setCommittedOffset(request * 1000L + i));
                }
                final org.apache.kafka.common.message.OffsetCommitRequestData r = new org.apache.kafka.common.message.OffsetCommitRequestData()
                        .setGroupId(churn).setGenerationIdOrMemberEpoch(-1).setMemberId("");
                r.topics().add(t);
                c.send(ApiKeys.OFFSET_COMMIT, (short) 8, r);
            }
        }
        final TopicPartition offsets = new TopicPartition("__consumer_offsets", offsetsPartition(group));
        assertThat(admin.listOffsets(Map.of(offsets, org.apache.kafka.clients.admin.OffsetSpec.earliest())).all().get()
                .get(offsets).offset()).as("the group's records were deleted after the snapshot").isGreaterThanOrEqualTo(10_000);

        fjord.restart();

        final ConsumerGroupDescription after = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(after.type()).isEqualTo(GroupType.CONSUMER);
        assertThat(after.groupEpoch()).isEqualTo(before.groupEpoch());
        assertThat(after.targetAssignmentEpoch()).isEqualTo(before.targetAssignmentEpoch());
        assertThat(after.members()).extracting(m -> m.groupInstanceId().orElse("")).containsExactly("static-kept");
        assertThat(after.members().iterator().next().assignment().topicPartitions()).hasSize(2);
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition("kept", 0)).offset()).isEqualTo(7);
    }

    /** The {@code __consumer_offsets} partition of a group, as the coordinator computes it (5 partitions here). */
    private static int offsetsPartition(final String groupId) {
        final int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % 5;
    }

    @Test
    void shouldNotAdvertiseTheConsumerProtocolWhenOnlyClassicIsEnabled() throws Exception {
        try (EmbeddedFjord classicOnly = EmbeddedFjord.builder()
                .config("group.coordinator.rebalance.protocols", "classic").start();
             RawConnection c = new RawConnection("127.0.0.1", classicOnly.port())) {
            final ApiVersionsResponseData versions = ((ApiVersionsResponse) c.send(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("it").setClientSoftwareVersion("1"))).data();
            assertThat(versions.apiKeys().find(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id)).isNull();
            assertThat(versions.apiKeys().find(ApiKeys.CONSUMER_GROUP_DESCRIBE.id)).isNull();
            assertThat(versions.apiKeys().find(ApiKeys.JOIN_GROUP.id)).isNotNull();
        }
    }

    /** Polls until the admin client sees the group stable with {@code members} members. */
    private void awaitStableMembers(final KafkaConsumer<byte[], byte[]> c, final String group, final int members)
            throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(100));
            final ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            if (d.groupState() == GroupState.STABLE && d.members().size() == members) {
                return;
            }
        }
        throw new AssertionError("Group " + group + " did not become stable with " + members + " members");
    }

    private long committed(final String group) throws Exception {
        final Map<TopicPartition, OffsetAndMetadata> offsets =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static int consume(final KafkaConsumer<byte[], byte[]> c, final int count) {
        int seen = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen < count && System.nanoTime() < deadline) {
            seen += c.poll(Duration.ofMillis(200)).count();
        }
        return seen;
    }

    private void produce(final String topic, final int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), ("v" + i).getBytes()));
            }
            p.flush();
        }
    }

    /**
     * Polls every consumer until together they own exactly {@code partitions} partitions, each once, spread
     * evenly (the uniform assignor's target).
     */
    private static void awaitAssignment(final List<KafkaConsumer<byte[], byte[]>> consumers, final int partitions) {
        Clients.awaitAssignment(consumers, partitions, share -> share.size() >= partitions / consumers.size()
                && share.size() <= (partitions + consumers.size() - 1) / consumers.size());
    }
}
