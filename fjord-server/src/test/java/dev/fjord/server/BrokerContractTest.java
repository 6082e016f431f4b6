package dev.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.server.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API FjordMain relies on; must keep passing when the placeholder Broker is replaced by the real one. */
class BrokerContractTest {

    @TempDir
    Path dir;

    @Test
    void startsOnPortZeroCreatesTheLogDirAndClosesIdempotently() throws Exception {
        final BrokerConfig config = BrokerConfig.fromMap(Map.of(
            "listeners", "PLAINTEXT://127.0.0.1:0", "log.dirs", dir.resolve("d").toString()));
        final Broker broker = Broker.start(config);
        try {
            assertThat(broker.boundPort()).isPositive();
            assertThat(Files.isDirectory(dir.resolve("d"))).isTrue();
        } finally {
            broker.close();
        }
        broker.close();
        broker.awaitShutdown(); // returns at once after close
    }
}
