package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.ConsumerGroupTestContext.error;
import static dev.fjord.coordinator.group.ConsumerGroupTestContext.tps;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** KIP-848 static membership, and how consumer groups meet the offsets and read-side APIs. */
class ConsumerGroupStaticAndOffsetsTest {
    private final ConsumerGroupTestContext ctx = new ConsumerGroupTestContext();

    private ConsumerGroupHeartbeatResponseData joinStatic(final String memberId, final String instanceId) {
        return ctx.heartbeat(ConsumerGroupTestContext.joinRequest("g", memberId, "orders").setInstanceId(instanceId));
    }

    @Test
    void shouldKeepTheAssignmentWhenAStaticMemberRejoinsAfterLeavingWithEpochMinusTwo() {
        joinStatic("a1", "instance-a");
        final ConsumerGroupHeartbeatResponseData left = ctx.heartbeat(ConsumerGroupTestContext
                .heartbeatRequest("g", "a1", -2, null).setInstanceId("instance-a"));
        assertThat(left.memberEpoch()).isEqualTo(-2);

        final ConsumerGroupHeartbeatResponseData back = joinStatic("a2", "instance-a");
        assertThat(error(back)).isEqualTo(Errors.NONE);
        assertThat(back.memberEpoch()).as("no rebalance").isEqualTo(1);
        assertThat(ctx.partitions(back)).containsExactlyElementsOf(tps("orders", 0, 1, 2, 3));
        assertThat(error(ctx.heartbeat("g", "a1", 1, null))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRefuseAnInstanceIdItsHolderHasNotReleased() {
        joinStatic("a1", "instance-a");

        assertThat(error(joinStatic("a2", "instance-a"))).isEqualTo(Errors.UNRELEASED_INSTANCE_ID);
    }

    @Test
    void shouldFreeAStaticSlotWhenItsSessionTimeoutPassesAfterTheLeave() {
        joinStatic("a1", "instance-a");
        ctx.join("g", "b1", "orders");
        ctx.heartbeat(ConsumerGroupTestContext.heartbeatRequest("g", "a1", -2, null).setInstanceId("instance-a"));
        ctx.timer.advance(40_000);
        ctx.heartbeat("g", "b1", 2, null);
        ctx.timer.advance(10_000);

        final ConsumerGroupHeartbeatResponseData fresh = joinStatic("a3", "instance-a");
        assertThat(error(fresh)).isEqualTo(Errors.NONE);
        assertThat(fresh.memberEpoch()).as("a new member: the group rebalanced twice more").isEqualTo(4);
    }

    @Test
    void shouldValidateMemberAndEpochOfCommitsToAConsumerGroup() {
        ctx.join("g", "m1", "orders");

        assertThat(commit("m1", 1)).isEqualTo(Errors.NONE);
        assertThat(commit("m1", 0)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("m1", 2)).as("as Kafka 4.4: stale either way").isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(commit("ghost", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(commit("", -1)).as("standalone commit to a group with members").isEqualTo(Errors.UNKNOWN_MEMBER_ID);

        final OffsetFetchRequestData fetch = new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setMemberId("m1").setMemberEpoch(0)
                        .setTopics(null)));
        assertThat(ctx.coordinator.offsets().fetch(fetch, (short) 9).join().groups().get(0).errorCode())
                .isEqualTo(Errors.STALE_MEMBER_EPOCH.code());
        fetch.groups().get(0).setMemberEpoch(1);
        assertThat(ctx.coordinator.offsets().fetch(fetch, (short) 9).join().groups().get(0).topics().get(0)
                .partitions().get(0).committedOffset()).isEqualTo(42L);
    }

    @Test
    void shouldListConsumerGroupsByTypeAndDeleteThemOnlyWhenEmpty() {
        ctx.join("g", "m1", "orders");
        commit("m1", 1);

        final ListGroupsResponseData consumer = ctx.coordinator.offsets()
                .list(new ListGroupsRequestData().setTypesFilter(List.of("consumer")), (short) 5).join();
        assertThat(consumer.groups()).hasSize(1);
        assertThat(consumer.groups().get(0).groupType()).isEqualTo("consumer");
        assertThat(consumer.groups().get(0).groupState()).isEqualTo("Stable");
        assertThat(ctx.coordinator.offsets().list(new ListGroupsRequestData().setTypesFilter(List.of("classic")),
                (short) 5).join().groups()).isEmpty();
        assertThat(deleteError()).isEqualTo(Errors.NON_EMPTY_GROUP);

        assertThat(ctx.coordinator.offsets().describe(List.of("g"), (short) 5).join().groups().get(0).groupState())
                .as("DescribeGroups answers for KIP-848 groups as for missing ones, as Kafka 4.4").isEqualTo("Dead");
        ctx.heartbeat(ConsumerGroupTestContext.heartbeatRequest("g", "m1", -1, null));
        assertThat(ctx.coordinator.consumerGroups().describe(List.of("g"), (short) 1).join().groups().get(0)
                .groupState()).isEqualTo("Empty");
        assertThat(deleteError()).isEqualTo(Errors.NONE);
        assertThat(ctx.coordinator.offsets().list(new ListGroupsRequestData(), (short) 5).join().groups()).isEmpty();
    }

    @Test
    void shouldKeepOffsetsOfAGroupWithMembersAndExpireThoseOfAnEmptyOne() {
        ctx.join("g", "m1", "orders");
        commit("m1", 1);
        ctx.clock.advanceMillis(GroupCoordinatorConfig.DEFAULT_OFFSETS_RETENTION_MS + 1);
        ctx.heartbeat("g", "m1", 1, null);
        assertThat(ctx.coordinator.offsets().expireOffsets().join()).isZero();

        ctx.heartbeat(ConsumerGroupTestContext.heartbeatRequest("g", "m1", -1, null));
        assertThat(ctx.coordinator.offsets().expireOffsets().join()).isEqualTo(1);
        assertThat(ctx.coordinator.consumerGroups().describe(List.of("g"), (short) 1).join().groups().get(0)
                .errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    private Errors deleteError() {
        final DeleteGroupsResponseData r = ctx.coordinator.offsets().deleteGroups(List.of("g")).join();
        return Errors.forCode(r.results().iterator().next().errorCode());
    }

    private Errors commit(final String memberId, final int epoch) {
        final OffsetCommitRequestData r = new OffsetCommitRequestData().setGroupId("g").setMemberId(memberId)
                .setGenerationIdOrMemberEpoch(epoch).setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic()
                        .setName("orders").setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(42)))));
        return Errors.forCode(ctx.coordinator.offsets().commit(r, (short) 9).join().topics().get(0).partitions().get(0)
                .errorCode());
    }
}
