package dev.fjord.server.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention passes over real partition logs, with the topic configs and broker defaults deciding, under a manual clock. */
class PartitionManagerRetentionTest {
    private static final long MINUTE = 60_000L;

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private PartitionManager partitions;
    private TopicRegistry topics;

    @AfterEach
    void close() {
        if (partitions != null) {
            partitions.close();
        }
    }

    private void start(final Map<String, String> brokerConfig) throws IOException {
        topics = TopicRegistry.open(tmp);
        partitions = new PartitionManager(List.of(tmp), topics, TopicConfigs.fromBroker(brokerConfig), clock);
        partitions.openAll();
    }

    private TopicInfo topic(final String name, final Map<String, String> configs) throws IOException {
        final TopicInfo topic = topics.create(name, 1, configs);
        partitions.openTopic(topic);
        return topic;
    }

    /** Five single-record batches one minute apart; with segment.bytes of one batch, each gets its own segment. */
    private void fill(final String topic) {
        for (int i = 0; i < 5; i++) {
            partitions.append(partitions.get(new TopicPartition(topic, 0)), MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(clock.wallMillis(), ("k" + i).getBytes(), new byte[100])));
            clock.advanceMillis(MINUTE);
        }
    }

    private long start(final String topic) {
        return partitions.get(new TopicPartition(topic, 0)).logStartOffset();
    }

    @Test
    void shouldDeleteByBrokerDefaultOrTopicRetentionButNeverCompactedOrUnlimitedTopics() throws IOException {
        start(Map.of("log.retention.minutes", "3", "log.segment.bytes", "100"));
        topic("by-default", Map.of());
        topic("by-topic", Map.of("retention.ms", String.valueOf(MINUTE)));
        topic("compacted", Map.of("cleanup.policy", "compact"));
        topic("forever", Map.of("retention.ms", "-1"));
        for (final String t : List.of("by-default", "by-topic", "compacted", "forever")) {
            fill(t);
        }
        // Record i of each topic was written at (i + 5 * topicIndex) minutes; now is 20 minutes in.

        assertThat(partitions.applyRetention()).isPositive();

        assertThat(start("by-default")).as("all but the active segment are older than 3 minutes").isEqualTo(4);
        assertThat(start("by-topic")).isEqualTo(4);
        assertThat(start("compacted")).isZero();
        assertThat(start("forever")).isZero();
        assertThat(partitions.applyRetention()).as("a second pass finds nothing").isZero();
    }

    @Test
    void shouldApplyRetentionBytesAndPickUpAlteredConfigsAtTheNextPass() throws IOException {
        start(Map.of("log.segment.bytes", "100"));
        final TopicInfo topic = topic("sized", Map.of());
        fill("sized");
        assertThat(partitions.applyRetention()).as("a week of retention by default").isZero();

        final long oneSegment = partitions.get(new TopicPartition("sized", 0)).sizeInBytes() / 5;
        final TopicInfo altered = topics.update(new TopicInfo("sized", topic.id(), 1,
                Map.of("retention.bytes", String.valueOf(2 * oneSegment))));
        partitions.updateTopicConfig(altered);

        assertThat(partitions.applyRetention()).isEqualTo(3);
        assertThat(start("sized")).isEqualTo(3);
        assertThat(partitions.get(new TopicPartition("sized", 0)).sizeInBytes()).isEqualTo(2 * oneSegment);
    }
}
