package dev.fjord.server.group;

import dev.fjord.coordinator.group.CoordinatorLog;
import dev.fjord.coordinator.group.GroupRecords;
import dev.fjord.server.handler.BrokerState;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.storage.log.PartitionLog;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A coordinator's log over the partitions of an internal, compacted topic: {@code __consumer_offsets} for
 * the group coordinator (created with {@code offsets.topic.num.partitions} partitions the first time the
 * broker starts) and, through {@link #openInternal}, {@code __transaction_state} for the transaction
 * coordinator. Replay hands transactional records and COMMIT/ABORT markers to the consumer as such.
 */
public final class OffsetsTopicLog implements CoordinatorLog {
    public static final String TOPIC = "__consumer_offsets";
    /** Kafka's offsets.topic.segment.bytes: small segments so compaction can keep the topic small. */
    private static final String SEGMENT_BYTES = "104857600";
    /** Bytes read per step when replaying a partition at start-up. */
    private static final int REPLAY_READ_BYTES = 1 << 20;

    private final BrokerState broker;
    private final String topic;

    private OffsetsTopicLog(final BrokerState broker, final String topic) {
        this.broker = broker;
        this.topic = topic;
    }

    /** Opens the offsets topic, creating it on first start. */
    public static OffsetsTopicLog open(final BrokerState broker, final int partitions) {
        return openInternal(broker, TOPIC, partitions, SEGMENT_BYTES);
    }

    /** Opens an internal compacted topic, creating it on first start. */
    public static OffsetsTopicLog openInternal(final BrokerState broker, final String topic, final int partitions,
                                               final String segmentBytes) {
        if (broker.topics().get(topic).isEmpty()) {
            broker.createTopic(topic, partitions, Map.of("cleanup.policy", "compact", "segment.bytes", segmentBytes));
        }
        return new OffsetsTopicLog(broker, topic);
    }

    /** The number of partitions the topic really has (a restart with another setting keeps the original). */
    public int partitions() {
        return broker.topics().get(topic).map(TopicInfo::partitions).orElseThrow();
    }

    private PartitionLog log(final int partition) {
        final PartitionLog log = broker.partitions().get(new TopicPartition(topic, partition));
        if (log == null) {
            throw new CoordinatorNotAvailableException("Partition " + partition + " of " + topic + " is not available");
        }
        return log;
    }

    @Override
    public void append(final int partition, final List<GroupRecords.Record> records) {
        final long now = broker.clock().wallMillis();
        final SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
        }
        broker.partitions().append(log(partition), MemoryRecords.withRecords(Compression.NONE, simple));
    }

    @Override
    public long endOffset(final int partition) {
        return log(partition).logEndOffset();
    }

    /** The coordinator's snapshot made everything before {@code offset} redundant: DeleteRecords on its own partition. */
    @Override
    public void deleteBefore(final int partition, final long offset) {
        log(partition).deleteRecordsBefore(offset);
    }

    @Override
    public void appendTransactional(final int partition, final long producerId, final short producerEpoch,
                                    final List<GroupRecords.Record> records) {
        final long now = broker.clock().wallMillis();
        final SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            simple[i] = new SimpleRecord(now, records.get(i).key(), records.get(i).value());
        }
        final MemoryRecords batch = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, producerEpoch, 0, simple);
        clearSequence(batch.buffer());
        broker.partitions().append(log(partition), batch);
    }

    /** Byte positions in a v2 batch header: base sequence, CRC, and the attributes where the CRC starts. */
    private static final int BASE_SEQUENCE_OFFSET = 53;
    private static final int CRC_OFFSET = 17;
    private static final int ATTRIBUTES_OFFSET = 21;

    /**
     * Transactional offset commits carry the producer's id and epoch but no sequence (they are not the
     * producer's own batches, and its sequences in this partition must not be consumed). The record
     * builder refuses a transactional batch without a sequence, so the header is patched to
     * NO_SEQUENCE and the CRC recomputed.
     */
    private static void clearSequence(final java.nio.ByteBuffer buf) {
        final java.nio.ByteBuffer b = buf.duplicate();
        b.putInt(b.position() + BASE_SEQUENCE_OFFSET, RecordBatch.NO_SEQUENCE);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        final java.nio.ByteBuffer covered = b.duplicate();
        covered.position(b.position() + ATTRIBUTES_OFFSET);
        crc.update(covered);
        b.putInt(b.position() + CRC_OFFSET, (int) crc.getValue());
    }

    @Override
    public void replay(final int partition, final RecordConsumer consumer) {
        if (broker.partitions().isUnopened(new TopicPartition(topic, partition))) {
            return; // never used, so empty: not worth making its log for
        }
        final PartitionLog log = log(partition);
        long offset = log.logStartOffset();
        final long end = log.highWatermark();
        while (offset < end) {
            final Records records = log.read(offset, REPLAY_READ_BYTES, true).records();
            long next = offset;
            for (final RecordBatch batch : records.batches()) {
                if (batch.lastOffset() < offset) {
                    continue;
                }
                if (batch.isControlBatch()) {
                    replayMarker(batch, consumer);
                } else {
                    for (final Record r : batch) {
                        if (r.offset() >= offset && r.hasKey()) {
                            if (batch.isTransactional()) {
                                consumer.acceptTransactional(batch.producerId(), r.key(), r.hasValue() ? r.value() : null);
                            } else {
                                consumer.accept(r.key(), r.hasValue() ? r.value() : null);
                            }
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                break; // a trailing partial batch: nothing more readable
            }
            offset = next;
        }
    }

    private static void replayMarker(final RecordBatch batch, final RecordConsumer consumer) {
        final java.util.Iterator<Record> it = batch.iterator();
        if (it.hasNext()) {
            final ControlRecordType type = ControlRecordType.parse(it.next().key());
            if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                consumer.onMarker(batch.producerId(), type == ControlRecordType.COMMIT);
            }
        }
    }
}
