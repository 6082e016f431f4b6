package dev.fjord.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

/** compression.type and the compression.*.level keys become the storage LogConfig's compression. */
class TopicConfigsCompressionTest {
    private final TopicConfigs configs = TopicConfigs.fromBroker(Map.of());

    @Test
    void shouldKeepTheProducersCodecByDefaultAndForProducer() {
        assertThat(configs.logConfig(Map.of()).keepsProducerCompression()).isTrue();
        assertThat(configs.logConfig(Map.of("compression.type", "producer")).compression()).isNull();
    }

    @Test
    void shouldMapEachTypeToItsCodecWithItsLevel() {
        assertThat(configs.logConfig(Map.of("compression.type", "uncompressed")).compression()).isEqualTo(Compression.NONE);
        assertThat(configs.logConfig(Map.of("compression.type", "snappy")).compression())
                .isEqualTo(Compression.snappy().build());
        assertThat(configs.logConfig(Map.of("compression.type", "gzip", "compression.gzip.level", "9")).compression())
                .isEqualTo(Compression.gzip().level(9).build());
        assertThat(configs.logConfig(Map.of("compression.type", "lz4", "compression.lz4.level", "3")).compression())
                .isEqualTo(Compression.lz4().level(3).build());
        assertThat(configs.logConfig(Map.of("compression.type", "zstd")).compression())
                .isEqualTo(Compression.zstd().level(3).build());
    }

    @Test
    void shouldTakeTheBrokersCompressionTypeAndLevelAsTheDefault() {
        final TopicConfigs broker = TopicConfigs.fromBroker(Map.of("compression.type", "zstd", "compression.zstd.level", "10"));
        assertThat(broker.logConfig(Map.of()).compression()).isEqualTo(Compression.zstd().level(10).build());
        assertThat(broker.logConfig(Map.of("compression.type", "producer")).compression()).isNull();
    }

    @Test
    void shouldRefuseAGzipLevelTheCodecRefuses() {
        TopicConfigs.validate(Map.of("compression.gzip.level", "-1"));
        TopicConfigs.validate(Map.of("compression.gzip.level", "1"));
        assertThatThrownBy(() -> TopicConfigs.validate(Map.of("compression.gzip.level", "0")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("compression.gzip.level");
    }
}
