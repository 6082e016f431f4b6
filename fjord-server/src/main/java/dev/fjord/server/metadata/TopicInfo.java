package dev.fjord.server.metadata;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One topic as the broker knows it: its name, its id, its partition count and the topic-level configs
 * that were set explicitly (everything else takes the broker's defaults). Immutable.
 */
public record TopicInfo(String name, Uuid id, int partitions, Map<String, String> configs) {
    public TopicInfo {
        configs = Map.copyOf(configs);
    }

    /** Whether this is one of the broker's own topics ({@code __consumer_offsets}, {@code __transaction_state}). */
    public boolean isInternal() {
        return name.equals("__consumer_offsets") || name.equals("__transaction_state");
    }
}
