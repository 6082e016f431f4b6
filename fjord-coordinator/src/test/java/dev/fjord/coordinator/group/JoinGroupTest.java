package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.error;
import static dev.fjord.coordinator.group.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** JoinGroup as Kafka's classic protocol answers it: member ids, leader, protocol vote, validation. */
class JoinGroupTest {
    private final GroupTestContext ctx = new GroupTestContext();

    @Test
    void shouldRequireAMemberIdOnTheFirstJoinAndCompleteTheRejoinWithIt() {
        final JoinGroupResponseData first = ctx.join(joinRequest("g", "", "range")).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");
        assertThat(ctx.describe("g").groupState()).isEqualTo("Empty");

        final CompletableFuture<JoinGroupResponseData> second = ctx.join(joinRequest("g", first.memberId(), "range"));
        assertThat(error(second)).isEqualTo(Errors.NONE);
        final JoinGroupResponseData r = second.join();
        assertThat(r.memberId()).isEqualTo(first.memberId());
        assertThat(r.generationId()).isEqualTo(1);
        assertThat(r.leader()).isEqualTo(first.memberId());
        assertThat(r.protocolName()).isEqualTo("range");
        assertThat(r.protocolType()).isEqualTo("consumer");
        assertThat(r.members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly(first.memberId());
        assertThat(ctx.describe("g").groupState()).isEqualTo("CompletingRebalance");
    }

    @Test
    void shouldAdmitAMemberWithoutAnIdBeforeVersion4() {
        final CompletableFuture<JoinGroupResponseData> join = ctx.join(joinRequest("g", "", "range"), (short) 3);
        assertThat(error(join)).isEqualTo(Errors.NONE);
        assertThat(join.join().memberId()).startsWith("client-");
        assertThat(join.join().generationId()).isEqualTo(1);
    }

    @Test
    void shouldWaitForEveryPendingMemberAndGiveOnlyTheLeaderTheMemberList() {
        final List<String> ids = ctx.memberIds("g", 3);
        final CompletableFuture<JoinGroupResponseData> a = ctx.join(joinRequest("g", ids.get(0), "range"));
        final CompletableFuture<JoinGroupResponseData> b = ctx.join(joinRequest("g", ids.get(1), "range"));
        assertThat(a).isNotDone();
        assertThat(b).isNotDone();
        final CompletableFuture<JoinGroupResponseData> c = ctx.join(joinRequest("g", ids.get(2), "range"));
        for (final CompletableFuture<JoinGroupResponseData> f : List.of(a, b, c)) {
            assertThat(error(f)).isEqualTo(Errors.NONE);
            assertThat(f.join().generationId()).isEqualTo(1);
            assertThat(f.join().leader()).isEqualTo(ids.get(0));
        }
        assertThat(a.join().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(b.join().members()).isEmpty();
        assertThat(c.join().members()).isEmpty();
    }

    @Test
    void shouldChooseTheProtocolEveryMemberSupportsThatMostMembersPrefer() {
        // The first member prefers roundrobin, but two of three prefer range; sticky is not supported by all.
        assertThat(protocolChosen(List.of(
                List.of("roundrobin", "range"),
                List.of("sticky", "range", "roundrobin"),
                List.of("range", "roundrobin")))).isEqualTo("range");
        // Sticky is everyone's favourite but one member lacks it, so the vote is between the others.
        assertThat(protocolChosen(List.of(
                List.of("sticky", "roundrobin", "range"),
                List.of("sticky", "roundrobin", "range"),
                List.of("roundrobin", "range")))).isEqualTo("roundrobin");
    }

    private String protocolChosen(final List<List<String>> preferences) {
        final String group = "vote-" + preferences.hashCode();
        final List<String> ids = ctx.memberIds(group, preferences.size());
        CompletableFuture<JoinGroupResponseData> last = null;
        for (int i = 0; i < ids.size(); i++) {
            last = ctx.join(joinRequest(group, ids.get(i), preferences.get(i).toArray(new String[0])));
        }
        assertThat(error(last)).isEqualTo(Errors.NONE);
        return last.join().protocolName();
    }

    @Test
    void shouldRejectAMemberWithNoProtocolInCommonWithTheGroup() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(error(ctx.join(joinRequest("g", "", "roundrobin")))).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        // The group is untouched.
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
        assertThat(ctx.heartbeat("g", g.leader(), g.generation())).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldRejectAKnownMemberRejoiningWithNoProtocolInCommon() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(error(ctx.join(joinRequest("g", g.follower(), "roundrobin"))))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldRejectAMemberOfAnotherProtocolType() {
        ctx.stableGroup("g", 1);
        assertThat(error(ctx.join(joinRequest("g", "", "range").setProtocolType("connect"))))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void shouldRejectAnEmptyProtocolTypeOrNoProtocolsEvenForANewGroup() {
        assertThat(error(ctx.join(joinRequest("g", "", "range").setProtocolType(""))))
                .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        assertThat(error(ctx.join(joinRequest("g", "")))).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    }

    @Test
    void shouldRejectAnEmptyGroupId() {
        assertThat(error(ctx.join(joinRequest("", "", "range")))).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void shouldRejectASessionTimeoutOutsideTheConfiguredBounds() {
        final JoinGroupRequestData tooShort = joinRequest("g", "", "range").setSessionTimeoutMs(ctx.config.minSessionTimeoutMs() - 1);
        final JoinGroupRequestData tooLong = joinRequest("g", "", "range").setSessionTimeoutMs(ctx.config.maxSessionTimeoutMs() + 1);
        assertThat(error(ctx.join(tooShort))).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        assertThat(error(ctx.join(tooLong))).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        final JoinGroupRequestData atMin = joinRequest("g", "", "range").setSessionTimeoutMs(ctx.config.minSessionTimeoutMs());
        assertThat(error(ctx.join(atMin))).isEqualTo(Errors.MEMBER_ID_REQUIRED);
    }

    @Test
    void shouldRefuseAMemberBeyondGroupMaxSize() {
        final GroupTestContext small = new GroupTestContext(GroupTestContext.config(0, 2));
        final GroupTestContext.StableGroup g = small.stableGroup("g", 2);
        assertThat(error(small.join(joinRequest("g", "", "range")))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
        assertThat(small.describe("g").groupState()).isEqualTo("Stable");
        assertThat(small.describe("g").members()).hasSize(2);
        // The members already in the group still rejoin freely.
        assertThat(small.join(joinRequest("g", g.leader(), "range"))).isNotDone();
        assertThat(error(small.join(joinRequest("g", g.follower(), "range")))).isEqualTo(Errors.NONE);
    }

    @Test
    void shouldNotCountMembersThatHaveNotRejoinedYetAndLeaveOutTheLastToRejoinWhenFull() {
        final GroupTestContext small = new GroupTestContext(GroupTestContext.config(0, 2));
        final GroupTestContext.StableGroup g = small.stableGroup("g", 1);
        // Two newcomers get member ids: ids handed out but not yet used do not count against group.max.size.
        final String x = small.join(joinRequest("g", "", "range")).join().memberId();
        final String y = small.join(joinRequest("g", "", "range")).join().memberId();
        assertThat(x).isNotEmpty();
        assertThat(y).isNotEmpty().isNotEqualTo(x);

        final CompletableFuture<JoinGroupResponseData> xJoin = small.join(joinRequest("g", x, "range"));
        final CompletableFuture<JoinGroupResponseData> yJoin = small.join(joinRequest("g", y, "range"));
        assertThat(small.describe("g").groupState()).isEqualTo("PreparingRebalance");
        // Two members wait in their join: the old leader, rejoining last, is left out and removed.
        assertThat(error(small.join(joinRequest("g", g.leader(), "range")))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);

        assertThat(error(xJoin)).isEqualTo(Errors.NONE);
        assertThat(error(yJoin)).isEqualTo(Errors.NONE);
        assertThat(small.describe("g").members()).extracting(m -> m.memberId()).containsExactlyInAnyOrder(x, y);
    }

    @Test
    void shouldAnswerAFollowerRejoiningWithUnchangedMetadataWithoutARebalance() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        final CompletableFuture<JoinGroupResponseData> again = ctx.join(joinRequest("g", g.follower(), "range"));
        assertThat(error(again)).isEqualTo(Errors.NONE);
        assertThat(again.join().generationId()).isEqualTo(g.generation());
        assertThat(again.join().leader()).isEqualTo(g.leader());
        assertThat(ctx.describe("g").groupState()).isEqualTo("Stable");
    }

    @Test
    void shouldRebalanceWhenTheLeaderRejoins() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        final CompletableFuture<JoinGroupResponseData> leader = ctx.join(joinRequest("g", g.leader(), "range"));
        assertThat(leader).isNotDone();
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        final CompletableFuture<JoinGroupResponseData> follower = ctx.join(joinRequest("g", g.follower(), "range"));
        assertThat(error(leader)).isEqualTo(Errors.NONE);
        assertThat(error(follower)).isEqualTo(Errors.NONE);
        assertThat(leader.join().generationId()).isEqualTo(g.generation() + 1);
    }

    @Test
    void shouldRejectAJoinWithAnUnknownMemberId() {
        ctx.stableGroup("g", 1);
        assertThat(error(ctx.join(joinRequest("g", "nobody", "range")))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldNotCreateAGroupForAJoinWithAMemberIdOfAGroupThatDoesNotExist() {
        assertThat(error(ctx.join(joinRequest("ghost", "client-123", "range")))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.describe("ghost").groupState()).isEqualTo("Dead");
        assertThat(ctx.coordinator.offsets().list(new org.apache.kafka.common.message.ListGroupsRequestData(), (short) 5)
                .join().groups()).isEmpty();
    }
}
