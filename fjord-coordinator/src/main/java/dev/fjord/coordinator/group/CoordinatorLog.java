package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A coordinator's only way to the disk: the partitions of its internal topic ({@code __consumer_offsets}
 * for groups, {@code __transaction_state} for transactions), as a port the server implements over its
 * storage. Keeping it a port keeps the coordinators free of storage types and lets tests use an
 * in-memory log.
 */
public interface CoordinatorLog {
    /** Appends records to one partition; returns once they are durable (on one node: on the log). */
    void append(int partition, List<GroupRecords.Record> records);

    /**
     * Appends records as part of a producer's transaction (transactional offset commits): they count only
     * once the transaction coordinator writes a COMMIT marker into the partition.
     *
     * <p>A default that refuses, so that logs without transactions (in-memory test logs) need not implement it.
     *
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if the producer was fenced
     */
    default void appendTransactional(final int partition, final long producerId, final short producerEpoch,
                                     final List<GroupRecords.Record> records) {
        throw new UnsupportedOperationException("This coordinator log does not take transactional records");
    }

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

    /** Receives replayed records; transactional ones and markers are plain records unless overridden. */
    interface RecordConsumer {
        void accept(ByteBuffer key, ByteBuffer value);

        /** A record written inside producer {@code producerId}'s transaction. */
        default void acceptTransactional(final long producerId, final ByteBuffer key, final ByteBuffer value) {
            accept(key, value);
        }

        /** A COMMIT or ABORT marker ending producer {@code producerId}'s transaction. */
        default void onMarker(final long producerId, final boolean commit) {
        }
    }
}
