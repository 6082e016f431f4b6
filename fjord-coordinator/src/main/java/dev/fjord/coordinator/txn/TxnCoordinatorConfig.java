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
 * @param transactionalIdExpirationMs {@code transactional.id.expiration.ms}: a transactional id with no
 *     transaction in progress and no update for this long is forgotten (a tombstone in the state topic)
 * @param removeExpiredIntervalMs {@code transaction.remove.expired.transaction.cleanup.interval.ms}: how
 *     often expired transactional ids are looked for
 */
public record TxnCoordinatorConfig(int stateTopicPartitions, int maxTimeoutMs, int abortTimedOutIntervalMs,
                                   int transactionalIdExpirationMs, int removeExpiredIntervalMs) {

    /** Kafka's defaults for the two expiration settings (7 days, checked hourly). */
    public TxnCoordinatorConfig(final int stateTopicPartitions, final int maxTimeoutMs, final int abortTimedOutIntervalMs) {
        this(stateTopicPartitions, maxTimeoutMs, abortTimedOutIntervalMs, 604_800_000, 3_600_000);
    }

    /** Kafka's defaults. */
    public static TxnCoordinatorConfig defaults() {
        return new TxnCoordinatorConfig(50, 900_000, 10_000);
    }
}
