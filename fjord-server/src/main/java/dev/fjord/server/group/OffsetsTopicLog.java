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
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The group coordinator's log: the partitions of the internal, compacted topic {@code __consumer_offsets},
 * created with {@code offsets.topic.num.partitions} partitions the first time the broker starts.
 */
public final class OffsetsTopicLog implements CoordinatorLog {
    public static final String TOPIC = "__consumer_offsets";
    /** Kafka's offsets.topic.segment.bytes: small segments so compaction can keep the topic small. */
    private static final String SEGMENT_BYTES = "104857600";
    /** Bytes read per step when replaying a partition at start-up. */
    private static final int REPLAY_READ_BYTES = 1 << 20;

    private final BrokerState broker;

    private OffsetsTopicLog(final BrokerState broker) {
        this.broker = broker;
    }

    /** Opens the offsets topic, creating it on first start. */
    public static OffsetsTopicLog open(final BrokerState broker, final int partitions) {
        if (broker.topics().get(TOPIC).isEmpty()) {
            broker.createTopic(TOPIC, partitions, Map.of("cleanup.policy", "compact", "segment.bytes", SEGMENT_BYTES));
        }
        return new OffsetsTopicLog(broker);
    }

    /** The number of partitions the topic really has (a restart with another setting keeps the original). */
    public int partitions() {
        return broker.topics().get(TOPIC).map(TopicInfo::partitions).orElseThrow();
    }

    private PartitionLog log(final int partition) {
        final PartitionLog log = broker.partitions().get(new TopicPartition(TOPIC, partition));
        if (log == null) {
            throw new CoordinatorNotAvailableException("Partition " + partition + " of " + TOPIC + " is not available");
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
    public void replay(final int partition, final RecordConsumer consumer) {
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
                for (final Record r : batch) {
                    if (r.offset() >= offset && r.hasKey()) {
                        consumer.accept(r.key(), r.hasValue() ? r.value() : null);
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

}
