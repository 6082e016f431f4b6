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
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if the producer was fenced
     */
    void appendTransactional(int partition, long producerId, short producerEpoch, List<GroupRecords.Record> records);

    /** Hands every record of one partition, in order, to the consumer (key, value; value null for tombstones). */
    void replay(int partition, RecordConsumer consumer);

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
