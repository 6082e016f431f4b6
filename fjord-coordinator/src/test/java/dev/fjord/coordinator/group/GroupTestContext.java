package dev.fjord.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * A group coordinator under test: manual clock and timer, in-memory log, direct executor (every call
 * runs on the test's thread, so a returned future is either done or parked waiting for other members).
 * Requests are built at the newest versions kafka-clients 4 sends unless a test says otherwise.
 */
final class GroupTestContext {
    static final short JOIN_VERSION = 9;
    static final short SYNC_VERSION = 5;
    static final short LEAVE_VERSION = 5;
    static final short COMMIT_VERSION = 9;
    static final short FETCH_VERSION = 9;
    static final int SESSION_TIMEOUT_MS = 10_000;
    static final int REBALANCE_TIMEOUT_MS = 60_000;
    /** Topics that exist, with their partition counts. */
    static final Map<String, Integer> TOPICS = Map.of("orders", 3, "payments", 2);

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final ManualCoordinatorTimer timer = new ManualCoordinatorTimer(clock);
    final InMemoryCoordinatorLog log;
    final GroupCoordinatorConfig config;
    final GroupCoordinator coordinator;

    GroupTestContext() {
        this(config(0, Integer.MAX_VALUE));
    }

    GroupTestContext(final GroupCoordinatorConfig config) {
        this(config, new InMemoryCoordinatorLog());
    }

    GroupTestContext(final GroupCoordinatorConfig config, final InMemoryCoordinatorLog log) {
        this.config = config;
        this.log = log;
        this.coordinator = new GroupCoordinator(config, log, timer, clock, Runnable::run,
                tp -> tp.partition() >= 0 && tp.partition() < TOPICS.getOrDefault(tp.topic(), 0));
    }

    /** Kafka's defaults except the initial rebalance delay and group.max.size; 5 offsets partitions. */
    static GroupCoordinatorConfig config(final int initialRebalanceDelayMs, final int maxGroupSize) {
        return new GroupCoordinatorConfig(5, 6000, 1_800_000, initialRebalanceDelayMs, maxGroupSize, 4096);
    }

    // ------------------------------------------------------------------------------------ requests

    static JoinGroupRequestData joinRequest(final String groupId, final String memberId, final String... protocols) {
        final JoinGroupRequestData r = new JoinGroupRequestData().setGroupId(groupId).setMemberId(memberId)
                .setProtocolType("consumer").setSessionTimeoutMs(SESSION_TIMEOUT_MS)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS);
        for (final String p : protocols) {
            r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName(p)
                    .setMetadata(subscription("orders")));
        }
        return r;
    }

    CompletableFuture<JoinGroupResponseData> join(final JoinGroupRequestData request) {
        return join(request, JOIN_VERSION);
    }

    CompletableFuture<JoinGroupResponseData> join(final JoinGroupRequestData request, final short version) {
        return coordinator.joinGroup(request, version, "client", "/127.0.0.1");
    }

    /**
     * A dynamic member's KIP-394 join: the first join gets MEMBER_ID_REQUIRED and an id, the second joins
     * with it. Returns the second join's future, which completes when the rebalance does.
     */
    CompletableFuture<JoinGroupResponseData> joinDynamic(final String groupId, final String... protocols) {
        final JoinGroupResponseData first = join(joinRequest(groupId, "", protocols)).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        return join(joinRequest(groupId, first.memberId(), protocols));
    }

    CompletableFuture<JoinGroupResponseData> joinStatic(final String groupId, final String instanceId,
                                                        final String memberId, final String... protocols) {
        return join(joinRequest(groupId, memberId, protocols).setGroupInstanceId(instanceId));
    }

    CompletableFuture<SyncGroupResponseData> sync(final String groupId, final String memberId, final int generation,
                                                  final Map<String, byte[]> assignments) {
        return sync(new SyncGroupRequestData().setGroupId(groupId).setMemberId(memberId).setGenerationId(generation),
                assignments);
    }

    CompletableFuture<SyncGroupResponseData> sync(final SyncGroupRequestData request, final Map<String, byte[]> assignments) {
        for (final Map.Entry<String, byte[]> e : assignments.entrySet()) {
            request.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(e.getKey())
                    .setAssignment(e.getValue()));
        }
        return coordinator.syncGroup(request, SYNC_VERSION);
    }

    Errors heartbeat(final String groupId, final String memberId, final int generation) {
        return heartbeat(groupId, memberId, null, generation);
    }

    Errors heartbeat(final String groupId, final String memberId, final String instanceId, final int generation) {
        return Errors.forCode(coordinator.heartbeat(new HeartbeatRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGroupInstanceId(instanceId).setGenerationId(generation)).join().errorCode());
    }

    LeaveGroupResponseData leave(final String groupId, final LeaveGroupRequestData.MemberIdentity... members) {
        return coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId(groupId).setMembers(List.of(members)),
                LEAVE_VERSION).join();
    }

    static OffsetCommitRequestData commitRequest(final String groupId, final String memberId, final int generation,
                                                 final TopicPartition tp, final long offset) {
        final OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId(groupId).setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(generation);
        r.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(tp.topic()).setPartitions(
                new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(tp.partition()).setCommittedOffset(offset).setCommittedMetadata("m")))));
        return r;
    }

    /** Commits one offset and returns that partition's error. */
    Errors commit(final OffsetCommitRequestData request) {
        return commit(request, COMMIT_VERSION);
    }

    Errors commit(final OffsetCommitRequestData request, final short version) {
        final OffsetCommitResponseData response = coordinator.offsets().commit(request, version).join();
        return Errors.forCode(response.topics().get(0).partitions().get(0).errorCode());
    }

    /** The committed offset of one partition, -1 if none. */
    long committed(final String groupId, final TopicPartition tp) {
        final OffsetFetchResponseData r = coordinator.offsets().fetch(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(groupId).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(tp.topic())
                                .setPartitionIndexes(List.of(tp.partition())))))), FETCH_VERSION).join();
        final OffsetFetchResponseData.OffsetFetchResponsePartitions p = r.groups().get(0).topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(p.errorCode())).isEqualTo(Errors.NONE);
        return p.committedOffset();
    }

    DescribeGroupsResponseData.DescribedGroup describe(final String groupId) {
        return coordinator.offsets().describe(List.of(groupId), (short) 5).join().groups().get(0);
    }

    // ------------------------------------------------------------------------------------ scenarios

    /** Member ids for {@code n} new dynamic members: each first join answers MEMBER_ID_REQUIRED. */
    List<String> memberIds(final String groupId, final int n) {
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final JoinGroupResponseData first = join(joinRequest(groupId, "", "range")).join();
            assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
            ids.add(first.memberId());
        }
        return ids;
    }

    /** A stable group of dynamic members formed in one rebalance; the first to join is the leader. */
    record StableGroup(String groupId, int generation, String leader, List<String> members) {
        String follower() {
            return members.get(1);
        }
    }

    StableGroup stableGroup(final String groupId, final int size) {
        final List<String> ids = memberIds(groupId, size);
        final List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        for (final String id : ids) {
            joins.add(join(joinRequest(groupId, id, "range")));
        }
        for (final CompletableFuture<JoinGroupResponseData> f : joins) {
            assertThat(error(f)).isEqualTo(Errors.NONE);
        }
        final JoinGroupResponseData leaderJoin = joins.get(0).join();
        return syncAll(groupId, leaderJoin.generationId(), leaderJoin.leader(), ids);
    }

    /** Every member syncs, followers first, the leader last with an assignment for each; the group is then stable. */
    StableGroup syncAll(final String groupId, final int generation, final String leader, final List<String> members) {
        final List<CompletableFuture<SyncGroupResponseData>> syncs = new ArrayList<>();
        for (final String m : members) {
            if (!m.equals(leader)) {
                syncs.add(sync(groupId, m, generation, Map.of()));
            }
        }
        final Map<String, byte[]> assignments = new java.util.HashMap<>();
        for (final String m : members) {
            assignments.put(m, assignment(m));
        }
        syncs.add(sync(groupId, leader, generation, assignments));
        for (final CompletableFuture<SyncGroupResponseData> s : syncs) {
            assertThat(syncError(s)).isEqualTo(Errors.NONE);
        }
        assertThat(describe(groupId).groupState()).isEqualTo("Stable");
        return new StableGroup(groupId, generation, leader, List.copyOf(members));
    }

    /** A recognisable assignment for a member: its id's bytes. */
    static byte[] assignment(final String memberId) {
        return ("assigned-to-" + memberId).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A consumer protocol subscription to the given topics, as the Java consumer encodes it (version 3). */
    static byte[] subscription(final String... topics) {
        final short version = 3;
        final ConsumerProtocolSubscription s = new ConsumerProtocolSubscription().setTopics(List.of(topics));
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer buffer = ByteBuffer.allocate(2 + s.size(cache, version));
        buffer.putShort(version);
        s.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.array();
    }

    static LeaveGroupRequestData.MemberIdentity member(final String memberId) {
        return new LeaveGroupRequestData.MemberIdentity().setMemberId(memberId);
    }

    static Errors error(final CompletableFuture<JoinGroupResponseData> join) {
        assertThat(join).isDone();
        return Errors.forCode(join.join().errorCode());
    }

    static Errors syncError(final CompletableFuture<SyncGroupResponseData> sync) {
        assertThat(sync).isDone();
        return Errors.forCode(sync.join().errorCode());
    }
}
