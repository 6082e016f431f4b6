package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.REBALANCE_TIMEOUT_MS;
import static dev.fjord.coordinator.group.GroupTestContext.SESSION_TIMEOUT_MS;
import static dev.fjord.coordinator.group.GroupTestContext.error;
import static dev.fjord.coordinator.group.GroupTestContext.joinRequest;
import static dev.fjord.coordinator.group.GroupTestContext.syncError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Session timeouts, rebalance timeouts and the initial rebalance delay, driven by a manual clock. */
class GroupTimeoutsTest {
    private static final int HEARTBEAT_INTERVAL_MS = 3_000;

    private final GroupTestContext ctx = new GroupTestContext();

    @Test
    void shouldRemoveASilentMemberWhenItsSessionTimesOutAndRebalanceTheRest() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        ctx.timer.advance(SESSION_TIMEOUT_MS - 1);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
        assertThat(ctx.describe("g").members()).hasSize(2);

        ctx.timer.advance(1);
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        assertThat(ctx.describe("g").members()).hasSize(1);
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

        final CompletableFuture<JoinGroupResponseData> rejoin = ctx.join(joinRequest("g", g.leader(), "range"));
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().generationId()).isEqualTo(g.generation() + 1);
        assertThat(rejoin.join().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly(g.leader());
    }

    @Test
    void shouldKeepAMemberThatHeartbeatsWithinItsSessionTimeout() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        for (int elapsed = 0; elapsed < 5 * SESSION_TIMEOUT_MS; elapsed += HEARTBEAT_INTERVAL_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
            assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.NONE);
        }
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldNotExpireAFollowerWaitingInSyncGroupForTheLeader() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        final int generation = a.join().generationId();
        final CompletableFuture<SyncGroupResponseData> followerSync = ctx.sync("g", ids.get(1), generation, Map.of());
        // The leader takes longer than a session timeout to compute the assignment, heartbeating meanwhile.
        for (int elapsed = 0; elapsed < 2 * SESSION_TIMEOUT_MS; elapsed += HEARTBEAT_INTERVAL_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.NONE);
        }
        assertThat(followerSync).isNotDone();
        ctx.sync("g", ids.get(0), generation, Map.of(ids.get(1), GroupTestContext.assignment(ids.get(1))));
        assertThat(syncError(followerSync)).isEqualTo(Errors.NONE);
        assertThat(followerSync.join().assignment()).isEqualTo(GroupTestContext.assignment(ids.get(1)));
        // Its session runs again from the answer: silent from now on, it is removed one session timeout later.
        ctx.timer.advance(SESSION_TIMEOUT_MS - 1);
        assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.NONE);
        assertThat(ctx.describe("g").members()).hasSize(2);
        ctx.timer.advance(1);
        assertThat(ctx.heartbeat("g", ids.get(1), generation)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRemoveMembersThatDoNotRejoinWithinTheRebalanceTimeout() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        final CompletableFuture<JoinGroupResponseData> leader = ctx.join(joinRequest("g", g.leader(), "range"));
        // The follower keeps its session alive but never rejoins; the leader waits in JoinGroup without heartbeats.
        int elapsed = 0;
        while (elapsed + HEARTBEAT_INTERVAL_MS < REBALANCE_TIMEOUT_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            elapsed += HEARTBEAT_INTERVAL_MS;
            assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            assertThat(leader).isNotDone();
        }
        ctx.timer.advance(REBALANCE_TIMEOUT_MS - elapsed);
        assertThat(error(leader)).isEqualTo(Errors.NONE);
        assertThat(leader.join().generationId()).isEqualTo(g.generation() + 1);
        assertThat(leader.join().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly(g.leader());
        assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldEmptyTheGroupWhenNobodyRejoinsWithinTheRebalanceTimeout() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        ctx.leave("g", GroupTestContext.member(g.follower()));
        // The leader is asked to rejoin but has gone quiet: its session ends first, and the group is empty.
        ctx.timer.advance(REBALANCE_TIMEOUT_MS);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Empty");
        assertThat(ctx.describe("g").members()).isEmpty();
    }

    @Test
    void shouldForgetAPendingMemberThatNeverRejoinsAfterItsSessionTimeout() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.timer.advance(SESSION_TIMEOUT_MS - 1);
        assertThat(a).isNotDone();
        ctx.timer.advance(1);
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(a.join().members()).hasSize(1);
        // The forgotten id is no longer accepted as a member id.
        assertThat(error(ctx.join(joinRequest("g", ids.get(1), "range")))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRebalanceWhenTheLeaderNeverSendsTheAssignment() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        final int generation = a.join().generationId();
        final CompletableFuture<SyncGroupResponseData> followerSync = ctx.sync("g", ids.get(1), generation, Map.of());
        int elapsed = 0;
        while (elapsed + HEARTBEAT_INTERVAL_MS < REBALANCE_TIMEOUT_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            elapsed += HEARTBEAT_INTERVAL_MS;
            assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.NONE);
            assertThat(ctx.heartbeat("g", ids.get(1), generation)).isEqualTo(Errors.NONE);
            assertThat(followerSync).isNotDone();
        }
        ctx.timer.advance(REBALANCE_TIMEOUT_MS - elapsed);
        assertThat(syncError(followerSync)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        // The leader that never synced is removed; the follower rejoins and leads the next generation alone.
        assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        final CompletableFuture<JoinGroupResponseData> rejoin = ctx.join(joinRequest("g", ids.get(1), "range"));
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().leader()).isEqualTo(ids.get(1));
    }

    @Test
    void shouldRemoveAFollowerThatNeverSendsSyncGroup() {
        final List<String> ids = ctx.memberIds("g", 2);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        ctx.join(joinRequest("g", ids.get(1), "range"));
        final int generation = a.join().generationId();
        assertThat(syncError(ctx.sync("g", ids.get(0), generation, Map.of()))).isEqualTo(Errors.NONE);
        int elapsed = 0;
        while (elapsed + HEARTBEAT_INTERVAL_MS < REBALANCE_TIMEOUT_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            elapsed += HEARTBEAT_INTERVAL_MS;
            assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.NONE);
            assertThat(ctx.heartbeat("g", ids.get(1), generation)).isEqualTo(Errors.NONE);
        }
        ctx.timer.advance(REBALANCE_TIMEOUT_MS - elapsed);
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        assertThat(ctx.heartbeat("g", ids.get(1), generation)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.heartbeat("g", ids.get(0), generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void shouldKeepAStableGroupWhoseMembersAllSynced() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        for (int elapsed = 0; elapsed < 2 * REBALANCE_TIMEOUT_MS; elapsed += HEARTBEAT_INTERVAL_MS) {
            ctx.timer.advance(HEARTBEAT_INTERVAL_MS);
            assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
            assertThat(ctx.heartbeat("g", g.follower(), g.generation())).isEqualTo(Errors.NONE);
        }
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldDelayTheFirstRebalanceOfANewGroupByTheInitialRebalanceDelay() {
        final GroupTestContext delayed = new GroupTestContext(GroupTestContext.config(3_000, Integer.MAX_VALUE));
        final CompletableFuture<JoinGroupResponseData> a = delayed.joinDynamic("g", "range");
        delayed.timer.advance(2_999);
        assertThat(a).isNotDone();
        assertThat(delayed.describe("g").groupState()).isEqualTo("PreparingRebalance");
        delayed.timer.advance(1);
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(a.join().generationId()).isEqualTo(1);
    }

    @Test
    void shouldExtendTheInitialDelayWhileNewMembersKeepJoining() {
        final GroupTestContext delayed = new GroupTestContext(GroupTestContext.config(3_000, Integer.MAX_VALUE));
        final CompletableFuture<JoinGroupResponseData> a = delayed.joinDynamic("g", "range");
        delayed.timer.advance(2_000);
        final CompletableFuture<JoinGroupResponseData> b = delayed.joinDynamic("g", "range");
        delayed.timer.advance(1_000);
        // B came during the first wait: the coordinator waits another initial delay for more members.
        assertThat(a).isNotDone();
        delayed.timer.advance(2_999);
        assertThat(a).isNotDone();
        delayed.timer.advance(1);
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(error(b)).isEqualTo(Errors.NONE);
        assertThat(a.join().members()).hasSize(2);
        assertThat(a.join().generationId()).isEqualTo(1);
    }

    @Test
    void shouldBoundTheExtendedInitialDelayByTheRebalanceTimeout() {
        final GroupTestContext delayed = new GroupTestContext(GroupTestContext.config(3_000, Integer.MAX_VALUE));
        final String[] ids = delayed.memberIds("g", 3).toArray(new String[0]);
        final CompletableFuture<JoinGroupResponseData> a =
                delayed.join(joinRequest("g", ids[0], "range").setRebalanceTimeoutMs(4_000));
        delayed.timer.advance(1_000);
        delayed.join(joinRequest("g", ids[1], "range").setRebalanceTimeoutMs(4_000));
        delayed.timer.advance(2_500);
        // At 3 s the wait was extended by what is left of the 4 s rebalance timeout; a member joining then
        // does not extend it further.
        assertThat(a).isNotDone();
        delayed.join(joinRequest("g", ids[2], "range").setRebalanceTimeoutMs(4_000));
        delayed.timer.advance(499);
        assertThat(a).isNotDone();
        delayed.timer.advance(1);
        assertThat(error(a)).isEqualTo(Errors.NONE);
        assertThat(a.join().members()).hasSize(3);
    }

    @Test
    void shouldNotDelayRebalancesOfAGroupThatAlreadyHasMembers() {
        final GroupTestContext delayed = new GroupTestContext(GroupTestContext.config(3_000, Integer.MAX_VALUE));
        final CompletableFuture<JoinGroupResponseData> a = delayed.joinDynamic("g", "range");
        delayed.timer.advance(3_000);
        final String leader = a.join().memberId();
        delayed.syncAll("g", a.join().generationId(), leader, List.of(leader));
        final CompletableFuture<JoinGroupResponseData> rejoin = delayed.join(joinRequest("g", leader, "range"));
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().generationId()).isEqualTo(2);
    }
}
