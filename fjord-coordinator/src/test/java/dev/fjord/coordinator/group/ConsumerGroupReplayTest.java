package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.ConsumerGroupTestContext.error;
import static dev.fjord.coordinator.group.ConsumerGroupTestContext.tps;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Consumer groups survive a restart: their records in the log rebuild members, epochs and assignments. */
class ConsumerGroupReplayTest {
    private final ConsumerGroupTestContext ctx = new ConsumerGroupTestContext();

    @Test
    void shouldKeepMembersEpochsAndAssignmentsAcrossARestart() {
        ctx.join("g", "m1", "orders");
        ctx.join("g", "m2", "orders");
        ctx.heartbeat("g", "m1", 1, null);

        final ConsumerGroupTestContext after = ctx.restarted();

        // m1 was revoking orders-2 and orders-3 at epoch 1; it still is, and m2 still waits for them.
        // After a restart the coordinator does not know what it last sent, so it sends the assignment again.
        assertThat(after.partitions(after.heartbeat("g", "m2", 2, null))).isEmpty();
        final ConsumerGroupHeartbeatResponseData m1 = after.heartbeat("g", "m1", 1, tps("orders", 0, 1));
        assertThat(error(m1)).isEqualTo(Errors.NONE);
        assertThat(m1.memberEpoch()).isEqualTo(2);
        assertThat(after.partitions(after.heartbeat("g", "m2", 2, null))).containsExactlyElementsOf(tps("orders", 2, 3));

        final ConsumerGroupDescribeResponseData.DescribedGroup g = after.coordinator.consumerGroups()
                .describe(List.of("g"), (short) 1).join().groups().get(0);
        assertThat(g.groupEpoch()).isEqualTo(2);
        assertThat(g.groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldExpireMembersThatDoNotComeBackAfterARestart() {
        ctx.join("g", "m1", "orders");
        final ConsumerGroupTestContext after = ctx.restarted();

        after.timer.advance(ConsumerGroupTestContext.SESSION_TIMEOUT_MS);

        assertThat(error(after.heartbeat("g", "m1", 1, null))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldForgetADeletedGroupAcrossARestart() {
        ctx.join("g", "m1", "orders");
        ctx.heartbeat(ConsumerGroupTestContext.heartbeatRequest("g", "m1", -1, null));
        ctx.coordinator.offsets().deleteGroups(List.of("g")).join();

        final ConsumerGroupTestContext after = ctx.restarted();

        assertThat(after.coordinator.consumerGroups().describe(List.of("g"), (short) 1).join().groups().get(0)
                .errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }
}
