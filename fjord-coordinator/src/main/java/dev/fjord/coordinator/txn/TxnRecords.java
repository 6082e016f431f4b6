package dev.fjord.coordinator.txn;

import dev.fjord.coordinator.group.GroupRecords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the transaction coordinator writes to {@code __transaction_state}: Kafka's
 * {@code TransactionLogKey} v0 and {@code TransactionLogValue} v0 byte formats, written by hand because
 * kafka-clients does not ship those generated classes. Big-endian; strings are int16-length-prefixed
 * UTF-8; arrays are int32-count-prefixed (-1 for null).
 *
 * <pre>
 *  key (version 0):    | version int16 = 0 | transactional id string |
 *  value (version 0):  | version int16 = 0 | producer id int64 | producer epoch int16 | timeout ms int32 |
 *                      | state int8 | partitions nullable array | last update ms int64 | start ms int64 |
 *  partitions entry:   | topic string | partition count int32 | partition int32... |
 * </pre>
 * A null value (tombstone) removes the transactional id. Value version 1 (flexible, written by Kafka
 * with transaction protocol v2) is not read: this broker never enables that protocol.
 */
public final class TxnRecords {
    static final short KEY_VERSION = 0;
    static final short VALUE_VERSION = 0;

    private TxnRecords() {
    }

    public static GroupRecords.Record record(final String transactionalId, final TxnMetadata m) {
        return new GroupRecords.Record(key(transactionalId), m == null ? null : value(m));
    }

    static byte[] key(final String transactionalId) {
        return new GroupRecords.Writer().putShort(KEY_VERSION).putString(transactionalId).bytes();
    }

    static byte[] value(final TxnMetadata m) {
        final Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (final TopicPartition tp : m.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        final GroupRecords.Writer w = new GroupRecords.Writer().putShort(VALUE_VERSION).putLong(m.producerId())
                .putShort(m.producerEpoch()).putInt(m.timeoutMs()).putByte(m.state().id()).putInt(byTopic.size());
        for (final Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            w.putString(e.getKey()).putInt(e.getValue().size());
            for (final int p : e.getValue()) {
                w.putInt(p);
            }
        }
        return w.putLong(m.lastUpdateMs()).putLong(m.startMs()).bytes();
    }

    /** What a replayed record is about. */
    interface Visitor {
        void onTransaction(String transactionalId, TxnMetadata valueOrNull);
    }

    /** Decodes one record; keys of other versions (records we cannot interpret) are skipped. */
    static void replay(final ByteBuffer key, final ByteBuffer value, final Visitor visitor) {
        if (key.getShort() != KEY_VERSION) {
            return;
        }
        final String id = GroupRecords.readString(key);
        if (value == null) {
            visitor.onTransaction(id, null);
            return;
        }
        if (value.getShort() != VALUE_VERSION) {
            return;
        }
        final long producerId = value.getLong();
        final short epoch = value.getShort();
        final int timeoutMs = value.getInt();
        final TransactionState state = TransactionState.fromId(value.get());
        final Set<TopicPartition> partitions = new LinkedHashSet<>();
        final int topics = value.getInt();
        for (int t = 0; t < topics; t++) {
            final String topic = GroupRecords.readString(value);
            final int count = value.getInt();
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(topic, value.getInt()));
            }
        }
        final long lastUpdateMs = value.getLong();
        final long startMs = value.getLong();
        visitor.onTransaction(id, new TxnMetadata(producerId, epoch, timeoutMs, state, partitions, startMs, lastUpdateMs));
    }
}
