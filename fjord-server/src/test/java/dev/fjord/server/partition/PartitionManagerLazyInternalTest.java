package dev.fjord.server.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.Clock;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The partitions of internal topics are made on first use, also across a restart; user topics' at once. */
class PartitionManagerLazyInternalTest {
    @TempDir
    Path tmp;

    private PartitionManager open(final TopicRegistry topics) throws Exception {
        final PartitionManager partitions = new PartitionManager(List.of(tmp), topics, TopicConfigs.fromBroker(Map.of()),
                Clock.SYSTEM);
        partitions.openAll();
        return partitions;
    }

    @Test
    void shouldMakeAnInternalTopicsPartitionOnFirstUseOnly() throws Exception {
        final TopicRegistry topics = TopicRegistry.open(tmp);
        final TopicInfo internal = topics.create("__consumer_offsets", 3, Map.of("cleanup.policy", "compact"));
        final TopicInfo user = topics.create("orders", 2, Map.of());
        PartitionManager partitions = open(topics);
        partitions.openTopic(internal);
        partitions.openTopic(user);
        final TopicPartition p1 = new TopicPartition("__consumer_offsets", 1);
        assertThat(Files.exists(tmp.resolve("__consumer_offsets-1"))).isFalse();
        assertThat(Files.isDirectory(tmp.resolve("orders-0"))).isTrue();
        assertThat(Files.isDirectory(tmp.resolve("orders-1"))).isTrue();
        assertThat(partitions.isUnopened(p1)).isTrue();
        assertThat(partitions.getIfOpen(p1)).isNull();
        assertThat(partitions.all()).hasSize(2);

        assertThat(partitions.get(p1)).isNotNull();
        assertThat(partitions.isUnopened(p1)).isFalse();
        assertThat(partitions.getIfOpen(p1)).isSameAs(partitions.get(p1));
        assertThat(Files.isDirectory(tmp.resolve("__consumer_offsets-1"))).isTrue();
        assertThat(partitions.get(new TopicPartition("__consumer_offsets", 3))).isNull(); // no such partition
        partitions.close();

        // After a restart: the used partition is opened at once, the others still wait for first use.
        partitions = open(TopicRegistry.open(tmp));
        assertThat(partitions.getIfOpen(p1)).isNotNull();
        assertThat(partitions.isUnopened(new TopicPartition("__consumer_offsets", 0))).isTrue();
        assertThat(Files.exists(tmp.resolve("__consumer_offsets-0"))).isFalse();
        assertThat(partitions.get(new TopicPartition("__consumer_offsets", 0))).isNotNull();
        partitions.close();
    }
}
