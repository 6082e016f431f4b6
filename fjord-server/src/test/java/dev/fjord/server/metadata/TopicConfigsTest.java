package dev.fjord.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {
    @Test
    void shouldTakeBrokerDefaultsAndLetTopicsOverrideThem() {
        final TopicConfigs configs = TopicConfigs.fromBroker(Map.of("log.segment.bytes", "1048576", "log.roll.hours", "2"));
        assertThat(configs.effective(Map.of(), "segment.bytes")).isEqualTo("1048576");
        assertThat(configs.effective(Map.of(), "segment.ms")).isEqualTo(String.valueOf(2 * 3_600_000L));
        assertThat(configs.effective(Map.of("segment.bytes", "4096"), "segment.bytes")).isEqualTo("4096");
        assertThat(configs.logConfig(Map.of("message.timestamp.type", "LogAppendTime")).timestampType())
                .isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(configs.logConfig(Map.of()).maxMessageBytes()).isEqualTo(1048588);
    }

    @Test
    void shouldRejectUnknownKeysAndBadValuesNamingThem() {
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("segment.bytes", "10")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("cleanup.policy", "sometimes")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("nope", "1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("nope");
        TopicConfigs.validate(Map.of("retention.ms", "-1", "compression.type", "zstd", "min.cleanable.dirty.ratio", "0.1"));
    }

    @Test
    void shouldDescribeSourcesAndSynonymsMostSpecificFirst() {
        final TopicConfigs configs = TopicConfigs.fromBroker(Map.of("log.retention.hours", "2"));

        final Map<String, TopicConfigs.Described> byName = new java.util.HashMap<>();
        configs.describe(Map.of("segment.bytes", "4096")).forEach(d -> byName.put(d.key().name(), d));

        assertThat(byName.get("segment.bytes").source()).isEqualTo(TopicConfigs.Source.TOPIC);
        assertThat(byName.get("segment.bytes").synonyms()).extracting(TopicConfigs.Synonym::name)
                .containsExactly("segment.bytes", "log.segment.bytes");
        assertThat(byName.get("retention.ms").value()).isEqualTo(String.valueOf(2 * 3_600_000L));
        assertThat(byName.get("retention.ms").source()).isEqualTo(TopicConfigs.Source.STATIC_BROKER);
        assertThat(byName.get("cleanup.policy").source()).isEqualTo(TopicConfigs.Source.DEFAULT);
        assertThat(byName.get("retention.ms").synonyms()).extracting(TopicConfigs.Synonym::name)
                .containsExactly("log.retention.hours", "log.retention.hours");
        assertThat(byName.get("follower.replication.throttled.replicas").synonyms()).isEmpty();
        assertThat(byName.get("segment.ms").synonyms()).as("Kafka 4.4 reports none").isEmpty();
    }

    @Test
    void shouldAcceptCleanupPolicyAsAListOfDistinctPolicies() {
        TopicConfigs.validate(Map.of("cleanup.policy", "compact, delete"));
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("cleanup.policy", "delete,delete")))
                .hasMessageContaining("cleanup.policy");
        assertThat(TopicConfigs.fromBroker(Map.of()).deletes(Map.of("cleanup.policy", "compact"))).isFalse();
    }

    @Test
    void shouldLetDynamicBrokerConfigsWinOverServerPropertiesThisBrokersOverTheClusters() {
        final TopicConfigs configs = TopicConfigs.fromBroker(Map.of("log.segment.bytes", "1048576", "log.retention.hours", "2"));

        configs.reconfigure(Map.of("log.segment.bytes", "4096", "log.retention.ms", "1000"), Map.of("log.segment.bytes", "2048"));

        assertThat(configs.effective(Map.of(), "segment.bytes")).isEqualTo("2048");
        assertThat(configs.effective(Map.of(), "retention.ms")).as("log.retention.ms over static log.retention.hours")
                .isEqualTo("1000");
        assertThat(configs.effective(Map.of("segment.bytes", "999999"), "segment.bytes")).isEqualTo("999999");
        assertThat(configs.logConfig(Map.of()).segmentBytes()).isEqualTo(2048);
        final TopicConfigs.Described segment = configs.describe(Map.of()).stream()
                .filter(d -> d.key().name().equals("segment.bytes")).findFirst().orElseThrow();
        assertThat(segment.source()).isEqualTo(TopicConfigs.Source.DYNAMIC_BROKER);
        assertThat(segment.synonyms()).extracting(TopicConfigs.Synonym::source).containsExactly(
                TopicConfigs.Source.DYNAMIC_BROKER, TopicConfigs.Source.DYNAMIC_DEFAULT_BROKER,
                TopicConfigs.Source.STATIC_BROKER, TopicConfigs.Source.DEFAULT);

        configs.reconfigure(Map.of(), Map.of());

        assertThat(configs.effective(Map.of(), "segment.bytes")).isEqualTo("1048576");
        assertThat(configs.effective(Map.of(), "retention.ms")).isEqualTo(String.valueOf(2 * 3_600_000L));
    }

    @Test
    void shouldOfferTheTopicKeysBrokerDefaultsAsDynamicButNotTieredStorage() {
        assertThat(TopicConfigs.dynamicBrokerKeys()).containsKeys("log.retention.ms", "log.segment.bytes",
                "message.max.bytes", "compression.type", "log.cleanup.policy", "log.cleaner.delete.retention.ms");
        assertThat(TopicConfigs.dynamicBrokerKeys()).doesNotContainKeys("log.retention.hours", "log.roll.hours",
                "remote.log.storage.system.enable", "num.partitions");
    }

    @Test
    void shouldRefuseABrokerDefaultItsTopicKeyWouldNotAccept() {
        assertThatThrownBy(() -> TopicConfigs.fromBroker(Map.of("compression.type", "brotli")))
                .isInstanceOf(dev.fjord.common.config.ConfigException.class).hasMessageContaining("compression.type")
                .hasMessageContaining("brotli");
        assertThatThrownBy(() -> TopicConfigs.fromBroker(Map.of("compression.gzip.level", "0")))
                .isInstanceOf(dev.fjord.common.config.ConfigException.class).hasMessageContaining("compression.gzip.level");
        assertThat(TopicConfigs.fromBroker(Map.of("compression.type", " zstd ")).effective(Map.of(), "compression.type"))
                .isEqualTo("zstd");
    }

    @Test
    void shouldRefuseHandEditedDynamicConfigsNamingTheFile() {
        TopicConfigs.validateDynamic(Map.of("log.retention.ms", "1000", "compression.type", "lz4"), "f.properties");
        assertThatThrownBy(() -> TopicConfigs.validateDynamic(Map.of("log.segment.bytes", "big"), "f.properties"))
                .isInstanceOf(dev.fjord.common.config.ConfigException.class)
                .hasMessageContaining("log.segment.bytes").hasMessageContaining("f.properties");
        assertThatThrownBy(() -> TopicConfigs.validateDynamic(Map.of("num.io.threads", "4"), "f.properties"))
                .isInstanceOf(dev.fjord.common.config.ConfigException.class).hasMessageContaining("num.io.threads");
    }

    @Test
    void shouldBoundTheCleanersKeyMapByTheBrokersDedupeBuffer() {
        final dev.fjord.storage.log.LogCompactor.Settings defaults = TopicConfigs.fromBroker(Map.of())
                .compactionSettings(Map.of("min.cleanable.dirty.ratio", "0.1"));
        assertThat(defaults.maxMapEntries()).isEqualTo(5_033_164); // 134217728 / 24 * 0.9
        assertThat(defaults.mapLoadFactor()).isEqualTo(0.9);
        assertThat(defaults.minCleanableDirtyRatio()).isEqualTo(0.1);
        final dev.fjord.storage.log.LogCompactor.Settings small = TopicConfigs.fromBroker(Map.of(
                "log.cleaner.dedupe.buffer.size", "2400000", "log.cleaner.io.buffer.load.factor", " 0.5")).compactionSettings(Map.of());
        assertThat(small.maxMapEntries()).isEqualTo(50_000);
        assertThat(small.mapLoadFactor()).isEqualTo(0.5);
    }
}
