package dev.fjord.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicRegistryTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepTopicsIdsAndConfigsAcrossReopen() throws Exception {
        final TopicRegistry registry = TopicRegistry.open(dir);
        final TopicInfo a = registry.create("orders.v1", 3, Map.of("retention.ms", "1000", "cleanup.policy", "compact,delete"));
        registry.create("b_2", 1, Map.of());
        registry.delete("b_2");

        final TopicRegistry reopened = TopicRegistry.open(dir);
        assertThat(reopened.all()).containsExactly(a);
        assertThat(reopened.get(a.id())).contains(a);
        assertThat(reopened.get("b_2")).isEmpty();
        assertThat(Files.exists(dir.resolve(TopicRegistry.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void shouldKeepConfigValuesExactlyAcrossReopenWhateverTheirCharacters() throws Exception {
        final Map<String, String> configs = Map.of(
                "x.leading", "  two leading spaces",
                "x.trailing", "trailing space ",
                "x.separators", "a=b:c#d!e",
                "x.backslash", "C:\\dir\\file",
                "x.controls", "tab\tnewline\ncr\rff\f",
                "x.unicode", "\u00e9t\u00e9 \u2713",
                "x.empty", "");
        final TopicInfo t = TopicRegistry.open(dir).create("t", 1, configs);

        assertThat(TopicRegistry.open(dir).get("t")).contains(t);
        assertThat(TopicRegistry.open(dir).get("t").orElseThrow().configs()).isEqualTo(configs);
    }

    @Test
    void shouldRefuseADuplicateName() throws Exception {
        final TopicRegistry registry = TopicRegistry.open(dir);
        registry.create("t", 1, Map.of());
        assertThatThrownBy(() -> registry.create("t", 2, Map.of())).isInstanceOf(TopicExistsException.class);
    }

    @Test
    void shouldValidateNamesAsKafkaDoes() {
        assertThat(TopicNames.isValid("a-b.c_D9")).isTrue();
        assertThat(TopicNames.isValid("")).isFalse();
        assertThat(TopicNames.isValid("..")).isFalse();
        assertThat(TopicNames.isValid("has space")).isFalse();
        assertThat(TopicNames.isValid("x".repeat(249))).isTrue();
        assertThat(TopicNames.isValid("x".repeat(250))).isFalse();
    }
}
