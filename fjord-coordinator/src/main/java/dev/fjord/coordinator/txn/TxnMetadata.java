package dev.fjord.coordinator.txn;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One transactional id as the coordinator knows it, immutable: an operation builds the next value,
 * appends it to {@code __transaction_state}, and only then installs it.
 *
 * @param producerId the producer id the transactional id uses
 * @param producerEpoch its current epoch; older epochs are fenced
 * @param timeoutMs {@code transaction.timeout.ms} of the producer
 * @param state where the transaction is
 * @param partitions the partitions of the open (or completing) transaction, in the order added
 * @param startMs when the current transaction started (its first AddPartitionsToTxn), -1 when none
 * @param lastUpdateMs when this value was written
 */
public record TxnMetadata(long producerId, short producerEpoch, int timeoutMs, TransactionState state,
                          Set<TopicPartition> partitions, long startMs, long lastUpdateMs) {

    public TxnMetadata {
        partitions = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(partitions));
    }

    TxnMetadata with(final short epoch, final TransactionState newState, final Set<TopicPartition> newPartitions,
                     final long newStartMs, final long nowMs) {
        return new TxnMetadata(producerId, epoch, timeoutMs, newState, newPartitions, newStartMs, nowMs);
    }
}
