package dev.fjord.coordinator.group;

/**
 * The group coordinator's settings, with Kafka's broker key names.
 *
 * @param offsetsTopicPartitions {@code offsets.topic.num.partitions}: groups are spread over this many
 *     partitions of {@code __consumer_offsets} by hash of the group id
 * @param minSessionTimeoutMs {@code group.min.session.timeout.ms}
 * @param maxSessionTimeoutMs {@code group.max.session.timeout.ms}
 * @param initialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first rebalance
 *     of an empty group waits for more members
 * @param maxGroupSize {@code group.max.size}
 * @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes}
 * @param offsetsRetentionMs {@code offsets.retention.minutes}, in ms: how long the offsets of a group without
 *     members (or of a standalone consumer, counted from each commit) are kept
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}
 */
public record GroupCoordinatorConfig(int offsetsTopicPartitions, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                                     int initialRebalanceDelayMs, int maxGroupSize, int offsetMetadataMaxBytes,
                                     long offsetsRetentionMs, long offsetsRetentionCheckIntervalMs) {
    public static final long DEFAULT_OFFSETS_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS = 600_000;

    /** With Kafka's default offsets retention (7 days, checked every 10 minutes). */
    public GroupCoordinatorConfig(final int offsetsTopicPartitions, final int minSessionTimeoutMs,
                                  final int maxSessionTimeoutMs, final int initialRebalanceDelayMs,
                                  final int maxGroupSize, final int offsetMetadataMaxBytes) {
        this(offsetsTopicPartitions, minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize,
                offsetMetadataMaxBytes, DEFAULT_OFFSETS_RETENTION_MS, DEFAULT_OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    /** Kafka's defaults. */
    public static GroupCoordinatorConfig defaults() {
        return new GroupCoordinatorConfig(50, 6000, 1_800_000, 3000, Integer.MAX_VALUE, 4096);
    }
}
