package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The coordinator's only way to the disk: the partitions of {@code __consumer_offsets}, as a port the
 * server implements over its storage. Keeping it a port keeps the coordinator free of storage types and
 * lets tests use an in-memory log.
 */
public interface CoordinatorLog {
    /** Appends records to one partition; returns once they are durable (on one node: on the log). */
    void append(int partition, List<GroupRecords.Record> records);

    /** Hands every record of one partition, in order, to the consumer (key, value; value null for tombstones). */
    void replay(int partition, RecordConsumer consumer);

    /** The offset the next record appended to the partition will get; -1 if this log cannot tell. */
    default long endOffset(final int partition) {
        return -1;
    }

    /**
     * Tells the log that the records from {@code offset} on hold the whole state of the partition, so it may
     * drop everything before (Kafka's DeleteRecords on the coordinator's own partition).
     */
    default void deleteBefore(final int partition, final long offset) {
    }

    interface RecordConsumer {
        void accept(ByteBuffer key, ByteBuffer value);
    }
}
