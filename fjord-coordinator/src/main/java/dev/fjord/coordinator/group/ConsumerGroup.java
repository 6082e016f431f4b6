package dev.fjord.coordinator.group;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A KIP-848 consumer group: members, the group epoch, the target assignment and which member currently
 * owns each partition. Its committed offsets live with the classic group entry of the same id (see
 * {@link GroupOffsets}), so both protocols share one offsets store. Persisted as one record per group
 * ({@link ConsumerGroupRecords}) after every change. Owned by the coordinator thread.
 */
final class ConsumerGroup {
    /** Derived states, named as Kafka's tools print them. */
    enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable");

        final String displayName;

        State(final String displayName) {
            this.displayName = displayName;
        }
    }

    final String groupId;
    int groupEpoch;
    /** The group epoch the target assignment was computed at; always the group epoch once a change is handled. */
    int assignmentEpoch;
    String assignorName;
    final LinkedHashMap<String, ConsumerMember> members = new LinkedHashMap<>();
    /** Instance id to the member id holding it. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member id to its target partitions. */
    final Map<String, TreeMap<Uuid, SortedSet<Integer>>> target = new HashMap<>();
    /** Topic id to partition to the member holding it (assigned or pending revocation). */
    final Map<Uuid, Map<Integer, String>> owners = new HashMap<>();
    /** The subscribed topics as they were at the last epoch bump: a change (partition count, re-creation) bumps again. */
    Map<String, TopicImage.Topic> subscribedTopics = Map.of();
    /** The group's last record in the log (null: none yet): written again only when the state differs. */
    GroupRecords.Record persisted;

    ConsumerGroup(final String groupId) {
        this.groupId = groupId;
    }

    State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (assignmentEpoch != groupEpoch) {
            return State.ASSIGNING;
        }
        for (final ConsumerMember m : members.values()) {
            if (m.memberEpoch != assignmentEpoch || m.state != ConsumerMember.State.STABLE) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    String ownerOf(final Uuid topic, final int partition) {
        final Map<Integer, String> ps = owners.get(topic);
        return ps == null ? null : ps.get(partition);
    }

    void own(final String memberId, final Map<Uuid, SortedSet<Integer>> partitions) {
        partitions.forEach((t, ps) -> ps.forEach(p -> owners.computeIfAbsent(t, k -> new HashMap<>()).put(p, memberId)));
    }

    void release(final String memberId, final Map<Uuid, SortedSet<Integer>> partitions) {
        partitions.forEach((t, ps) -> {
            final Map<Integer, String> byPartition = owners.get(t);
            if (byPartition != null) {
                ps.forEach(p -> byPartition.remove(p, memberId));
                if (byPartition.isEmpty()) {
                    owners.remove(t);
                }
            }
        });
    }
}
