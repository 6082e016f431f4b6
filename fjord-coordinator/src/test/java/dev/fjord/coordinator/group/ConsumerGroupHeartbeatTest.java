package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.ConsumerGroupTestContext.error;
import static dev.fjord.coordinator.group.ConsumerGroupTestContext.tps;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** KIP-848 consumer groups: joining, reconciliation (revocation before assignment), leaving and expiry. */
class ConsumerGroupHeartbeatTest {
    private final ConsumerGroupTestContext ctx = new ConsumerGroupTestContext();

    @Test
    void shouldGiveEveryPartitionToTheFirstMemberWhenItJoins() {
        final ConsumerGroupHeartbeatResponseData r = ctx.join("g", "m1", "orders");

        assertThat(error(r)).isEqualTo(Errors.NONE);
        assertThat(r.memberId()).isEqualTo("m1");
        assertThat(r.memberEpoch()).isEqualTo(1);
        assertThat(r.heartbeatIntervalMs()).isEqualTo(ConsumerGroupTestContext.HEARTBEAT_INTERVAL_MS);
        assertThat(ctx.partitions(r)).containsExactlyElementsOf(tps("orders", 0, 1, 2, 3));
    }

    @Test
    void shouldRevokeFromTheOwnerBeforeAssigningToTheNewMemberWhenASecondMemberJoins() {
        ctx.join("g", "m1", "orders");

        final ConsumerGroupHeartbeatResponseData m2Joined = ctx.join("g", "m2", "orders");
        assertThat(m2Joined.memberEpoch()).isEqualTo(2);
        assertThat(ctx.partitions(m2Joined)).as("m1 still owns everything").isEmpty();

        final ConsumerGroupHeartbeatResponseData m1Revoking = ctx.heartbeat("g", "m1", 1, null);
        assertThat(m1Revoking.memberEpoch()).as("epoch stays until the revocation is confirmed").isEqualTo(1);
        assertThat(ctx.partitions(m1Revoking)).containsExactlyElementsOf(tps("orders", 0, 1));

        assertThat(ctx.partitions(ctx.heartbeat("g", "m2", 2, tps("orders")))).as("not released yet: no change").isNull();
        final ConsumerGroupHeartbeatResponseData m1StillOwning = ctx.heartbeat("g", "m1", 1, tps("orders", 0, 1, 2, 3));
        assertThat(m1StillOwning.memberEpoch()).isEqualTo(1);
        assertThat(ctx.partitions(ctx.heartbeat("g", "m2", 2, null))).isNull();

        final ConsumerGroupHeartbeatResponseData m1Done = ctx.heartbeat("g", "m1", 1, tps("orders", 0, 1));
        assertThat(m1Done.memberEpoch()).isEqualTo(2);
        final ConsumerGroupHeartbeatResponseData m2Assigned = ctx.heartbeat("g", "m2", 2, null);
        assertThat(ctx.partitions(m2Assigned)).containsExactlyElementsOf(tps("orders", 2, 3));
        assertThat(describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldMoveTheLeaversPartitionsWhenAMemberLeaves() {
        stableTwoMembers();

        final ConsumerGroupHeartbeatResponseData left = ctx.heartbeat(
                ConsumerGroupTestContext.heartbeatRequest("g", "m2", -1, null));
        assertThat(error(left)).isEqualTo(Errors.NONE);
        assertThat(left.memberEpoch()).isEqualTo(-1);

        final ConsumerGroupHeartbeatResponseData m1 = ctx.heartbeat("g", "m1", 2, null);
        assertThat(m1.memberEpoch()).isEqualTo(3);
        assertThat(ctx.partitions(m1)).containsExactlyElementsOf(tps("orders", 0, 1, 2, 3));
    }

    @Test
    void shouldRemoveAMemberWhenItsSessionExpires() {
        stableTwoMembers();
        ctx.timer.advance(30_000);
        ctx.heartbeat("g", "m1", 2, null);
        ctx.timer.advance(20_000);

        assertThat(error(ctx.heartbeat("g", "m2", 2, null))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        final ConsumerGroupHeartbeatResponseData m1 = ctx.heartbeat("g", "m1", 2, null);
        assertThat(m1.memberEpoch()).isEqualTo(3);
        assertThat(ctx.partitions(m1)).hasSize(4);
    }

    @Test
    void shouldRemoveAMemberThatDoesNotRevokeWithinItsRebalanceTimeout() {
        ctx.join("g", "m1", "orders");
        ctx.join("g", "m2", "orders");
        ctx.heartbeat("g", "m1", 1, null);
        ctx.timer.advance(ConsumerGroupTestContext.REBALANCE_TIMEOUT_MS);

        assertThat(error(ctx.heartbeat("g", "m1", 1, null))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.partitions(ctx.heartbeat("g", "m2", 2, null))).hasSize(4);
    }

    @Test
    void shouldBumpTheEpochWhenASubscribedTopicGetsMorePartitions() {
        ctx.join("g", "m1", "orders");
        ctx.topics.put("orders", 6);

        final ConsumerGroupHeartbeatResponseData r = ctx.heartbeat("g", "m1", 1, null);
        assertThat(r.memberEpoch()).isEqualTo(2);
        assertThat(ctx.partitions(r)).hasSize(6);
    }

    @Test
    void shouldAnswerFencingAndValidationErrorsAsTheSpecSays() {
        ctx.join("g", "m1", "orders");

        assertThat(error(ctx.heartbeat("g", "m1", 7, null))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
        assertThat(error(ctx.heartbeat("g", "nobody", 1, null))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(error(ctx.heartbeat("other", "m1", 1, null))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(error(ctx.join("g", "", "orders"))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(ctx.heartbeat(ConsumerGroupTestContext.joinRequest("g", "m3", "orders")
                .setTopicPartitions(null)))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(ctx.heartbeat(ConsumerGroupTestContext.joinRequest("g", "m3", "orders")
                .setServerAssignor("sticky")))).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
        assertThat(error(ctx.heartbeat(ConsumerGroupTestContext.joinRequest("g", "m3")
                .setSubscribedTopicNames(null).setSubscribedTopicRegex("orders[")))).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    @Test
    void shouldAcceptThePreviousEpochWhenTheMemberOwnsOnlyPartitionsItStillHas() {
        stableTwoMembers();

        final ConsumerGroupHeartbeatResponseData r = ctx.heartbeat("g", "m1", 1, tps("orders", 0, 1));
        assertThat(error(r)).isEqualTo(Errors.NONE);
        assertThat(r.memberEpoch()).isEqualTo(2);
        assertThat(error(ctx.heartbeat("g", "m1", 1, tps("orders", 0, 1, 2)))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
    }

    @Test
    void shouldRefuseMembersBeyondTheMaximumGroupSize() {
        final ConsumerGroupTestContext small = new ConsumerGroupTestContext(
                new ConsumerGroupConfig(true, 45_000, 5_000, 1, List.of("uniform")));
        small.join("g", "m1", "orders");

        assertThat(error(small.join("g", "m2", "orders"))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    }

    @Test
    void shouldSubscribeByRegularExpression() {
        final ConsumerGroupHeartbeatResponseData r = ctx.heartbeat(ConsumerGroupTestContext.joinRequest("g", "m1")
                .setSubscribedTopicNames(null).setSubscribedTopicRegex("pay.*"));

        assertThat(ctx.partitions(r)).containsExactlyElementsOf(tps("payments", 0, 1));
    }

    @Test
    void shouldNotLetOneProtocolJoinAGroupTheOtherHasMembersIn() {
        ctx.join("g", "m1", "orders");
        assertThat(GroupTestContext.error(ctx.coordinator.joinGroup(GroupTestContext.joinRequest("g", "", "range"),
                (short) 9, "c", "/h"))).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);

        ctx.coordinator.joinGroup(GroupTestContext.joinRequest("classic", "", "range").setGroupInstanceId("i"),
                (short) 9, "c", "/h");
        assertThat(error(ctx.join("classic", "m1", "orders"))).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void shouldDescribeMembersAndTheirAssignments() {
        stableTwoMembers();

        final ConsumerGroupDescribeResponseData.DescribedGroup g = describe("g");
        assertThat(g.groupEpoch()).isEqualTo(2);
        assertThat(g.assignmentEpoch()).isEqualTo(2);
        assertThat(g.assignorName()).isEqualTo("uniform");
        assertThat(g.members()).extracting(ConsumerGroupDescribeResponseData.Member::memberId)
                .containsExactly("m1", "m2");
        final List<Integer> all = new ArrayList<>();
        g.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> {
            assertThat(tp.topicName()).isEqualTo("orders");
            all.addAll(tp.partitions());
        }));
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(describe("unknown").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    private ConsumerGroupDescribeResponseData.DescribedGroup describe(final String groupId) {
        return ctx.coordinator.consumerGroups().describe(List.of(groupId), (short) 1).join().groups().get(0);
    }

    /** m1 with orders 0-1 and m2 with orders 2-3, both at epoch 2. */
    private void stableTwoMembers() {
        ctx.join("g", "m1", "orders");
        ctx.join("g", "m2", "orders");
        ctx.heartbeat("g", "m1", 1, null);
        ctx.heartbeat("g", "m1", 1, tps("orders", 0, 1));
        final List<TopicPartition> m2 = ctx.partitions(ctx.heartbeat("g", "m2", 2, null));
        assertThat(m2).containsExactlyElementsOf(tps("orders", 2, 3));
        ctx.heartbeat("g", "m2", 2, m2);
    }
}
