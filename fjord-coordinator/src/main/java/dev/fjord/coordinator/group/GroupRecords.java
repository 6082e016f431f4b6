package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the group coordinator writes to {@code __consumer_offsets}, in Kafka's byte formats, so
 * that Kafka's tools can read our log and we can read theirs. Keys and values are big-endian;
 * strings are int16-length-prefixed UTF-8 (-1 for null), bytes int32-length-prefixed.
 *
 * <pre>
 *  offset commit key (version 1):    | version int16 = 1 | group string | topic string | partition int32 |
 *  offset commit value (version 3):  | version int16 = 3 | offset int64 | leader epoch int32 |
 *                                    | metadata string | commit timestamp int64 |
 *  group metadata key (version 2):   | version int16 = 2 | group string |
 *  group metadata value (version 3): | version int16 = 3 | protocol type string | generation int32 |
 *                                    | protocol nullable string | leader nullable string |
 *                                    | state timestamp int64 | member count int32 | members... |
 *  member (value version 3):         | member id string | group instance id nullable string | client id string |
 *                                    | client host string | rebalance timeout int32 | session timeout int32 |
 *                                    | subscription bytes | assignment bytes |
 * </pre>
 * A null value (tombstone) deletes the key: an offset, or a whole group.
 */
public final class GroupRecords {
    static final short OFFSET_KEY_VERSION = 1;
    static final short OFFSET_VALUE_VERSION = 3;
    static final short GROUP_KEY_VERSION = 2;
    static final short GROUP_VALUE_VERSION = 3;

    private GroupRecords() {
    }

    /** A key and value to append; a null value is a tombstone. */
    public record Record(byte[] key, byte[] value) {
    }

    /** A committed offset as stored. */
    public record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
    }

    /** A member as stored with its group. */
    public record StoredMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                               int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A group as stored. */
    public record GroupValue(String protocolType, int generation, String protocol, String leader, long stateTimestampMs,
                             List<StoredMember> members) {
    }

    public static Record offsetCommit(final String group, final TopicPartition tp, final OffsetValue value) {
        return new Record(offsetKey(group, tp), value == null ? null : offsetValue(value));
    }

    public static Record groupMetadata(final String group, final GroupValue value) {
        return new Record(groupKey(group), value == null ? null : groupValue(value));
    }

    static byte[] offsetKey(final String group, final TopicPartition tp) {
        final Writer w = new Writer();
        w.putShort(OFFSET_KEY_VERSION).putString(group).putString(tp.topic()).putInt(tp.partition());
        return w.bytes();
    }

    static byte[] groupKey(final String group) {
        return new Writer().putShort(GROUP_KEY_VERSION).putString(group).bytes();
    }

    static byte[] offsetValue(final OffsetValue v) {
        return new Writer().putShort(OFFSET_VALUE_VERSION).putLong(v.offset()).putInt(v.leaderEpoch())
                .putString(v.metadata() == null ? "" : v.metadata()).putLong(v.commitTimestampMs()).bytes();
    }

    static byte[] groupValue(final GroupValue g) {
        final Writer w = new Writer().putShort(GROUP_VALUE_VERSION).putString(g.protocolType()).putInt(g.generation())
                .putString(g.protocol()).putString(g.leader()).putLong(g.stateTimestampMs()).putInt(g.members().size());
        for (final StoredMember m : g.members()) {
            w.putString(m.memberId()).putString(m.groupInstanceId()).putString(m.clientId()).putString(m.clientHost())
                    .putInt(m.rebalanceTimeoutMs()).putInt(m.sessionTimeoutMs()).putBytes(m.subscription())
                    .putBytes(m.assignment());
        }
        return w.bytes();
    }

    /** What a replayed record is about. */
    public interface Visitor {
        void onOffset(String group, TopicPartition tp, OffsetValue valueOrNull);

        void onGroup(String group, GroupValue valueOrNull);

        /** A KIP-848 consumer group's state (Fjord's own record, see {@link ConsumerGroupRecords}); null: deleted. */
        default void onConsumerGroup(final String group, final ByteBuffer valueOrNull) {
        }
    }

    /**
     * Decodes one record and hands it to the visitor. Versions 0 and 1 of offset values (older Kafka) are
     * read too; unknown key versions are skipped (a newer writer's records we cannot interpret).
     */
    public static void replay(final ByteBuffer key, final ByteBuffer value, final Visitor visitor) {
        final short keyVersion = key.getShort();
        if (keyVersion == 0 || keyVersion == OFFSET_KEY_VERSION) {
            final String group = readString(key);
            final TopicPartition tp = new TopicPartition(readString(key), key.getInt());
            visitor.onOffset(group, tp, value == null ? null : readOffsetValue(value));
        } else if (keyVersion == GROUP_KEY_VERSION) {
            final String group = readString(key);
            visitor.onGroup(group, value == null ? null : readGroupValue(value));
        } else if (keyVersion == ConsumerGroupRecords.KEY_VERSION) {
            visitor.onConsumerGroup(readString(key), value);
        }
    }

    private static OffsetValue readOffsetValue(final ByteBuffer b) {
        final short version = b.getShort();
        final long offset = b.getLong();
        final int epoch = version >= 3 ? b.getInt() : -1;
        final String metadata = readString(b);
        final long timestamp = b.getLong();
        return new OffsetValue(offset, epoch, metadata, timestamp);
    }

    private static GroupValue readGroupValue(final ByteBuffer b) {
        final short version = b.getShort();
        final String protocolType = readString(b);
        final int generation = b.getInt();
        final String protocol = readString(b);
        final String leader = readString(b);
        final long stateTimestamp = version >= 2 ? b.getLong() : -1;
        final int count = b.getInt();
        final List<StoredMember> members = new ArrayList<>(Math.max(0, count));
        for (int i = 0; i < count; i++) {
            final String memberId = readString(b);
            final String instanceId = version >= 3 ? readString(b) : null;
            final String clientId = readString(b);
            final String clientHost = readString(b);
            final int rebalanceTimeout = version >= 1 ? b.getInt() : -1;
            final int sessionTimeout = b.getInt();
            members.add(new StoredMember(memberId, instanceId, clientId, clientHost,
                    rebalanceTimeout < 0 ? sessionTimeout : rebalanceTimeout, sessionTimeout, readBytes(b), readBytes(b)));
        }
        return new GroupValue(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    /** Reads a string written by {@link Writer#putString} (null for length -1). */
    public static String readString(final ByteBuffer b) {
        final short length = b.getShort();
        if (length < 0) {
            return null;
        }
        final byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] readBytes(final ByteBuffer b) {
        final int length = b.getInt();
        if (length < 0) {
            return new byte[0];
        }
        final byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }

    /** A growable big-endian writer for the formats above (and the transaction coordinator's). */
    public static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(64);

        private void ensure(final int n) {
            if (buf.remaining() < n) {
                final ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        public Writer putShort(final short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        public Writer putByte(final byte v) {
            ensure(1);
            buf.put(v);
            return this;
        }

        public Writer putInt(final int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        public Writer putLong(final long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        public Writer putString(final String s) {
            if (s == null) {
                return putShort((short) -1);
            }
            final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            putShort((short) bytes.length);
            ensure(bytes.length);
            buf.put(bytes);
            return this;
        }

        public Writer putBytes(final byte[] bytes) {
            final byte[] b = bytes == null ? new byte[0] : bytes;
            putInt(b.length);
            ensure(b.length);
            buf.put(b);
            return this;
        }

        public byte[] bytes() {
            final byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
