package dev.fjord.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** offsets.retention.minutes and the offsets of deleted topics, with a manual clock and timer. */
class OffsetsHousekeepingTest {
    private static final long RETENTION_MS = 60_000;
    private static final long CHECK_MS = 1_000;

    private final ManualClock clock = new ManualClock(1_000_000);
    private final Timer timer = new Timer();
    private final Log log = new Log();
    private GroupCoordinator coordinator;

    @BeforeEach
    void start() {
        coordinator = newCoordinator();
    }

    private GroupCoordinator newCoordinator() {
        final GroupCoordinator c = new GroupCoordinator(new GroupCoordinatorConfig(3, 6000, 300_000, 0,
                Integer.MAX_VALUE, 4096, RETENTION_MS, CHECK_MS), log, timer, clock, Runnable::run, tp -> true);
        c.load();
        return c;
    }

    @Test
    void standaloneOffsetsExpireTheRetentionTimeAfterTheirCommit() {
        commit("solo", "t", 0, 10, -1, "");
        advance(RETENTION_MS / 2);
        commit("solo", "t", 1, 20, -1, "");
        advance(RETENTION_MS / 2);
        // Partition 0 was committed a full retention period ago, partition 1 only half of one.
        assertThat(committed("solo")).containsOnlyKeys(new TopicPartition("t", 1));
        advance(RETENTION_MS / 2);
        assertThat(committed("solo")).isEmpty();
        assertThat(coordinator.groups).doesNotContainKey("solo");
    }

    @Test
    void anEmptyGroupsOffsetsExpireTheRetentionTimeAfterItEmptied() {
        final String member = joinAndSync("g");
        commit("g", "t", 0, 7, 1, member);
        advance(RETENTION_MS * 2);
        // A group with members keeps its offsets however old they are (the member heartbeats meanwhile).
        assertThat(committed("g")).hasSize(1);

        coordinator.leaveGroup(new LeaveGroupRequestData().setGroupId("g").setMembers(List.of(
                new LeaveGroupRequestData.MemberIdentity().setMemberId(member))), (short) 3).join();
        advance(RETENTION_MS - CHECK_MS);
        assertThat(committed("g")).hasSize(1);
        advance(CHECK_MS);
        assertThat(committed("g")).isEmpty();
        assertThat(coordinator.groups).doesNotContainKey("g");

        // The expiry is in the log: a coordinator rebuilt from it agrees.
        coordinator = newCoordinator();
        assertThat(coordinator.groups).doesNotContainKey("g");
    }

    @Test
    void deletedTopicsLoseTheirOffsetsDurably() {
        commit("a", "gone", 0, 5, -1, "");
        commit("a", "kept", 0, 6, -1, "");
        commit("b", "gone", 1, 9, -1, "");
        assertThat(coordinator.offsets().onTopicsDeleted(Set.of("gone")).join()).isEqualTo(2);
        assertThat(committed("a")).containsOnlyKeys(new TopicPartition("kept", 0));
        assertThat(committed("b")).isEmpty();

        coordinator = newCoordinator();
        assertThat(committed("a")).containsOnlyKeys(new TopicPartition("kept", 0));
        assertThat(coordinator.groups).doesNotContainKey("b");
    }

    @Test
    void theLogStaysSmallWhateverTheNumberOfCommitsAndReplaysToTheSameState() {
        coordinator.snapshots.snapshotMinRecords = 100;
        final String member = joinAndSync("busy");
        for (int i = 1; i <= 2_000; i++) {
            commit("busy", "t", i % 4, i, 1, member);
            commit("solo", "t", i % 3, i, -1, "");
        }
        final int partition = coordinator.partitionFor("busy");
        // Live keys: one group record and four offsets (plus "solo" if it shares the partition).
        assertThat(log.partitions.get(partition).size()).isLessThanOrEqualTo(2 * 100 + 10);
        assertThat(log.deleted.get(partition)).isGreaterThan(3_000L);

        final Map<TopicPartition, Long> busy = committed("busy");
        final Map<TopicPartition, Long> solo = committed("solo");
        assertThat(busy).containsEntry(new TopicPartition("t", 0), 2_000L).hasSize(4);
        coordinator = newCoordinator();
        assertThat(committed("busy")).isEqualTo(busy);
        assertThat(committed("solo")).isEqualTo(solo);
        final ClassicGroup group = coordinator.groups.get("busy");
        assertThat(group.generationId).isEqualTo(1);
        assertThat(group.members).containsOnlyKeys(member);
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private void advance(final long ms) {
        final long target = clock.wallMillis() + ms;
        while (true) {
            final Map.Entry<Long, List<Runnable>> next = timer.due.firstEntry();
            if (next == null || next.getKey() > target) {
                break;
            }
            clock.advanceMillis(next.getKey() - clock.wallMillis());
            timer.due.remove(next.getKey());
            for (final Runnable task : next.getValue()) {
                task.run();
            }
        }
        clock.advanceMillis(target - clock.wallMillis());
    }

    private String joinAndSync(final String group) {
        final JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(group).setProtocolType("consumer")
                .setSessionTimeoutMs(300_000).setRebalanceTimeoutMs(300_000).setMemberId("")
                .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                        new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0])).iterator()));
        JoinGroupResponseData r = coordinator.joinGroup(join, (short) 9, "c", "/127.0.0.1").join();
        if (r.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
            r = coordinator.joinGroup(join.setMemberId(r.memberId()), (short) 9, "c", "/127.0.0.1").join();
        }
        assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
        final String member = r.memberId();
        coordinator.syncGroup(new SyncGroupRequestData().setGroupId(group).setGenerationId(r.generationId())
                .setMemberId(member).setProtocolType("consumer").setProtocolName("range")
                .setAssignments(List.of(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member)
                        .setAssignment(new byte[0]))), (short) 5).join();
        return member;
    }

    private void commit(final String group, final String topic, final int partition, final long offset,
                        final int generation, final String member) {
        final OffsetCommitRequestData request = new OffsetCommitRequestData().setGroupId(group)
                .setGenerationIdOrMemberEpoch(generation).setMemberId(member)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(partition).setCommittedOffset(offset)))));
        assertThat(coordinator.offsets().commit(request, (short) 8).join().topics().get(0).partitions().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    private Map<TopicPartition, Long> committed(final String group) {
        final OffsetFetchResponseData r = coordinator.offsets().fetch(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group).setTopics(null))), (short) 8).join();
        final Map<TopicPartition, Long> out = new HashMap<>();
        for (final OffsetFetchResponseData.OffsetFetchResponseTopics t : r.groups().get(0).topics()) {
            for (final OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                if (p.committedOffset() >= 0) {
                    out.put(new TopicPartition(t.name(), p.partitionIndex()), p.committedOffset());
                }
            }
        }
        return out;
    }

    /** Tasks by due time on the manual clock; scheduling a key again replaces its task. */
    private final class Timer implements CoordinatorTimer {
        final TreeMap<Long, List<Runnable>> due = new TreeMap<>();
        final Map<String, Runnable> byKey = new HashMap<>();

        @Override
        public void schedule(final String key, final long delayMs, final Runnable task) {
            final Runnable once = new Runnable() {
                @Override
                public void run() {
                    if (byKey.get(key) == this) {
                        byKey.remove(key);
                        task.run();
                    }
                }
            };
            byKey.put(key, once);
            due.computeIfAbsent(clock.wallMillis() + delayMs, t -> new ArrayList<>()).add(once);
        }

        @Override
        public void cancel(final String key) {
            byKey.remove(key);
        }
    }

    /** Records per partition in memory, replayable like the real log; offsets count from the first record ever. */
    private static final class Log implements CoordinatorLog {
        final Map<Integer, List<GroupRecords.Record>> partitions = new HashMap<>();
        final Map<Integer, Long> deleted = new HashMap<>();

        @Override
        public long endOffset(final int partition) {
            return deleted.getOrDefault(partition, 0L) + partitions.getOrDefault(partition, List.of()).size();
        }

        @Override
        public void deleteBefore(final int partition, final long offset) {
            final List<GroupRecords.Record> records = partitions.get(partition);
            final int drop = (int) (offset - deleted.getOrDefault(partition, 0L));
            records.subList(0, drop).clear();
            deleted.merge(partition, (long) drop, Long::sum);
        }

        @Override
        public void append(final int partition, final List<GroupRecords.Record> records) {
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
        }

        @Override
        public void replay(final int partition, final RecordConsumer consumer) {
            for (final GroupRecords.Record r : partitions.getOrDefault(partition, List.of())) {
                consumer.accept(ByteBuffer.wrap(r.key()), r.value() == null ? null : ByteBuffer.wrap(r.value()));
            }
        }
    }
}
