package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.config.ConfigException;
import dev.fjord.testkit.EmbeddedFjord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The embeddable broker as other projects' tests use it. */
class EmbeddedFjordTest {
    private static Set<Path> fjordTempDirs() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("fjord-")).collect(Collectors.toSet());
        }
    }

    @Test
    void shouldDeleteItsTemporaryDirectoryWhenTheBrokerFailsToStart() throws Exception {
        final Set<Path> before = fjordTempDirs();

        assertThatThrownBy(() -> EmbeddedFjord.builder().config("num.partitions", "0").start())
                .isInstanceOf(ConfigException.class).hasMessageContaining("num.partitions");

        assertThat(fjordTempDirs()).as("fjord-* temporary directories").isSubsetOf(before);
    }

    @Test
    void shouldDeleteItsTemporaryDirectoryOnClose() throws Exception {
        final Path dir;
        try (EmbeddedFjord fjord = EmbeddedFjord.start()) {
            dir = fjord.dataDir();
            assertThat(dir).isDirectory();
        }
        assertThat(dir).doesNotExist();
    }
}
