package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.error;
import static dev.fjord.coordinator.group.GroupTestContext.joinRequest;
import static dev.fjord.coordinator.group.GroupTestContext.member;
import static dev.fjord.coordinator.group.GroupTestContext.syncError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Heartbeat, SyncGroup and LeaveGroup error codes and effects, as Kafka's classic protocol answers them. */
class HeartbeatSyncLeaveTest {
    private final GroupTestContext ctx = new GroupTestContext();

    @Test
    void shouldAcceptAHeartbeatFromAMemberOfTheCurrentGeneration() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
        assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldAnswerUnknownMemberToAHeartbeatFromAStrangerOrToAGroupThatDoesNotExist() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        assertThat(ctx.heartbeat("g", "nobody", g.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.heartbeat("no-such-group", "nobody", 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldAnswerIllegalGenerationToAHeartbeatOfAnotherGeneration() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation() - 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation() + 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void shouldAnswerRebalanceInProgressToHeartbeatsWhileTheGroupPreparesARebalance() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        ctx.join(joinRequest("g", g.leader(), "range"));
        assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void shouldAcceptHeartbeatsWhileWaitingForTheLeadersAssignment() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        assertThat(ctx.describe("g").groupState()).isEqualTo("CompletingRebalance");
        assertThat(ctx.heartbeat("g", ids.get(1), a.join().generationId())).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldHoldAFollowersSyncUntilTheLeaderSendsTheAssignment() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        final int generation = a.join().generationId();
        final String leader = a.join().leader();
        final String follower = ids.get(0).equals(leader) ? ids.get(1) : ids.get(0);

        final CompletableFuture<SyncGroupResponseData> followerSync = ctx.sync("g", follower, generation, Map.of());
        assertThat(followerSync).isNotDone();
        final CompletableFuture<SyncGroupResponseData> leaderSync = ctx.sync("g", leader, generation, Map.of(
                leader, GroupTestContext.assignment(leader), follower, GroupTestContext.assignment(follower)));
        assertThat(syncError(leaderSync)).isEqualTo(Errors.NONE);
        assertThat(syncError(followerSync)).isEqualTo(Errors.NONE);
        assertThat(followerSync.join().assignment()).isEqualTo(GroupTestContext.assignment(follower));
        assertThat(leaderSync.join().assignment()).isEqualTo(GroupTestContext.assignment(leader));
        assertThat(followerSync.join().protocolName()).isEqualTo("range");
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
        // A sync after the group is stable gets the stored assignment straight away.
        assertThat(ctx.sync("g", follower, generation, Map.of()).join().assignment())
                .isEqualTo(GroupTestContext.assignment(follower));
    }

    @Test
    void shouldRejectASyncOfAnotherGenerationOrFromAStranger() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(syncError(ctx.sync("g", g.follower(), g.generation() - 1, Map.of()))).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(syncError(ctx.sync("g", "nobody", g.generation(), Map.of()))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(syncError(ctx.sync("no-such-group", "nobody", 1, Map.of()))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRejectASyncNamingAnotherProtocol() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        final SyncGroupRequestData wrong = new SyncGroupRequestData().setGroupId("g").setMemberId(g.follower())
                .setGenerationId(g.generation()).setProtocolType("consumer").setProtocolName("roundrobin");
        assertThat(syncError(ctx.sync(wrong, Map.of()))).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void shouldAnswerRebalanceInProgressToAWaitingSyncWhenARebalanceStarts() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        final CompletableFuture<SyncGroupResponseData> followerSync =
                ctx.sync("g", ids.get(1), a.join().generationId(), Map.of());
        // A new member arrives before the leader's assignment.
        ctx.joinDynamic("g", "range");
        assertThat(syncError(followerSync)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(syncError(ctx.sync("g", ids.get(0), a.join().generationId(), Map.of())))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void shouldLeaveABatchOfMembersAndAnswerEachOneSeparately() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 3);
        final LeaveGroupResponseData r = ctx.leave("g", member(g.members().get(1)), member("nobody"),
                member(g.members().get(2)));
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.NONE);
        assertThat(r.members()).extracting(LeaveGroupResponseData.MemberResponse::memberId)
                .containsExactly(g.members().get(1), "nobody", g.members().get(2));
        assertThat(r.members()).extracting(m -> Errors.forCode(m.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID, Errors.NONE);
        // The two that left are gone; the leader is asked to rejoin and then rebalances alone.
        assertThat(ctx.heartbeat("g", g.members().get(1), g.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        final CompletableFuture<JoinGroupResponseData> rejoin = ctx.join(joinRequest("g", g.leader(), "range"));
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().members()).hasSize(1);
    }

    @Test
    void shouldAnswerAnOldVersionLeaveOfAStrangerWithATopLevelError() {
        ctx.stableGroup("g", 1);
        final LeaveGroupResponseData r = ctx.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId("g")
                .setMemberId("nobody"), (short) 2).join();
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(Errors.forCode(ctx.leave("no-such-group", member("nobody")).errorCode()))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldEmptyTheGroupWhenTheLastMemberLeaves() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        ctx.leave("g", member(g.leader()));
        assertThat(ctx.describe("g").groupState()).isEqualTo("Empty");
        assertThat(ctx.describe("g").members()).isEmpty();
    }

    @Test
    void shouldLetAPendingMemberLeaveWithoutHoldingUpTheRebalance() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        assertThat(a).isNotDone();
        final LeaveGroupResponseData r = ctx.leave("g", member(ids.get(1)));
        assertThat(r.members().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(a.join().members()).hasSize(1);
    }

    @Test
    void shouldAnswerInvalidGroupIdToHeartbeatSyncAndLeaveWithAnEmptyGroupId() {
        assertThat(ctx.heartbeat("", "m", 1)).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(syncError(ctx.sync("", "m", 1, Map.of()))).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(Errors.forCode(ctx.leave("", member("m")).errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
        final LeaveGroupResponseData v0 = ctx.coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId("")
                .setMemberId("m"), (short) 0).join();
        assertThat(Errors.forCode(v0.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }
}
