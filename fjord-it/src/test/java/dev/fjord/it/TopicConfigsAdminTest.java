package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DescribeConfigs, AlterConfigs and IncrementalAlterConfigs through the real AdminClient. */
class TopicConfigsAdminTest {
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.builder().config("log.retention.hours", "48").start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (fjord != null) {
            fjord.close();
        }
    }

    private static ConfigResource topic(final String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private Config describe(final ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)
                .includeDocumentation(true)).all().get().get(resource);
    }

    @Test
    void shouldDescribeTopicOverridesAndBrokerDefaultsWithTheirSources() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1).configs(Map.of("segment.bytes", "65536"))))
                .all().get();

        final Config config = describe(topic("described"));

        final ConfigEntry segmentBytes = config.get("segment.bytes");
        assertThat(segmentBytes.value()).isEqualTo("65536");
        assertThat(segmentBytes.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(segmentBytes.synonyms()).extracting(ConfigEntry.ConfigSynonym::name)
                .containsExactly("segment.bytes", "log.segment.bytes");
        final ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo(String.valueOf(48 * 3_600_000L));
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(retention.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        final ConfigEntry cleanup = config.get("cleanup.policy");
        assertThat(cleanup.value()).isEqualTo("delete");
        assertThat(cleanup.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(cleanup.type()).isEqualTo(ConfigEntry.ConfigType.LIST);
        assertThat(cleanup.documentation()).isNotBlank();
        assertThat(config.entries()).extracting(ConfigEntry::name).contains("compression.type", "delete.retention.ms",
                "max.message.bytes", "message.timestamp.type", "min.insync.replicas", "retention.bytes", "segment.ms",
                "min.compaction.lag.ms", "max.compaction.lag.ms", "min.cleanable.dirty.ratio",
                "unclean.leader.election.enable");
        assertThat(config.entries()).allSatisfy(e -> assertThat(e.isReadOnly()).isFalse());
    }

    @Test
    void shouldDescribeTheBrokerAndRejectUnknownTopics() throws Exception {
        final Config broker = describe(new ConfigResource(ConfigResource.Type.BROKER, "1"));

        assertThat(broker.get("log.retention.hours").value()).isEqualTo("48");
        assertThat(broker.get("log.retention.hours").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(broker.get("num.io.threads").value()).isEqualTo("4");
        assertThat(broker.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(broker.get("num.io.threads").type()).isEqualTo(ConfigEntry.ConfigType.INT);
        assertThat(broker.get("log.dirs").value()).isNotBlank();
        assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, ""))).all().get()
                .values().iterator().next().entries()).isEmpty();
        assertThatThrownBy(() -> describe(topic("ghost"))).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }
}
