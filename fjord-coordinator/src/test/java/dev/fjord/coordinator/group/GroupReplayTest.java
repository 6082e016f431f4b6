package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.SESSION_TIMEOUT_MS;
import static dev.fjord.coordinator.group.GroupTestContext.commitRequest;
import static dev.fjord.coordinator.group.GroupTestContext.error;
import static dev.fjord.coordinator.group.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** A new coordinator loading the same log restores the groups and offsets Kafka would restore. */
class GroupReplayTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_2 = new TopicPartition("orders", 2);

    private final GroupTestContext before = new GroupTestContext();

    private GroupTestContext reload() {
        final GroupTestContext after = new GroupTestContext(before.config, before.log);
        after.coordinator.load();
        return after;
    }

    @Test
    void shouldRestoreAStableGroupWithItsMembersAssignmentsAndOffsets() {
        final GroupTestContext.StableGroup g = before.stableGroup("g", 2);
        before.commit(commitRequest("g", g.leader(), g.generation(), ORDERS_0, 11));
        before.commit(commitRequest("g", g.follower(), g.generation(), ORDERS_2, 12));
        before.commit(commitRequest("g", g.follower(), g.generation(), ORDERS_2, 13));

        final GroupTestContext after = reload();
        final DescribeGroupsResponseData.DescribedGroup d = after.describe("g");
        assertThat(d.groupState()).isEqualTo("Stable");
        assertThat(d.protocolType()).isEqualTo("consumer");
        assertThat(d.protocolData()).isEqualTo("range");
        assertThat(d.members()).extracting(DescribeGroupsResponseData.DescribedGroupMember::memberId)
                .containsExactlyInAnyOrderElementsOf(g.members());
        for (final DescribeGroupsResponseData.DescribedGroupMember m : d.members()) {
            assertThat(m.memberAssignment()).isEqualTo(GroupTestContext.assignment(m.memberId()));
            assertThat(m.memberMetadata()).isEqualTo(GroupTestContext.subscription("orders"));
        }
        assertThat(after.committed("g", ORDERS_0)).isEqualTo(11);
        assertThat(after.committed("g", ORDERS_2)).isEqualTo(13);

        // The members carry on in the same generation, with the same leader.
        assertThat(after.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
        assertThat(after.sync("g", g.follower(), g.generation(), Map.of()).join().assignment())
                .isEqualTo(GroupTestContext.assignment(g.follower()));
        final CompletableFuture<JoinGroupResponseData> followerRejoin = after.join(joinRequest("g", g.follower(), "range"));
        assertThat(error(followerRejoin)).isEqualTo(Errors.NONE);
        assertThat(followerRejoin.join().generationId()).isEqualTo(g.generation());
        assertThat(followerRejoin.join().leader()).isEqualTo(g.leader());
        assertThat(after.commit(commitRequest("g", g.follower(), g.generation(), ORDERS_0, 14))).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldReArmTheSessionTimersOfRestoredMembers() {
        final GroupTestContext.StableGroup g = before.stableGroup("g", 2);
        final GroupTestContext after = reload();
        after.timer.advance(SESSION_TIMEOUT_MS - 1);
        assertThat(after.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
        after.timer.advance(1);
        // The follower never heartbeated to the new coordinator: it is dropped and the group rebalances.
        assertThat(after.describe("g").groupState()).isEqualTo("PreparingRebalance");
        assertThat(after.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRestoreAnEmptiedGroupAndAStandaloneGroupAsEmpty() {
        final GroupTestContext.StableGroup g = before.stableGroup("emptied", 1);
        before.commit(commitRequest("emptied", g.leader(), g.generation(), ORDERS_0, 5));
        before.leave("emptied", GroupTestContext.member(g.leader()));
        before.commit(commitRequest("standalone", "", -1, ORDERS_0, 6));

        final GroupTestContext after = reload();
        assertThat(after.describe("emptied").groupState()).isEqualTo("Empty");
        assertThat(after.describe("emptied").protocolType()).isEqualTo("consumer");
        assertThat(after.describe("emptied").members()).isEmpty();
        assertThat(after.describe("standalone").groupState()).isEqualTo("Empty");
        assertThat(after.committed("emptied", ORDERS_0)).isEqualTo(5);
        assertThat(after.committed("standalone", ORDERS_0)).isEqualTo(6);
        // The generation continues from where it was: a new member starts the next one.
        final CompletableFuture<JoinGroupResponseData> next = after.joinDynamic("emptied", "range");
        assertThat(error(next)).isEqualTo(Errors.NONE);
        assertThat(next.join().generationId()).isEqualTo(g.generation() + 2);
    }

    @Test
    void shouldReplayADeletedGroupToNoGroupAtAll() {
        final GroupTestContext.StableGroup g = before.stableGroup("deleted", 1);
        before.commit(commitRequest("deleted", g.leader(), g.generation(), ORDERS_0, 5));
        before.leave("deleted", GroupTestContext.member(g.leader()));
        assertThat(before.coordinator.offsets().deleteGroups(List.of("deleted")).join().results().iterator().next()
                .errorCode()).isEqualTo(Errors.NONE.code());
        before.commit(commitRequest("kept", "", -1, ORDERS_0, 1));

        final GroupTestContext after = reload();
        assertThat(after.describe("deleted").groupState()).isEqualTo("Dead");
        assertThat(after.committed("deleted", ORDERS_0)).isEqualTo(-1);
        final ListGroupsResponseData listed = after.coordinator.offsets().list(new ListGroupsRequestData(), (short) 5).join();
        assertThat(listed.groups()).extracting(ListGroupsResponseData.ListedGroup::groupId).containsExactly("kept");
    }

    @Test
    void shouldRestoreStaticMembersSoThatARestartedInstanceKeepsItsAssignment() {
        final CompletableFuture<JoinGroupResponseData> join = before.joinStatic("g", "instance-1", "", "range");
        final String memberId = join.join().memberId();
        before.syncAll("g", join.join().generationId(), memberId, List.of(memberId));

        final GroupTestContext after = reload();
        final CompletableFuture<JoinGroupResponseData> restarted = after.joinStatic("g", "instance-1", "", "range");
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        assertThat(restarted.join().generationId()).isEqualTo(join.join().generationId());
        assertThat(after.describe("g").groupState()).isEqualTo("Stable");
        assertThat(after.sync("g", restarted.join().memberId(), join.join().generationId(), Map.of()).join().assignment())
                .isEqualTo(GroupTestContext.assignment(memberId));
        assertThat(after.heartbeat("g", memberId, "instance-1", join.join().generationId()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
    }
}
