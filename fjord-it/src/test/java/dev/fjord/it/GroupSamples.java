package dev.fjord.it;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** Sample requests for the group APIs at any version, for {@link ApiVersionSweepTest}. */
final class GroupSamples {
    private GroupSamples() {
    }

    static final Map<ApiKeys, Function<Short, ApiMessage>> ALL = Map.ofEntries(
            Map.entry(ApiKeys.FIND_COORDINATOR, v -> v >= 4
                    ? new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of("sweep-group"))
                    : new FindCoordinatorRequestData().setKey("sweep-group")),
            Map.entry(ApiKeys.JOIN_GROUP, GroupSamples::join),
            Map.entry(ApiKeys.SYNC_GROUP, v -> new SyncGroupRequestData().setGroupId("sweep-group").setGenerationId(1)
                    .setMemberId("nobody")),
            Map.entry(ApiKeys.HEARTBEAT, v -> new HeartbeatRequestData().setGroupId("sweep-group").setGenerationId(1)
                    .setMemberId("nobody")),
            Map.entry(ApiKeys.LEAVE_GROUP, v -> v >= 3
                    ? new LeaveGroupRequestData().setGroupId("sweep-group").setMembers(List.of(
                            new LeaveGroupRequestData.MemberIdentity().setMemberId("nobody")))
                    : new LeaveGroupRequestData().setGroupId("sweep-group").setMemberId("nobody")),
            Map.entry(ApiKeys.OFFSET_COMMIT, GroupSamples::commit),
            Map.entry(ApiKeys.OFFSET_FETCH, GroupSamples::fetch),
            Map.entry(ApiKeys.DESCRIBE_GROUPS, v -> new DescribeGroupsRequestData()
                    .setGroups(List.of("sweep-standalone", "sweep-missing"))),
            Map.entry(ApiKeys.LIST_GROUPS, v -> new ListGroupsRequestData()),
            // v0: the coordinator picks the member id; v1: the client brings one. Each version joins its own group.
            Map.entry(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v -> new ConsumerGroupHeartbeatRequestData()
                    .setGroupId("sweep-cg-v" + v).setMemberId(v >= 1 ? Uuid.randomUuid().toString() : "")
                    .setMemberEpoch(0).setRebalanceTimeoutMs(10_000).setSubscribedTopicNames(List.of("sweep"))
                    .setTopicPartitions(List.of())),
            Map.entry(ApiKeys.CONSUMER_GROUP_DESCRIBE, v -> new ConsumerGroupDescribeRequestData()
                    .setGroupIds(List.of("sweep-cg-v0", "sweep-missing"))),
            Map.entry(ApiKeys.DELETE_GROUPS, v -> new DeleteGroupsRequestData().setGroupsNames(List.of("sweep-missing"))),
            Map.entry(ApiKeys.OFFSET_DELETE, v -> {
                final OffsetDeleteRequestData r = new OffsetDeleteRequestData().setGroupId("sweep-standalone");
                final OffsetDeleteRequestData.OffsetDeleteRequestTopic t =
                        new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("sweep");
                t.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
                r.topics().add(t);
                return r;
            }));

    private static ApiMessage join(final short v) {
        final JoinGroupRequestData r = new JoinGroupRequestData().setGroupId("sweep-join-v" + v).setSessionTimeoutMs(10_000)
                .setMemberId("").setProtocolType("consumer");
        if (v >= 1) {
            r.setRebalanceTimeoutMs(10_000);
        }
        r.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        return r;
    }

    private static ApiMessage commit(final short v) {
        final OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId("sweep-standalone")
                .setGenerationIdOrMemberEpoch(-1).setMemberId("");
        final OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic()
                .setName("sweep");
        t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                .setCommittedOffset(1).setCommittedMetadata("m"));
        t.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(99)
                .setCommittedOffset(1));
        r.topics().add(t);
        return r;
    }

    private static ApiMessage fetch(final short v) {
        if (v >= 8) {
            return new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("sweep-standalone").setTopics(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("sweep").setPartitionIndexes(List.of(0, 1)))),
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("sweep-missing").setTopics(null)));
        }
        return new OffsetFetchRequestData().setGroupId("sweep-standalone").setTopics(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("sweep").setPartitionIndexes(List.of(0, 1))));
    }
}
