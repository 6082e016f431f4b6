package dev.fjord.server.txn;

import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.coordinator.txn.TxnMarkerWriter;
import dev.fjord.server.group.OffsetsTopicLog;
import dev.fjord.server.partition.PartitionManager;
import dev.fjord.storage.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Writes the transaction coordinator's markers into local partition logs. A marker in
 * {@code __consumer_offsets} also tells the group coordinator, whose pending transactional offsets it
 * decides (the group coordinator applies it on its own thread, before any later request to it).
 */
public final class PartitionTxnMarkerWriter implements TxnMarkerWriter {
    private final PartitionManager partitions;
    private final GroupCoordinator groups;

    public PartitionTxnMarkerWriter(final PartitionManager partitions, final GroupCoordinator groups) {
        this.partitions = partitions;
        this.groups = groups;
    }

    @Override
    public void writeMarker(final TopicPartition tp, final long producerId, final short producerEpoch,
                            final int coordinatorEpoch, final boolean commit) {
        final PartitionLog log = partitions.get(tp);
        if (log == null) {
            throw new UnknownTopicOrPartitionException("No partition " + tp + " on this broker");
        }
        partitions.appendTxnMarker(log, producerId, producerEpoch, coordinatorEpoch, commit);
        if (OffsetsTopicLog.TOPIC.equals(tp.topic())) {
            groups.onTxnMarker(tp.partition(), producerId, commit);
        }
    }
}
