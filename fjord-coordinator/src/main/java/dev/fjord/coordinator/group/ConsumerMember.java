package dev.fjord.coordinator.group;

import java.util.List;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One member of a KIP-848 consumer group: what it subscribes to and where it stands in reconciling its
 * target assignment. Owned by the coordinator thread.
 */
final class ConsumerMember {
    /** Where a member is in moving from its assignment to its target (KIP-848's member states). */
    enum State {
        /** It has its target assignment at the target epoch. */
        STABLE,
        /** It must give up {@link #pendingRevocation} first; its epoch stays until it confirms. */
        UNREVOKED_PARTITIONS,
        /** It is at the target epoch but waits for other members to release some of its target partitions. */
        UNRELEASED_PARTITIONS
    }

    /** The epoch of a static member that left with epoch -2 and may come back within its session timeout. */
    static final int STATIC_LEFT_EPOCH = -2;

    final String memberId;
    String instanceId;
    String rackId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    List<String> subscribedTopicNames = List.of();
    String subscribedTopicRegex;
    String serverAssignor;
    /** A static member that left with epoch -2: its slot and partitions wait for the same instance id. */
    boolean staticLeft;

    int memberEpoch;
    int previousMemberEpoch;
    State state = State.STABLE;
    /** The partitions it may use now. */
    TreeMap<Uuid, SortedSet<Integer>> assigned = Assignments.empty();
    /** The partitions it still owns but must give up. */
    TreeMap<Uuid, SortedSet<Integer>> pendingRevocation = Assignments.empty();
    /** What the last response told it (null: nothing yet), so an unchanged assignment is not resent. */
    TreeMap<Uuid, SortedSet<Integer>> lastSent;

    ConsumerMember(final String memberId) {
        this.memberId = memberId;
    }
}
