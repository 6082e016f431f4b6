package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Wrong and hostile group requests over raw sockets: each gets Kafka's error code, the connection stays
 * usable, and afterwards a real consumer can still join the same group id and consume (no group is left
 * stuck, the coordinator did not crash).
 */
class GroupBadInputTest {
    private static final short JOIN_V = 9;
    private static final short SYNC_V = 5;
    private static final short HEARTBEAT_V = 4;
    private static final short LEAVE_V = 5;
    private static final short COMMIT_V = 9;
    private static final short DESCRIBE_V = 5;
    /** The broker's minimum, so that members this test abandons are dropped quickly. */
    private static final int SESSION_TIMEOUT_MS = 1_000;
    private static final String TOPIC = "events";
    private static final int RECORDS = 5;

    private static EmbeddedFjord fjord;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        fjord = EmbeddedFjord.builder().config("group.min.session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MS)).start();
        admin = Clients.admin(fjord.bootstrapServers());
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>(TOPIC, ("v" + i).getBytes())).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        admin.close();
        fjord.close();
    }

    private static RawConnection connect() throws Exception {
        return new RawConnection("127.0.0.1", fjord.port());
    }

    // --------------------------------------------------------------------------------- raw group member

    /** A member of a group driven by hand over a raw connection. */
    private record Member(String groupId, String memberId, String instanceId, int generation) {
    }

    private static JoinGroupRequestData join(final String groupId, final String memberId, final String instanceId,
                                             final String protocol, final byte[] metadata) {
        final JoinGroupRequestData r = new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setProtocolType("consumer").setSessionTimeoutMs(SESSION_TIMEOUT_MS)
                .setRebalanceTimeoutMs(SESSION_TIMEOUT_MS);
        r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(protocol).setMetadata(metadata));
        return r;
    }

    private static JoinGroupResponseData send(final RawConnection c, final JoinGroupRequestData r) throws Exception {
        return ((JoinGroupResponse) c.send(ApiKeys.JOIN_GROUP, JOIN_V, r)).data();
    }

    /** Joins (KIP-394 two steps for a dynamic member) and syncs as the only member, which leads. */
    private static Member soleMember(final RawConnection c, final String groupId, final String instanceId,
                                     final byte[] metadata, final byte[] assignment) throws Exception {
        JoinGroupResponseData joined = send(c, join(groupId, "", instanceId, "range", metadata));
        if (joined.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
            joined = send(c, join(groupId, joined.memberId(), instanceId, "range", metadata));
        }
        assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
        assertThat(joined.leader()).isEqualTo(joined.memberId());
        final SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(groupId).setMemberId(joined.memberId())
                .setGroupInstanceId(instanceId).setGenerationId(joined.generationId())
                .setProtocolType("consumer").setProtocolName("range");
        sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId())
                .setAssignment(assignment));
        final SyncGroupResponseData synced = ((SyncGroupResponse) c.send(ApiKeys.SYNC_GROUP, SYNC_V, sync)).data();
        assertThat(Errors.forCode(synced.errorCode())).isEqualTo(Errors.NONE);
        assertThat(synced.assignment()).isEqualTo(assignment);
        return new Member(groupId, joined.memberId(), instanceId, joined.generationId());
    }

    private static Errors heartbeat(final RawConnection c, final String groupId, final String memberId,
                                    final String instanceId, final int generation) throws Exception {
        final HeartbeatRequestData r = new HeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation);
        return Errors.forCode(((HeartbeatResponse) c.send(ApiKeys.HEARTBEAT, HEARTBEAT_V, r)).data().errorCode());
    }

    /** Commits offset 1 of the given partitions; returns each partition's error. */
    private static List<Errors> commit(final RawConnection c, final String groupId, final String memberId,
                                       final String instanceId, final int generation, final String topic,
                                       final int... partitions) throws Exception {
        final OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationIdOrMemberEpoch(generation);
        final OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName(topic);
        for (final int p : partitions) {
            t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(p)
                    .setCommittedOffset(1));
        }
        r.topics().add(t);
        final OffsetCommitResponseData response = ((OffsetCommitResponse) c.send(ApiKeys.OFFSET_COMMIT, COMMIT_V, r)).data();
        final List<Errors> errors = new ArrayList<>();
        response.topics().get(0).partitions().forEach(p -> errors.add(Errors.forCode(p.errorCode())));
        return errors;
    }

    private static void leave(final RawConnection c, final Member m) throws Exception {
        final LeaveGroupRequestData r = new LeaveGroupRequestData().setGroupId(m.groupId()).setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId(m.memberId()).setGroupInstanceId(m.instanceId())));
        final LeaveGroupResponseData response = ((LeaveGroupResponse) c.send(ApiKeys.LEAVE_GROUP, LEAVE_V, r)).data();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(response.members().get(0).errorCode())).isEqualTo(Errors.NONE);
    }

    private static DescribeGroupsResponseData.DescribedGroup describe(final RawConnection c, final String groupId)
            throws Exception {
        return ((DescribeGroupsResponse) c.send(ApiKeys.DESCRIBE_GROUPS, DESCRIBE_V,
                new DescribeGroupsRequestData().setGroups(List.of(groupId)))).data().groups().get(0);
    }

    // --------------------------------------------------------------------------------- still serving

    /** A real consumer joins the group, reads every record and commits: the group is not stuck. */
    private static void realConsumerJoinsAndConsumes(final String groupId) {
        realConsumerJoinsAndConsumes(groupId, 0);
    }

    /** As above, for a group whose committed offset is {@code committed}: it reads the records from there. */
    private static void realConsumerJoinsAndConsumes(final String groupId, final int committed) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of(
                "group.id", groupId, "auto.offset.reset", "earliest", "session.timeout.ms", "6000",
                "heartbeat.interval.ms", "500"))) {
            consumer.subscribe(List.of(TOPIC));
            int seen = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < RECORDS - committed && System.nanoTime() < deadline) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(seen).as("records consumed by a real consumer in group %s", groupId).isEqualTo(RECORDS - committed);
            consumer.commitSync();
            final TopicPartition tp = new TopicPartition(TOPIC, 0);
            assertThat(consumer.committed(java.util.Set.of(tp)).get(tp).offset()).isEqualTo(RECORDS);
        }
    }

    // --------------------------------------------------------------------------------- tests

    @Test
    void shouldAnswerUnknownMemberToHeartbeatAndCommitFromAStranger() throws Exception {
        try (RawConnection c = connect()) {
            final Member m = soleMember(c, "stranger-group", null, new byte[0], new byte[0]);
            assertThat(heartbeat(c, m.groupId(), "nobody", null, m.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            assertThat(commit(c, m.groupId(), "nobody", null, m.generation(), TOPIC, 0))
                    .containsExactly(Errors.UNKNOWN_MEMBER_ID);
            assertThat(heartbeat(c, "no-such-group", "nobody", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
            // The real member is unaffected, on the same connection.
            assertThat(heartbeat(c, m.groupId(), m.memberId(), null, m.generation())).isEqualTo(Errors.NONE);
            leave(c, m);
        }
        realConsumerJoinsAndConsumes("stranger-group");
    }

    @Test
    void shouldAnswerIllegalGenerationToHeartbeatAndCommitOfAnOldGeneration() throws Exception {
        try (RawConnection c = connect()) {
            final Member m = soleMember(c, "old-generation-group", null, new byte[0], new byte[0]);
            assertThat(heartbeat(c, m.groupId(), m.memberId(), null, m.generation() - 1))
                    .isEqualTo(Errors.ILLEGAL_GENERATION);
            assertThat(commit(c, m.groupId(), m.memberId(), null, m.generation() - 1, TOPIC, 0))
                    .containsExactly(Errors.ILLEGAL_GENERATION);
            assertThat(commit(c, m.groupId(), m.memberId(), null, m.generation(), TOPIC, 0)).containsExactly(Errors.NONE);
            leave(c, m);
        }
        realConsumerJoinsAndConsumes("old-generation-group", 1);
    }

    @Test
    void shouldAnswerFencedInstanceIdToTheReplacedIncarnationOfAStaticMember() throws Exception {
        try (RawConnection c = connect()) {
            final Member first = soleMember(c, "fenced-group", "instance-1", new byte[0], new byte[0]);
            // The same instance comes back (a restart): it replaces the member id without a rebalance.
            final JoinGroupResponseData again = send(c, join("fenced-group", "", "instance-1", "range", new byte[0]));
            assertThat(Errors.forCode(again.errorCode())).isEqualTo(Errors.NONE);
            assertThat(again.generationId()).isEqualTo(first.generation());
            assertThat(heartbeat(c, first.groupId(), first.memberId(), "instance-1", first.generation()))
                    .isEqualTo(Errors.FENCED_INSTANCE_ID);
            assertThat(commit(c, first.groupId(), first.memberId(), "instance-1", first.generation(), TOPIC, 0))
                    .containsExactly(Errors.FENCED_INSTANCE_ID);
            final Member current = new Member("fenced-group", again.memberId(), "instance-1", again.generationId());
            assertThat(heartbeat(c, current.groupId(), current.memberId(), "instance-1", current.generation()))
                    .isEqualTo(Errors.NONE);
            leave(c, current);
        }
        realConsumerJoinsAndConsumes("fenced-group");
    }

    @Test
    void shouldAnswerInconsistentGroupProtocolToAJoinWithNoProtocolInCommon() throws Exception {
        try (RawConnection c = connect()) {
            final Member m = soleMember(c, "protocol-group", null, new byte[0], new byte[0]);
            assertThat(Errors.forCode(send(c, join(m.groupId(), "", null, "roundrobin", new byte[0])).errorCode()))
                    .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            final JoinGroupRequestData otherType = join(m.groupId(), "", null, "range", new byte[0]).setProtocolType("connect");
            assertThat(Errors.forCode(send(c, otherType).errorCode())).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            assertThat(describe(c, m.groupId()).groupState()).isEqualTo("Stable");
            leave(c, m);
        }
        realConsumerJoinsAndConsumes("protocol-group");
    }

    @Test
    void shouldAnswerInvalidGroupIdToRequestsWithAnEmptyGroupId() throws Exception {
        try (RawConnection c = connect()) {
            assertThat(Errors.forCode(send(c, join("", "", null, "range", new byte[0])).errorCode()))
                    .isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(heartbeat(c, "", "m", null, 1)).isEqualTo(Errors.INVALID_GROUP_ID);
            assertThat(commit(c, "", "", null, -1, TOPIC, 0)).containsExactly(Errors.INVALID_GROUP_ID);
        }
        realConsumerJoinsAndConsumes("after-empty-group-id");
    }

    @Test
    void shouldAnswerUnknownTopicOrPartitionToACommitOfAPartitionThatDoesNotExist() throws Exception {
        try (RawConnection c = connect()) {
            assertThat(commit(c, "missing-partition-group", "", null, -1, TOPIC, 0, 99))
                    .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            assertThat(commit(c, "missing-partition-group", "", null, -1, "no-such-topic", 0))
                    .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        final Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets("missing-partition-group").partitionsToOffsetAndMetadata().get();
        assertThat(committed).containsOnlyKeys(new TopicPartition(TOPIC, 0));
        realConsumerJoinsAndConsumes("missing-partition-group", 1);
    }

    @Test
    void shouldNotCrashOnGarbageMemberMetadataAndAssignments() throws Exception {
        final Random random = new Random(1234);
        final byte[] metadata = new byte[300];
        random.nextBytes(metadata);
        final byte[] assignment = new byte[100];
        random.nextBytes(assignment);
        try (RawConnection c = connect()) {
            // The coordinator does not parse protocol metadata (the clients do): it keeps and returns the bytes.
            JoinGroupResponseData joined = send(c, join("garbage-group", "", null, "range", metadata));
            joined = send(c, join("garbage-group", joined.memberId(), null, "range", metadata));
            assertThat(Errors.forCode(joined.errorCode())).isEqualTo(Errors.NONE);
            assertThat(joined.members().get(0).metadata()).isEqualTo(metadata);
            final SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId("garbage-group")
                    .setMemberId(joined.memberId()).setGenerationId(joined.generationId());
            sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(joined.memberId())
                    .setAssignment(assignment));
            assertThat(((SyncGroupResponse) c.send(ApiKeys.SYNC_GROUP, SYNC_V, sync)).data().assignment())
                    .isEqualTo(assignment);
            final DescribeGroupsResponseData.DescribedGroup described = describe(c, "garbage-group");
            assertThat(described.groupState()).isEqualTo("Stable");
            assertThat(described.members().get(0).memberMetadata()).isEqualTo(metadata);
            // Deleting offsets decodes subscriptions to find subscribed topics; garbage must not break it.
            assertThat(admin.deleteConsumerGroupOffsets("garbage-group", java.util.Set.of(new TopicPartition(TOPIC, 0)))
                    .all().get(30, TimeUnit.SECONDS)).isNull();
            // The member is abandoned without leaving: its session ends and the group must not stay stuck.
        }
        realConsumerJoinsAndConsumes("garbage-group");
    }
}
