package dev.fjord.coordinator.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * A classic consumer group: its members and rebalance state (kept in memory, persisted as a group
 * metadata record after each completed rebalance) and its committed offsets (each persisted as it is
 * committed). Owned by the coordinator thread; no locking.
 */
final class ClassicGroup {
    final String groupId;
    GroupState state = GroupState.EMPTY;
    int generationId;
    /** Null for a group that only has offsets (standalone consumers). */
    String protocolType;
    String protocolName;
    String leaderId;
    long stateTimestampMs;
    /** While true, the first rebalance of an empty group waits for {@code group.initial.rebalance.delay.ms}. */
    boolean initialDelayPending;
    /** Whether a member joined during the current wait of the initial delay (which then waits once more). */
    boolean newMemberAdded;
    final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();
    /** group.instance.id to the member id currently holding it. */
    final Map<String, String> staticMembers = new HashMap<>();
    /** Member ids handed out with MEMBER_ID_REQUIRED whose second join has not come yet. */
    final Set<String> pendingMembers = new HashSet<>();
    /** Members of the current generation that have not sent SyncGroup yet (removed at the rebalance timeout). */
    final Set<String> pendingSync = new HashSet<>();
    final Map<TopicPartition, GroupRecords.OffsetValue> offsets = new LinkedHashMap<>();
    /** The group's last metadata record in the log (null if it never had one): what a snapshot writes again. */
    GroupRecords.Record persisted;
    /**
     * Offsets committed inside producers' open transactions (TxnOffsetCommit), by producer id: they move
     * to {@link #offsets} at the transaction's COMMIT marker and are dropped at its ABORT marker.
     */
    final Map<Long, Map<TopicPartition, GroupRecords.OffsetValue>> pendingTxnOffsets = new HashMap<>();

    boolean hasPendingTxnOffset(final TopicPartition tp) {
        for (final Map<TopicPartition, GroupRecords.OffsetValue> pending : pendingTxnOffsets.values()) {
            if (pending.containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** Applies a transaction's end to its pending offsets. */
    void completeTxn(final long producerId, final boolean commit) {
        final Map<TopicPartition, GroupRecords.OffsetValue> pending = pendingTxnOffsets.remove(producerId);
        if (pending != null && commit) {
            offsets.putAll(pending);
        }
    }

    ClassicGroup(final String groupId) {
        this.groupId = groupId;
    }

    boolean allMembersJoined() {
        if (!pendingMembers.isEmpty()) {
            return false;
        }
        for (final GroupMember m : members.values()) {
            if (!m.isAwaitingJoin()) {
                return false;
            }
        }
        return true;
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (final GroupMember m : members.values()) {
            max = Math.max(max, m.rebalanceTimeoutMs);
        }
        return max;
    }

    /** Whether a member with this protocol type and these protocols may join. */
    boolean supports(final String type, final Set<String> protocols) {
        if (type == null || type.isEmpty() || protocols.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        for (final String p : protocols) {
            boolean all = true;
            for (final GroupMember m : members.values()) {
                all &= m.protocols.containsKey(p);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The protocol every member supports that most members prefer most. */
    String selectProtocol() {
        final Map<String, Integer> votes = new LinkedHashMap<>();
        for (final String p : members.values().iterator().next().protocols.keySet()) {
            boolean all = true;
            for (final GroupMember m : members.values()) {
                all &= m.protocols.containsKey(p);
            }
            if (all) {
                votes.put(p, 0);
            }
        }
        for (final GroupMember m : members.values()) {
            for (final String p : m.protocols.keySet()) {
                if (votes.containsKey(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (final Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }
}
