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
}
