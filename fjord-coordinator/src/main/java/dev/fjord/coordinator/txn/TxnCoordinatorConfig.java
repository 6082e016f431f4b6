package dev.fjord.coordinator.txn;

/**
 * The transaction coordinator's settings, with Kafka's broker key names.
 *
 * @param stateTopicPartitions {@code transaction.state.log.num.partitions}: transactional ids are
 *     spread over this many partitions of {@code __transaction_state} by hash
 * @param maxTimeoutMs {@code transaction.max.timeout.ms}: the largest {@code transaction.timeout.ms} a
 *     producer may ask for
 * @param abortTimedOutIntervalMs {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}:
 *     how often transactions that outlived their timeout are looked for and aborted
 */
public record TxnCoordinatorConfig(int stateTopicPartitions, int maxTimeoutMs, int abortTimedOutIntervalMs) {

    /** Kafka's defaults. */
    public static TxnCoordinatorConfig defaults() {
        return new TxnCoordinatorConfig(50, 900_000, 10_000);
    }
}
