package dev.fjord.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.config.ConfigDef;
import dev.fjord.common.config.ConfigValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps config/server.properties in step with BrokerConfig: every key documented, every value the default. */
class ExampleConfigFileTest {

    /** Surefire runs with the module directory as working directory. */
    private static final Path EXAMPLE = Path.of("..", "config", "server.properties");

    @Test
    void exampleHasNoUnknownKeysAndOnlyDefaults() {
        final List<String> warnings = new ArrayList<>();
        final BrokerConfig fromFile = BrokerConfig.fromMap(BrokerConfig.readProperties(EXAMPLE), warnings::add);
        assertThat(warnings).isEmpty();

        final ConfigValues file = BrokerConfig.definition().parse(fromFile.originals());
        final ConfigValues defaults = BrokerConfig.definition().parse(Map.of());
        for (final ConfigDef.ConfigKey key : BrokerConfig.definition().keys()) {
            if (!key.ignored() && key.defaultValue() != null) {
                assertThat(file.get(key.name())).as(key.name()).isEqualTo(defaults.get(key.name()));
            }
        }
        final BrokerConfig byDefault = BrokerConfig.fromMap(Map.of());
        assertThat(fromFile.nodeId()).isEqualTo(byDefault.nodeId());
        assertThat(fromFile.logDirs()).isEqualTo(byDefault.logDirs());
        assertThat(fromFile.listeners()).isEqualTo(byDefault.listeners());
    }

    @Test
    void everySupportedKeyIsMentioned() throws IOException {
        final String text = Files.readString(EXAMPLE, StandardCharsets.UTF_8);
        for (final ConfigDef.ConfigKey key : BrokerConfig.definition().keys()) {
            if (!key.ignored() && !key.name().equals(BrokerConfig.BROKER_ID) && !key.name().equals(BrokerConfig.LOG_DIR)) {
                assertThat(text).as(key.name()).containsPattern("(?m)^#?" + key.name().replace(".", "\\.") + "=");
            }
        }
    }
}
