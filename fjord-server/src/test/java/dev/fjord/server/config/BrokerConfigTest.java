package dev.fjord.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.config.ConfigException;
import dev.fjord.server.config.BrokerConfig.Endpoint;
import dev.fjord.server.config.BrokerConfig.TimestampType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {

    @TempDir
    Path dir;

    private Path write(final String name, final String... lines) throws IOException {
        final Path file = dir.resolve(name);
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void defaults() {
        final BrokerConfig c = BrokerConfig.load(null, Map.of());
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.clusterId()).isNull();
        assertThat(c.listeners()).containsExactly(new Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(c.advertisedListeners()).isEqualTo(c.listeners());
        assertThat(c.logDirs()).containsExactly(Path.of("./data"));
        assertThat(c.numPartitions()).isEqualTo(1);
        assertThat(c.defaultReplicationFactor()).isEqualTo(1);
        assertThat(c.autoCreateTopicsEnable()).isTrue();
        assertThat(c.deleteTopicEnable()).isTrue();
        assertThat(c.logSegmentBytes()).isEqualTo(1_073_741_824);
        assertThat(c.logRollMs()).isEqualTo(168L * 3_600_000L);
        assertThat(c.logFlushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.logFlushIntervalMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.logIndexIntervalBytes()).isEqualTo(4096);
        assertThat(c.logIndexSizeMaxBytes()).isEqualTo(10_485_760);
        assertThat(c.logMessageTimestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(c.messageMaxBytes()).isEqualTo(1_048_588);
        assertThat(c.socketRequestMaxBytes()).isEqualTo(104_857_600);
        assertThat(c.socketSendBufferBytes()).isEqualTo(102_400);
        assertThat(c.socketReceiveBufferBytes()).isEqualTo(-1); // Kafka: 102400; ours leaves it to autotuning
        assertThat(c.numNetworkThreads()).isEqualTo(3);
        assertThat(c.numIoThreads()).isEqualTo(8);
        assertThat(c.queuedMaxRequests()).isEqualTo(500);
        assertThat(c.maxConnections()).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.connectionsMaxIdleMs()).isEqualTo(600_000L);
        assertThat(c.offsetsTopicNumPartitions()).isEqualTo(50);
        assertThat(c.offsetsTopicReplicationFactor()).isEqualTo(1);
        assertThat(c.transactionStateLogNumPartitions()).isEqualTo(50);
        assertThat(c.groupInitialRebalanceDelayMs()).isEqualTo(3000);
        assertThat(c.groupMinSessionTimeoutMs()).isEqualTo(6000);
        assertThat(c.groupMaxSessionTimeoutMs()).isEqualTo(1_800_000);
        assertThat(c.logRetentionMs()).isEqualTo(168L * 3_600_000L);
        assertThat(c.logRetentionBytes()).isEqualTo(-1L);
        assertThat(c.logCleanupPolicy()).containsExactly("delete");
        assertThat(c.minInsyncReplicas()).isEqualTo(1);
        assertThat(c.uncleanLeaderElectionEnable()).isFalse();
        assertThat(c.maxInflightRequestsPerConnection()).isEqualTo(100);
        assertThat(c.originals()).isEmpty();
        assertThat(c.unknownKeys()).isEmpty();
    }

    @Test
    void overridesWinOverTheFile() throws IOException {
        final Path file = write("server.properties",
            "# comment",
            "num.partitions=4",
            "log.dirs=/var/fjord/a, /var/fjord/b",
            "node.id = 7");
        final BrokerConfig c = BrokerConfig.load(file, Map.of("num.partitions", "9"));
        assertThat(c.numPartitions()).isEqualTo(9);
        assertThat(c.nodeId()).isEqualTo(7);
        assertThat(c.logDirs()).containsExactly(Path.of("/var/fjord/a"), Path.of("/var/fjord/b"));
        assertThat(c.originals()).containsEntry("num.partitions", "9").containsEntry("node.id", "7");
    }

    @Test
    void unknownKeysAreWarnedOncePerKeyNotFailed() {
        final List<String> warnings = new ArrayList<>();
        final BrokerConfig c = BrokerConfig.fromMap(Map.of("ssl.keystore.location", "/k.jks", "foo.bar", "1",
            "num.partitions", "2"), warnings::add);
        assertThat(c.numPartitions()).isEqualTo(2);
        assertThat(c.unknownKeys()).containsExactlyInAnyOrder("ssl.keystore.location", "foo.bar");
        assertThat(warnings).containsExactlyInAnyOrder(
            "Ignoring unknown config key 'ssl.keystore.location' (not supported by Fjord yet)",
            "Ignoring unknown config key 'foo.bar' (not supported by Fjord yet)");
    }

    @Test
    void kraftPlumbingIsAcceptedSilently() throws IOException {
        // The shape of a stock KRaft combined-mode server.properties.
        final Path file = write("kafka.properties",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=localhost:9093",
            "controller.quorum.voters=1@localhost:9093",
            "listeners=PLAINTEXT://:9092,CONTROLLER://:9093",
            "inter.broker.listener.name=PLAINTEXT",
            "advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
            "num.network.threads=3",
            "num.io.threads=8",
            "socket.send.buffer.bytes=102400",
            "socket.receive.buffer.bytes=102400",
            "socket.request.max.bytes=104857600",
            "log.dirs=/tmp/kraft-combined-logs",
            "num.partitions=1",
            "num.recovery.threads.per.data.dir=1",
            "offsets.topic.replication.factor=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "log.retention.hours=168",
            "log.segment.bytes=1073741824",
            "log.retention.check.interval.ms=300000");
        final List<String> warnings = new ArrayList<>();
        final BrokerConfig c = BrokerConfig.fromMap(BrokerConfig.readProperties(file), warnings::add);
        assertThat(warnings).isEmpty();
        assertThat(c.listeners()).containsExactly(new Endpoint("PLAINTEXT", "", 9092));
        assertThat(c.listeners().get(0).allInterfaces()).isTrue();
        assertThat(c.advertisedListeners()).containsExactly(new Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(c.logDirs()).containsExactly(Path.of("/tmp/kraft-combined-logs"));
    }

    @Test
    void invalidValueSaysKeyValueProblemAndFix() {
        assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("num.partitions", "abc")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("Invalid value 'abc' for 'num.partitions': expected an integer >= 1. "
                + "Fix it in config/server.properties or pass --override num.partitions=1.");
        assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("log.segment.bytes", "10")))
            .hasMessageContaining("'log.segment.bytes': expected an integer >= 14");
        assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("log.message.timestamp.type", "Now")))
            .hasMessageContaining("expected one of CreateTime, LogAppendTime");
        assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("auto.create.topics.enable", "yes")))
            .hasMessageContaining("expected true or false");
    }

    @Test
    void cleanerDedupeBufferTakesKafkasDefaultsAndBounds() {
        BrokerConfig.load(null, Map.of("log.cleaner.dedupe.buffer.size", "1048577", "log.cleaner.io.buffer.load.factor", "1"));
        // Kafka: more than 1 MiB per cleaner thread.
        assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("log.cleaner.dedupe.buffer.size", "1048576")))
            .hasMessageContaining("'log.cleaner.dedupe.buffer.size': expected an integer >= 1048577");
        for (final String bad : new String[] {"0", "1.5", "-0.1", "lots"}) {
            assertThatThrownBy(() -> BrokerConfig.load(null, Map.of("log.cleaner.io.buffer.load.factor", bad)))
                .hasMessageContaining("'log.cleaner.io.buffer.load.factor': expected a number > 0 and <= 1");
        }
    }

    @Test
    void listenersParsing() {
        final BrokerConfig c = BrokerConfig.fromMap(Map.of(
            "listeners", "PLAINTEXT://0.0.0.0:0, INTERNAL://[::1]:19092",
            "listener.security.protocol.map", "INTERNAL:PLAINTEXT"));
        assertThat(c.listeners()).containsExactly(
            new Endpoint("PLAINTEXT", "0.0.0.0", 0),
            new Endpoint("INTERNAL", "::1", 19092));
        assertThat(c.listeners().get(1)).hasToString("INTERNAL://[::1]:19092");
        assertThat(BrokerConfig.fromMap(Map.of("listeners", "plaintext://:0")).listeners())
            .containsExactly(new Endpoint("PLAINTEXT", "", 0));
    }

    @Test
    void advertisedListenersFillInFromListeners() {
        final BrokerConfig c = BrokerConfig.fromMap(Map.of(
            "listeners", "PLAINTEXT://:9092,INTERNAL://:9094",
            "listener.security.protocol.map", "INTERNAL:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "advertised.listeners", "INTERNAL://broker.internal:9094"));
        assertThat(c.advertisedListeners()).containsExactly(
            new Endpoint("PLAINTEXT", "", 9092),
            new Endpoint("INTERNAL", "broker.internal", 9094));
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("advertised.listeners", "OTHER://x:1",
            "listener.security.protocol.map", "OTHER:PLAINTEXT")))
            .hasMessageContaining("listener name OTHER is not in listeners");
    }

    @Test
    void unsupportedSecurityProtocolIsRejectedWithAReason() {
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("listeners", "PLAINTEXT://:9092,SSL://:9093")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'SSL://:9093' for 'listeners'")
            .hasMessageContaining("security protocol SSL is not supported; Fjord supports only PLAINTEXT");
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("listeners", "EXTERNAL://:9093",
            "listener.security.protocol.map", "EXTERNAL:SASL_SSL")))
            .hasMessageContaining("security protocol SASL_SSL is not supported");
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("listeners", "EXTERNAL://:9093")))
            .hasMessageContaining("listener name 'EXTERNAL' has no security protocol");
    }

    @Test
    void malformedListeners() {
        for (final String bad : List.of("localhost:9092", "PLAINTEXT://localhost", "PLAINTEXT://h:99999",
            "PLAINTEXT://h:-1", "PLAINTEXT://a:1,PLAINTEXT://b:2")) {
            assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("listeners", bad)))
                .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("for 'listeners'");
        }
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("listeners", "CONTROLLER://:9093",
            "controller.listener.names", "CONTROLLER")))
            .hasMessageContaining("no client listener left");
    }

    @Test
    void logDirFallsBackToLogDir() {
        assertThat(BrokerConfig.fromMap(Map.of("log.dir", "/srv/fjord")).logDirs()).containsExactly(Path.of("/srv/fjord"));
        assertThat(BrokerConfig.fromMap(Map.of("log.dir", "/srv/x", "log.dirs", "/srv/y")).logDirs())
            .containsExactly(Path.of("/srv/y"));
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("log.dirs", " ")))
            .hasMessageContaining("'log.dirs': expected a non-empty comma-separated list");
    }

    @Test
    void timeKeysPreferTheFinerUnit() {
        assertThat(BrokerConfig.fromMap(Map.of("log.roll.hours", "2")).logRollMs()).isEqualTo(7_200_000L);
        assertThat(BrokerConfig.fromMap(Map.of("log.roll.hours", "2", "log.roll.ms", "5")).logRollMs()).isEqualTo(5L);
        assertThat(BrokerConfig.fromMap(Map.of("log.retention.minutes", "3")).logRetentionMs()).isEqualTo(180_000L);
        assertThat(BrokerConfig.fromMap(Map.of("log.retention.minutes", "3", "log.retention.ms", "-1")).logRetentionMs())
            .isEqualTo(-1L);
        assertThat(BrokerConfig.fromMap(Map.of("log.flush.scheduler.interval.ms", "2000")).logFlushIntervalMs())
            .isEqualTo(2000L);
        assertThat(BrokerConfig.fromMap(Map.of("log.flush.scheduler.interval.ms", "2000", "log.flush.interval.ms", "10"))
            .logFlushIntervalMs()).isEqualTo(10L);
    }

    @Test
    void brokerIdIsAnAliasForNodeId() {
        assertThat(BrokerConfig.fromMap(Map.of("broker.id", "0")).nodeId()).isEqualTo(0);
        assertThat(BrokerConfig.fromMap(Map.of("broker.id", "3", "node.id", "3")).nodeId()).isEqualTo(3);
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("broker.id", "3", "node.id", "4")))
            .hasMessageContaining("node.id=4 but broker.id=3");
    }

    @Test
    void miscTypedValues() {
        final BrokerConfig c = BrokerConfig.fromMap(Map.of(
            "log.message.timestamp.type", "LogAppendTime",
            "log.cleanup.policy", "compact, delete",
            "cluster.id", "MkU3OEVBNTcwNTJENDM2Qk",
            "fjord.max.inflight.requests.per.connection", "5"));
        assertThat(c.logMessageTimestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(c.logCleanupPolicy()).containsExactly("compact", "delete");
        assertThat(c.clusterId()).isEqualTo("MkU3OEVBNTcwNTJENDM2Qk");
        assertThat(c.maxInflightRequestsPerConnection()).isEqualTo(5);
        assertThatThrownBy(() -> BrokerConfig.fromMap(Map.of("group.min.session.timeout.ms", "9000",
            "group.max.session.timeout.ms", "8000")))
            .hasMessageContaining("expected at most group.max.session.timeout.ms (8000)");
    }

    @Test
    void missingConfigFileIsAClearError() {
        assertThatThrownBy(() -> BrokerConfig.load(dir.resolve("nope.properties"), Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("nope.properties does not exist");
    }

    @Test
    void originalsAreImmutable() {
        final BrokerConfig c = BrokerConfig.fromMap(Map.of("num.partitions", "2"));
        assertThatThrownBy(() -> c.originals().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
