package dev.fjord.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DynamicBrokerConfigsTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepBothScopesAcrossReopenAndReplaceOneWithoutTheOther() throws Exception {
        final DynamicBrokerConfigs configs = DynamicBrokerConfigs.open(dir);
        assertThat(configs.clusterDefaults()).isEmpty();
        assertThat(configs.node()).isEmpty();

        configs.replace(true, Map.of("log.retention.ms", "1000", "log.cleanup.policy", "delete,compact"));
        configs.replace(false, Map.of("log.segment.bytes", "2048"));
        configs.replace(true, Map.of("log.retention.ms", "2000"));

        final DynamicBrokerConfigs reopened = DynamicBrokerConfigs.open(dir);
        assertThat(reopened.clusterDefaults()).isEqualTo(Map.of("log.retention.ms", "2000"));
        assertThat(reopened.node()).isEqualTo(Map.of("log.segment.bytes", "2048"));
        assertThat(dir.resolve(DynamicBrokerConfigs.FILE_NAME + ".tmp")).doesNotExist();
        assertThat(Files.readString(dir.resolve(DynamicBrokerConfigs.FILE_NAME))).contains("node.log.segment.bytes=2048");
    }
}
