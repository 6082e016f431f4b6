package dev.fjord.coordinator.group;

/**
 * The states of a classic consumer group, named as Kafka's tools print them.
 *
 * <ul>
 *   <li>{@link #EMPTY}: no members (maybe committed offsets). A join starts a rebalance after
 *       {@code group.initial.rebalance.delay.ms}; standalone commits (generation -1) are accepted.</li>
 *   <li>{@link #PREPARING_REBALANCE}: waiting for every member to (re)join, at most the rebalance timeout.
 *       Heartbeats and syncs get REBALANCE_IN_PROGRESS;
 *       commits from members of the current generation are accepted (members commit before rejoining).</li>
 *   <li>{@link #COMPLETING_REBALANCE}: joins answered; waiting for the leader's SyncGroup with the assignment.
 *       Commits get REBALANCE_IN_PROGRESS; heartbeats are accepted.</li>
 *   <li>{@link #STABLE}: everyone has an assignment. A join from the leader or with changed protocols,
 *       a new member, a leave or an expired session starts a rebalance.</li>
 *   <li>{@link #DEAD}: deleted; never seen by clients.</li>
 * </ul>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String displayName;

    GroupState(final String displayName) {
        this.displayName = displayName;
    }

    /** The name Kafka's protocol and tools use. */
    public String displayName() {
        return displayName;
    }
}
