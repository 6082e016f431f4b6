package dev.fjord.coordinator.group;

import static dev.fjord.coordinator.group.GroupTestContext.commitRequest;
import static dev.fjord.coordinator.group.GroupTestContext.joinRequest;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** OffsetCommit, OffsetFetch, DeleteGroups and OffsetDelete as Kafka answers them for classic groups. */
class GroupOffsetsTest {
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition PAYMENTS_1 = new TopicPartition("payments", 1);

    private final GroupTestContext ctx = new GroupTestContext();

    @Test
    void shouldAcceptAStandaloneCommitToAGroupWithoutMembers() {
        assertThat(ctx.commit(commitRequest("standalone", "", -1, ORDERS_0, 42))).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("standalone", ORDERS_0)).isEqualTo(42);
        assertThat(ctx.describe("standalone").groupState()).isEqualTo("Empty");
        // A second standalone commit to the now existing, still memberless group is accepted too.
        assertThat(ctx.commit(commitRequest("standalone", "", -1, ORDERS_0, 43))).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("standalone", ORDERS_0)).isEqualTo(43);
    }

    @Test
    void shouldAcceptACommitFromAMemberOfTheCurrentGeneration() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(ctx.commit(commitRequest("g", g.follower(), g.generation(), ORDERS_0, 7))).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(7);
    }

    @Test
    void shouldRejectCommitsFromStrangersOldGenerationsAndStandaloneConsumersWhileTheGroupHasMembers() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        assertThat(ctx.commit(commitRequest("g", "nobody", g.generation(), ORDERS_0, 1))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.commit(commitRequest("g", g.leader(), g.generation() - 1, ORDERS_0, 1)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(ctx.commit(commitRequest("g", "", -1, ORDERS_0, 1))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(-1);
    }

    @Test
    void shouldRejectAMemberCommitToAGroupThatHasNoMembers() {
        assertThat(ctx.commit(commitRequest("standalone", "", -1, ORDERS_0, 1))).isEqualTo(Errors.NONE);
        assertThat(ctx.commit(commitRequest("standalone", "ghost", 3, ORDERS_0, 2))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldAnswerIllegalGenerationToAMemberCommitForAGroupThatDoesNotExistBeforeVersion9() {
        assertThat(ctx.commit(commitRequest("no-such-group", "ghost", 3, ORDERS_0, 1), (short) 8))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void shouldAnswerGroupIdNotFoundToAMemberCommitForAGroupThatDoesNotExistFromVersion9() {
        assertThat(ctx.commit(commitRequest("no-such-group", "ghost", 3, ORDERS_0, 1), (short) 9))
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(ctx.describe("no-such-group").groupState()).isEqualTo("Dead");
    }

    @Test
    void shouldAnswerRebalanceInProgressToACommitWhileTheLeadersAssignmentIsAwaited() {
        final List<String> ids = ctx.memberIds("g", 1);
        final int generation = ctx.join(joinRequest("g", ids.get(0), "range")).join().generationId();
        assertThat(ctx.describe("g").groupState()).isEqualTo("CompletingRebalance");
        assertThat(ctx.commit(commitRequest("g", ids.get(0), generation, ORDERS_0, 1))).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    }

    @Test
    void shouldAcceptACommitFromACurrentMemberWhileTheGroupPreparesARebalance() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 2);
        ctx.joinDynamic("g", "range");
        assertThat(ctx.describe("g").groupState()).isEqualTo("PreparingRebalance");
        // What the Java consumer does in onPartitionsRevoked, before it rejoins.
        assertThat(ctx.commit(commitRequest("g", g.follower(), g.generation(), ORDERS_0, 9))).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(9);
        assertThat(ctx.commit(commitRequest("g", g.follower(), g.generation() - 1, ORDERS_0, 10)))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void shouldRejectACommitToAPartitionThatDoesNotExistAndKeepTheOthers() {
        final OffsetCommitRequestData r = commitRequest("standalone", "", -1, ORDERS_0, 5);
        r.topics().get(0).partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(99).setCommittedOffset(5));
        r.topics().add(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("no-such-topic")
                .setPartitions(new ArrayList<>(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                        .setPartitionIndex(0).setCommittedOffset(5)))));
        final OffsetCommitResponseData response = ctx.coordinator.offsets().commit(r, GroupTestContext.COMMIT_VERSION).join();
        assertThat(response.topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.NONE, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(Errors.forCode(response.topics().get(1).partitions().get(0).errorCode()))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(ctx.committed("standalone", ORDERS_0)).isEqualTo(5);
        assertThat(ctx.committed("standalone", new TopicPartition("orders", 99))).isEqualTo(-1);
    }

    @Test
    void shouldAnswerUnknownPartitionsBeforeTheGroupErrorOfTheRest() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        final OffsetCommitRequestData r = commitRequest("g", "nobody", g.generation(), ORDERS_0, 5);
        r.topics().get(0).partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(99).setCommittedOffset(5));
        final OffsetCommitResponseData response = ctx.coordinator.offsets().commit(r, GroupTestContext.COMMIT_VERSION).join();
        assertThat(response.topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.UNKNOWN_MEMBER_ID, Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void shouldRejectACommitWithAnEmptyGroupId() {
        assertThat(ctx.commit(commitRequest("", "", -1, ORDERS_0, 1))).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void shouldRejectCommitMetadataLargerThanTheLimit() {
        final OffsetCommitRequestData r = commitRequest("standalone", "", -1, ORDERS_0, 1);
        r.topics().get(0).partitions().get(0).setCommittedMetadata("x".repeat(ctx.config.offsetMetadataMaxBytes() + 1));
        assertThat(ctx.commit(r)).isEqualTo(Errors.OFFSET_METADATA_TOO_LARGE);
    }

    @Test
    void shouldFetchCommittedOffsetsByPartitionOrAllAtOnce() {
        ctx.commit(commitRequest("standalone", "", -1, ORDERS_0, 10));
        ctx.commit(commitRequest("standalone", "", -1, PAYMENTS_1, 20));
        assertThat(ctx.committed("standalone", ORDERS_0)).isEqualTo(10);
        assertThat(ctx.committed("standalone", PAYMENTS_1)).isEqualTo(20);
        assertThat(ctx.committed("standalone", new TopicPartition("orders", 1))).isEqualTo(-1);
        assertThat(ctx.committed("no-such-group", ORDERS_0)).isEqualTo(-1);

        final OffsetFetchResponseData all = ctx.coordinator.offsets().fetch(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("standalone").setTopics(null))),
                GroupTestContext.FETCH_VERSION).join();
        assertThat(all.groups().get(0).topics()).extracting(OffsetFetchResponseData.OffsetFetchResponseTopics::name)
                .containsExactlyInAnyOrder("orders", "payments");

        final OffsetFetchResponseData v7 = ctx.coordinator.offsets().fetch(new OffsetFetchRequestData().setGroupId("standalone")
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("orders")
                        .setPartitionIndexes(List.of(0)))), (short) 7).join();
        assertThat(v7.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(10);
        assertThat(v7.topics().get(0).partitions().get(0).metadata()).isEqualTo("m");
    }

    @Test
    void shouldRefuseToDeleteAGroupWithMembersAndDeleteAnEmptyOneWithItsOffsets() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        ctx.commit(commitRequest("g", g.leader(), g.generation(), ORDERS_0, 3));
        assertThat(deleteGroup("g")).isEqualTo(Errors.NON_EMPTY_GROUP);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(3);

        ctx.leave("g", GroupTestContext.member(g.leader()));
        assertThat(deleteGroup("g")).isEqualTo(Errors.NONE);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(-1);
        assertThat(ctx.describe("g").groupState()).isEqualTo("Dead");
        assertThat(deleteGroup("g")).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    private Errors deleteGroup(final String groupId) {
        final DeleteGroupsResponseData r = ctx.coordinator.offsets().deleteGroups(List.of(groupId)).join();
        return Errors.forCode(r.results().iterator().next().errorCode());
    }

    @Test
    void shouldRefuseToDeleteOffsetsOfATopicTheGroupSubscribesTo() {
        final GroupTestContext.StableGroup g = ctx.stableGroup("g", 1);
        ctx.commit(commitRequest("g", g.leader(), g.generation(), ORDERS_0, 3));
        ctx.commit(commitRequest("g", g.leader(), g.generation(), PAYMENTS_1, 4));

        final OffsetDeleteRequestData r = new OffsetDeleteRequestData().setGroupId("g");
        r.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("orders").setPartitions(List.of(
                new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
        r.topics().add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("payments").setPartitions(List.of(
                new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(1))));
        final OffsetDeleteResponseData response = ctx.coordinator.offsets().deleteOffsets(r).join();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.NONE);
        assertThat(Errors.forCode(response.topics().find("orders").partitions().find(0).errorCode()))
                .isEqualTo(Errors.GROUP_SUBSCRIBED_TO_TOPIC);
        assertThat(Errors.forCode(response.topics().find("payments").partitions().find(1).errorCode()))
                .isEqualTo(Errors.NONE);
        assertThat(ctx.committed("g", ORDERS_0)).isEqualTo(3);
        assertThat(ctx.committed("g", PAYMENTS_1)).isEqualTo(-1);
    }

    @Test
    void shouldAnswerGroupIdNotFoundToOffsetDeleteOfAnUnknownGroup() {
        final OffsetDeleteResponseData response = ctx.coordinator.offsets().deleteOffsets(
                new OffsetDeleteRequestData().setGroupId("no-such-group")).join();
        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }
}
