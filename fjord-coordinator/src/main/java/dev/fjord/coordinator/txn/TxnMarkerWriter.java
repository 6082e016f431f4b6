package dev.fjord.coordinator.txn;

import org.apache.kafka.common.TopicPartition;

/**
 * The coordinator's way to end a transaction in a data partition: a port the server implements by
 * appending a COMMIT or ABORT control batch to that partition's log.
 */
public interface TxnMarkerWriter {
    /**
     * Appends a marker; returns once it is on the log.
     *
     * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if the partition no longer exists
     */
    void writeMarker(TopicPartition tp, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit);
}
