package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Fjord's record of a KIP-848 consumer group's whole state in {@code __consumer_offsets}: one key per group,
 * rewritten whenever the state changes, a tombstone when the group is deleted. Kafka splits the same state
 * over several record types (key versions 3 to 8); we use one key version far above Kafka's so the two can
 * never be confused, and older Fjord versions skip it as an unknown key.
 *
 * <pre>
 *  key (version 1001):  | version int16 = 1001 | group string |
 *  value (version 0):   | version int16 = 0 | group epoch int32 | assignment epoch int32 | assignor string |
 *                       | subscribed topic count int32 | (name string | id uuid | partitions int32)... |
 *                       | member count int32 | members... |
 *  member:              | member id string | instance id nullable string | rack nullable string |
 *                       | client id string | client host string | rebalance timeout int32 |
 *                       | topic name count int32 | names string... | regex nullable string |
 *                       | server assignor nullable string | static left int8 | epoch int32 | previous epoch int32 |
 *                       | state int8 | assigned partitions | pending revocation partitions | target partitions |
 *  partitions:          | topic count int32 | (topic id uuid | count int32 | partition int32...)... |
 *  uuid:                | most significant int64 | least significant int64 |
 * </pre>
 * Strings as in {@link GroupRecords} (int16 length, -1 for null). Re-writing the whole group on each change
 * costs O(members) per change: fine for the group sizes we serve; per-member records would be the next step.
 */
final class ConsumerGroupRecords {
    static final short KEY_VERSION = 1001;
    static final short VALUE_VERSION = 0;

    private ConsumerGroupRecords() {
    }

    static GroupRecords.Record record(final ConsumerGroup group) {
        return new GroupRecords.Record(key(group.groupId), value(group));
    }

    static GroupRecords.Record tombstone(final String groupId) {
        return new GroupRecords.Record(key(groupId), null);
    }

    private static byte[] key(final String groupId) {
        return new GroupRecords.Writer().putShort(KEY_VERSION).putString(groupId).bytes();
    }

    private static byte[] value(final ConsumerGroup g) {
        final GroupRecords.Writer w = new GroupRecords.Writer().putShort(VALUE_VERSION).putInt(g.groupEpoch)
                .putInt(g.assignmentEpoch).putString(g.assignorName).putInt(g.subscribedTopics.size());
        for (final TopicImage.Topic t : new TreeMap<>(g.subscribedTopics).values()) {
            w.putString(t.name());
            putUuid(w, t.id());
            w.putInt(t.partitions());
        }
        w.putInt(g.members.size());
        for (final ConsumerMember m : g.members.values()) {
            w.putString(m.memberId).putString(m.instanceId).putString(m.rackId)
                    .putString(m.clientId == null ? "" : m.clientId).putString(m.clientHost == null ? "" : m.clientHost)
                    .putInt(m.rebalanceTimeoutMs).putInt(m.subscribedTopicNames.size());
            m.subscribedTopicNames.forEach(w::putString);
            w.putString(m.subscribedTopicRegex).putString(m.serverAssignor).putByte((byte) (m.staticLeft ? 1 : 0))
                    .putInt(m.memberEpoch).putInt(m.previousMemberEpoch).putByte((byte) m.state.ordinal());
            putPartitions(w, m.assigned);
            putPartitions(w, m.pendingRevocation);
            putPartitions(w, g.target.getOrDefault(m.memberId, Assignments.empty()));
        }
        return w.bytes();
    }

    private static void putUuid(final GroupRecords.Writer w, final Uuid id) {
        w.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    }

    private static void putPartitions(final GroupRecords.Writer w, final Map<Uuid, SortedSet<Integer>> parts) {
        w.putInt(parts.size());
        parts.forEach((t, ps) -> {
            putUuid(w, t);
            w.putInt(ps.size());
            ps.forEach(w::putInt);
        });
    }

    /** Rebuilds a group from its record's value. */
    static ConsumerGroup read(final String groupId, final ByteBuffer b) {
        final short version = b.getShort();
        if (version != VALUE_VERSION) {
            throw new IllegalStateException("Consumer group " + groupId + ": unknown record value version " + version);
        }
        final ConsumerGroup g = new ConsumerGroup(groupId);
        g.groupEpoch = b.getInt();
        g.assignmentEpoch = b.getInt();
        g.assignorName = GroupRecords.readString(b);
        final Map<String, TopicImage.Topic> topics = new TreeMap<>();
        for (int i = b.getInt(); i > 0; i--) {
            final String name = GroupRecords.readString(b);
            topics.put(name, new TopicImage.Topic(name, readUuid(b), b.getInt()));
        }
        g.subscribedTopics = Map.copyOf(topics);
        for (int i = b.getInt(); i > 0; i--) {
            final ConsumerMember m = new ConsumerMember(GroupRecords.readString(b));
            m.instanceId = GroupRecords.readString(b);
            m.rackId = GroupRecords.readString(b);
            m.clientId = GroupRecords.readString(b);
            m.clientHost = GroupRecords.readString(b);
            m.rebalanceTimeoutMs = b.getInt();
            final List<String> names = new ArrayList<>();
            for (int n = b.getInt(); n > 0; n--) {
                names.add(GroupRecords.readString(b));
            }
            m.subscribedTopicNames = List.copyOf(names);
            m.subscribedTopicRegex = GroupRecords.readString(b);
            m.serverAssignor = GroupRecords.readString(b);
            m.staticLeft = b.get() == 1;
            m.memberEpoch = b.getInt();
            m.previousMemberEpoch = b.getInt();
            m.state = ConsumerMember.State.values()[b.get()];
            m.assigned = readPartitions(b);
            m.pendingRevocation = readPartitions(b);
            g.target.put(m.memberId, readPartitions(b));
            g.members.put(m.memberId, m);
            if (m.instanceId != null) {
                g.staticMembers.put(m.instanceId, m.memberId);
            }
            g.own(m.memberId, m.assigned);
            g.own(m.memberId, m.pendingRevocation);
        }
        return g;
    }

    private static Uuid readUuid(final ByteBuffer b) {
        return new Uuid(b.getLong(), b.getLong());
    }

    private static TreeMap<Uuid, SortedSet<Integer>> readPartitions(final ByteBuffer b) {
        final TreeMap<Uuid, SortedSet<Integer>> out = Assignments.empty();
        for (int i = b.getInt(); i > 0; i--) {
            final Uuid topic = readUuid(b);
            for (int n = b.getInt(); n > 0; n--) {
                Assignments.add(out, topic, b.getInt());
            }
        }
        return out;
    }
}
