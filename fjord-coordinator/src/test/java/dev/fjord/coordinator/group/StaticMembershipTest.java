package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.SESSION_TIMEOUT_MS;
import static dev.fjord.coordinator.group.GroupTestContext.commitRequest;
import static dev.fjord.coordinator.group.GroupTestContext.error;
import static dev.fjord.coordinator.group.GroupTestContext.syncError;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** KIP-345 static membership: group.instance.id survives restarts of the member within its session. */
class StaticMembershipTest {
    private final GroupTestContext ctx = new GroupTestContext();
    private String a;
    private String b;
    private int generation;

    /** Instances "a" (the leader) and "b" in a stable group. */
    @BeforeEach
    void formGroup() {
        final CompletableFuture<JoinGroupResponseData> first = ctx.joinStatic("g", "a", "", "range");
        assertThat(error(first)).isEqualTo(Errors.NONE);
        a = first.join().memberId();
        final CompletableFuture<JoinGroupResponseData> second = ctx.joinStatic("g", "b", "", "range");
        assertThat(second).isNotDone();
        final CompletableFuture<JoinGroupResponseData> rejoinA = ctx.joinStatic("g", "a", a, "range");
        assertThat(error(second)).isEqualTo(Errors.NONE);
        assertThat(error(rejoinA)).isEqualTo(Errors.NONE);
        b = second.join().memberId();
        generation = rejoinA.join().generationId();
        assertThat(rejoinA.join().leader()).isEqualTo(a);
        ctx.syncAll("g", generation, a, List.of(a, b));
    }

    @Test
    void shouldGiveARestartedInstanceItsOldAssignmentWithoutARebalance() {
        final CompletableFuture<JoinGroupResponseData> restarted = ctx.joinStatic("g", "b", "", "range");
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        final String newB = restarted.join().memberId();
        assertThat(newB).isNotEqualTo(b);
        assertThat(restarted.join().generationId()).isEqualTo(generation);
        assertThat(restarted.join().leader()).isEqualTo(a);
        assertThat(restarted.join().members()).isEmpty();
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");

        final CompletableFuture<org.apache.kafka.common.message.SyncGroupResponseData> sync =
                ctx.sync("g", newB, generation, Map.of());
        assertThat(syncError(sync)).isEqualTo(Errors.NONE);
        assertThat(sync.join().assignment()).isEqualTo(GroupTestContext.assignment(b));
        assertThat(ctx.heartbeat("g", a, "a", generation)).isEqualTo(Errors.NONE);
        assertThat(ctx.heartbeat("g", newB, "b", generation)).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldStoreARestartedInstancesNewSubscriptionWithoutARebalance() {
        final byte[] wider = GroupTestContext.subscription("orders", "payments");
        final org.apache.kafka.common.message.JoinGroupRequestData request = GroupTestContext.joinRequest("g", "", "range")
                .setGroupInstanceId("b");
        request.protocols().find("range").setMetadata(wider);
        final CompletableFuture<JoinGroupResponseData> restarted = ctx.join(request);
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        assertThat(restarted.join().generationId()).isEqualTo(generation);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
        assertThat(ctx.describe("g").members()).filteredOn(m -> "b".equals(m.groupInstanceId()))
                .extracting(m -> m.memberMetadata()).containsExactly(wider);
    }

    @Test
    void shouldRebalanceWhenARestartedInstanceChangesTheGroupsProtocol() {
        final GroupTestContext alone = new GroupTestContext();
        final CompletableFuture<JoinGroupResponseData> first = alone.joinStatic("solo", "s", "", "range");
        alone.syncAll("solo", first.join().generationId(), first.join().memberId(), List.of(first.join().memberId()));
        final CompletableFuture<JoinGroupResponseData> restarted = alone.joinStatic("solo", "s", "", "roundrobin", "range");
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        assertThat(restarted.join().generationId()).isEqualTo(first.join().generationId() + 1);
        assertThat(restarted.join().protocolName()).isEqualTo("roundrobin");
    }

    @Test
    void shouldTellARestartedLeaderToSkipTheAssignment() {
        final CompletableFuture<JoinGroupResponseData> restarted = ctx.joinStatic("g", "a", "", "range");
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        final JoinGroupResponseData r = restarted.join();
        assertThat(r.generationId()).isEqualTo(generation);
        assertThat(r.leader()).isEqualTo(r.memberId());
        assertThat(r.skipAssignment()).isTrue();
        assertThat(r.members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrder(r.memberId(), b);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
        assertThat(ctx.sync("g", r.memberId(), generation, Map.of()).join().assignment())
                .isEqualTo(GroupTestContext.assignment(a));
    }

    @Test
    void shouldNameThePreviousLeaderToARestartedLeaderBeforeVersion9() {
        final CompletableFuture<JoinGroupResponseData> restarted =
                ctx.join(GroupTestContext.joinRequest("g", "", "range").setGroupInstanceId("a"), (short) 8);
        assertThat(error(restarted)).isEqualTo(Errors.NONE);
        final JoinGroupResponseData r = restarted.join();
        assertThat(r.memberId()).isNotEqualTo(a);
        assertThat(r.leader()).isEqualTo(a);
        assertThat(r.members()).isEmpty();
        assertThat(r.generationId()).isEqualTo(generation);
    }

    @Test
    void shouldFenceTheReplacedMemberIdOnHeartbeatSyncCommitAndJoin() {
        ctx.joinStatic("g", "b", "", "range").join();
        assertThat(ctx.heartbeat("g", b, "b", generation)).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(syncError(ctx.sync(new org.apache.kafka.common.message.SyncGroupRequestData().setGroupId("g")
                .setMemberId(b).setGroupInstanceId("b").setGenerationId(generation), Map.of())))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(ctx.commit(commitRequest("g", b, generation, new TopicPartition("orders", 0), 5)
                .setGroupInstanceId("b"))).isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(error(ctx.joinStatic("g", "b", b, "range"))).isEqualTo(Errors.FENCED_INSTANCE_ID);
        // Without its instance id the old member id is simply unknown.
        assertThat(ctx.heartbeat("g", b, generation)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldAnswerUnknownMemberToARequestNamingAnInstanceIdNobodyHolds() {
        final CompletableFuture<JoinGroupResponseData> dynamic = ctx.joinDynamic("g", "range");
        ctx.joinStatic("g", "a", a, "range");
        ctx.joinStatic("g", "b", b, "range");
        final int next = dynamic.join().generationId();
        final String id = dynamic.join().memberId();
        assertThat(ctx.heartbeat("g", id, next)).isEqualTo(Errors.NONE);
        assertThat(ctx.heartbeat("g", id, "no-such-instance", next)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.commit(commitRequest("g", id, next, new TopicPartition("orders", 0), 1)
                .setGroupInstanceId("no-such-instance"))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldRemoveAStaticMemberThatLeavesByInstanceId() {
        final LeaveGroupResponseData r = ctx.leave("g", new LeaveGroupRequestData.MemberIdentity().setMemberId("")
                .setGroupInstanceId("b"));
        assertThat(r.members().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        assertThat(ctx.describe("g").members()).extracting(m -> m.groupInstanceId()).containsExactly("a");
        final CompletableFuture<JoinGroupResponseData> rejoin = ctx.joinStatic("g", "a", a, "range");
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().generationId()).isEqualTo(generation + 1);
    }

    @Test
    void shouldAnswerEachStaticLeaveByWhetherTheInstanceAndMemberIdMatch() {
        final LeaveGroupResponseData r = ctx.leave("g",
                new LeaveGroupRequestData.MemberIdentity().setMemberId("someone-else").setGroupInstanceId("b"),
                new LeaveGroupRequestData.MemberIdentity().setMemberId("").setGroupInstanceId("c"));
        assertThat(r.members()).extracting(m -> Errors.forCode(m.errorCode()))
                .containsExactly(Errors.FENCED_INSTANCE_ID, Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldRemoveAStaticMemberWhoseSessionExpires() {
        ctx.timer.advance(SESSION_TIMEOUT_MS - 1);
        assertThat(ctx.heartbeat("g", a, "a", generation)).isEqualTo(Errors.NONE);
        ctx.timer.advance(1);
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        assertThat(ctx.describe("g").members()).extracting(m -> m.groupInstanceId()).containsExactly("a");
        // The instance id is free again: "b" coming back is a new member and joins the rebalance.
        final CompletableFuture<JoinGroupResponseData> back = ctx.joinStatic("g", "b", "", "range");
        final CompletableFuture<JoinGroupResponseData> rejoinA = ctx.joinStatic("g", "a", a, "range");
        assertThat(error(back)).isEqualTo(Errors.NONE);
        assertThat(error(rejoinA)).isEqualTo(Errors.NONE);
        assertThat(back.join().generationId()).isEqualTo(generation + 1);
    }

    @Test
    void shouldKeepAStaticMemberThatDoesNotRejoinWithinTheRebalanceTimeout() {
        final CompletableFuture<JoinGroupResponseData> leader = ctx.joinStatic("g", "a", a, "range");
        heartbeatUntilTheRebalanceTimeout(b, "b");
        assertThat(error(leader)).isEqualTo(Errors.NONE);
        assertThat(leader.join().generationId()).isEqualTo(generation + 1);
        assertThat(leader.join().leader()).isEqualTo(a);
        assertThat(leader.join().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrder(a, b);
        // b is still a member: it is told its generation is over, and its rejoin gets the new one at once.
        assertThat(ctx.heartbeat("g", b, "b", generation)).isEqualTo(Errors.ILLEGAL_GENERATION);
        final CompletableFuture<JoinGroupResponseData> rejoin = ctx.joinStatic("g", "b", b, "range");
        assertThat(error(rejoin)).isEqualTo(Errors.NONE);
        assertThat(rejoin.join().generationId()).isEqualTo(generation + 1);
        ctx.syncAll("g", generation + 1, a, List.of(a, b));
    }

    @Test
    void shouldElectAMemberThatRejoinedWhenTheStaticLeaderDoesNot() {
        final CompletableFuture<JoinGroupResponseData> newcomer = ctx.joinDynamic("g", "range");
        final CompletableFuture<JoinGroupResponseData> rejoinB = ctx.joinStatic("g", "b", b, "range");
        heartbeatUntilTheRebalanceTimeout(a, "a");
        assertThat(error(rejoinB)).isEqualTo(Errors.NONE);
        assertThat(error(newcomer)).isEqualTo(Errors.NONE);
        assertThat(rejoinB.join().leader()).isEqualTo(b);
        assertThat(rejoinB.join().members()).hasSize(3);
        assertThat(ctx.heartbeat("g", a, "a", generation)).isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    /** The given member heartbeats (getting REBALANCE_IN_PROGRESS) but does not rejoin, for one rebalance timeout. */
    private void heartbeatUntilTheRebalanceTimeout(final String memberId, final String instanceId) {
        final int step = 3_000;
        int elapsed = 0;
        while (elapsed + step < GroupTestContext.REBALANCE_TIMEOUT_MS) {
            ctx.timer.advance(step);
            elapsed += step;
            assertThat(ctx.heartbeat("g", memberId, instanceId, generation)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        }
        ctx.timer.advance(GroupTestContext.REBALANCE_TIMEOUT_MS - elapsed);
    }
}
