package dev.fjord.coordinator.txn;

/**
 * The states of a transactional id, with the ids Kafka stores in {@code __transaction_state} and the
 * names its tools print.
 *
 * <ul>
 *   <li>{@link #EMPTY}: a producer id and epoch are assigned, no transaction is open. AddPartitionsToTxn
 *       and AddOffsetsToTxn open one; EndTxn is INVALID_TXN_STATE.</li>
 *   <li>{@link #ONGOING}: partitions were added. More may be added; EndTxn commits or aborts; an
 *       InitProducerId of a new instance, or the transaction timeout, aborts it with a bumped epoch.</li>
 *   <li>{@link #PREPARE_COMMIT}, {@link #PREPARE_ABORT}: the decision is durable, markers are being
 *       written. Everything but a retried EndTxn of the same decision is CONCURRENT_TRANSACTIONS.</li>
 *   <li>{@link #COMPLETE_COMMIT}, {@link #COMPLETE_ABORT}: every marker is written; like EMPTY, but a
 *       retried EndTxn of the same decision succeeds.</li>
 *   <li>{@link #DEAD}: the id was removed; the next InitProducerId starts afresh.</li>
 * </ul>
 */
public enum TransactionState {
    EMPTY((byte) 0, "Empty"),
    ONGOING((byte) 1, "Ongoing"),
    PREPARE_COMMIT((byte) 2, "PrepareCommit"),
    PREPARE_ABORT((byte) 3, "PrepareAbort"),
    COMPLETE_COMMIT((byte) 4, "CompleteCommit"),
    COMPLETE_ABORT((byte) 5, "CompleteAbort"),
    DEAD((byte) 6, "Dead");

    private final byte id;
    private final String displayName;

    TransactionState(final byte id, final String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    public byte id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    public static TransactionState fromId(final byte id) {
        for (final TransactionState s : values()) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown transaction state id " + id);
    }

    /** The state with this display name (case-insensitive), or null. */
    public static TransactionState fromName(final String name) {
        for (final TransactionState s : values()) {
            if (s.displayName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }

    boolean isPrepare() {
        return this == PREPARE_COMMIT || this == PREPARE_ABORT;
    }
}
