package dev.fjord.coordinator.group;

import java.util.List;

/**
 * Settings of KIP-848 consumer groups ({@code group.protocol=consumer}), with Kafka's broker key names.
 *
 * @param enabled whether {@code group.coordinator.rebalance.protocols} lists {@code consumer}
 * @param sessionTimeoutMs {@code group.consumer.session.timeout.ms}: a member without a heartbeat for this
 *     long is removed (a static member that left with epoch -2 keeps its slot this long)
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms}: told to members in every response
 * @param maxSize {@code group.consumer.max.size}
 * @param assignors {@code group.consumer.assignors}, short names ({@code uniform}, {@code range}); the first
 *     is the default
 */
public record ConsumerGroupConfig(boolean enabled, int sessionTimeoutMs, int heartbeatIntervalMs, int maxSize,
                                  List<String> assignors) {
    public ConsumerGroupConfig {
        assignors = List.copyOf(assignors);
        if (assignors.isEmpty()) {
            throw new IllegalArgumentException("group.consumer.assignors must name at least one assignor");
        }
        for (final String a : assignors) {
            if (ServerAssignor.named(a) == null) {
                throw new IllegalArgumentException("Unknown consumer group assignor '" + a + "': expected uniform or range");
            }
        }
    }

    /** Kafka 4's defaults. */
    public static ConsumerGroupConfig defaults() {
        return new ConsumerGroupConfig(true, 45_000, 5_000, Integer.MAX_VALUE, List.of("uniform", "range"));
    }
}
