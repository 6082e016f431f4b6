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
 */
public record GroupCoordinatorConfig(int offsetsTopicPartitions, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                                     int initialRebalanceDelayMs, int maxGroupSize, int offsetMetadataMaxBytes) {

    /** Kafka's defaults. */
    public static GroupCoordinatorConfig defaults() {
        return new GroupCoordinatorConfig(50, 6000, 1_800_000, 3000, Integer.MAX_VALUE, 4096);
    }
}
