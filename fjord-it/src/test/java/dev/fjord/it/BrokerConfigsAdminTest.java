package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dynamic broker configs (IncrementalAlterConfigs on BROKER resources, as {@code kafka-configs
 * --entity-type brokers} sends them): they apply at once to the topics that do not set the key
 * themselves, win over server.properties, are reported with Kafka's sources, and survive a restart.
 */
class BrokerConfigsAdminTest {
    private static final ConfigResource THIS_BROKER = new ConfigResource(ConfigResource.Type.BROKER, "1");
    private static final ConfigResource CLUSTER_DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.builder().config("log.retention.check.interval.ms", "100")
                .config("log.segment.delete.delay.ms", "0").config("log.segment.bytes", "1048576").start();
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

    private Config describe(final ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
    }

    private void alter(final ConfigResource resource, final AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get();
    }

    private static AlterConfigOp set(final String key, final String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET);
    }

    private static AlterConfigOp delete(final String key) {
        return new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE);
    }

    private static ConfigResource topic(final String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private long segmentFiles(final String partitionDir) throws Exception {
        try (Stream<Path> files = Files.list(fjord.dataDir().resolve(partitionDir))) {
            return files.filter(f -> f.toString().endsWith(".log")).count();
        }
    }

    @Test
    void shouldApplyDynamicBrokerConfigsLiveToTopicsWithoutTheirOwnAndKeepThemAcrossRestart() throws Exception {
        admin.createTopics(List.of(new NewTopic("inherits", 1, (short) 1),
                new NewTopic("own", 1, (short) 1).configs(Map.of("max.message.bytes", "100000")))).all().get();

        alter(CLUSTER_DEFAULT, set("message.max.bytes", "2000"), set("log.segment.bytes", "4096"));
        alter(THIS_BROKER, set("log.segment.bytes", "1024"));

        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("inherits", new byte[5000])).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            producer.send(new ProducerRecord<>("own", new byte[5000])).get();
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>("inherits", new byte[500])).get();
            }
        }
        assertThat(segmentFiles("inherits-0")).as("rolled at this broker's 1024 bytes, not the cluster's 4096")
                .isGreaterThan(2);

        final Config inherits = describe(topic("inherits"));
        assertThat(inherits.get("segment.bytes").value()).isEqualTo("1024");
        assertThat(inherits.get("segment.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(inherits.get("segment.bytes").synonyms()).extracting(ConfigEntry.ConfigSynonym::source).containsExactly(
                ConfigSource.DYNAMIC_BROKER_CONFIG, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigSource.STATIC_BROKER_CONFIG, ConfigSource.DEFAULT_CONFIG);
        assertThat(inherits.get("max.message.bytes").value()).isEqualTo("2000");
        assertThat(inherits.get("max.message.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(describe(topic("own")).get("max.message.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);

        final Config broker = describe(THIS_BROKER);
        assertThat(broker.get("log.segment.bytes").value()).isEqualTo("1024");
        assertThat(broker.get("log.segment.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(broker.get("log.segment.bytes").isReadOnly()).isFalse();
        assertThat(broker.get("message.max.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(broker.get("compression.type").isReadOnly()).isFalse();
        assertThat(broker.get("num.io.threads").isReadOnly()).isTrue();
        assertThat(describe(CLUSTER_DEFAULT).entries()).extracting(ConfigEntry::name)
                .containsExactlyInAnyOrder("message.max.bytes", "log.segment.bytes");

        fjord.restart();

        assertThat(describe(topic("inherits")).get("segment.bytes").value()).isEqualTo("1024");
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("inherits", new byte[5000])).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);
        }

        alter(THIS_BROKER, delete("log.segment.bytes"));
        alter(CLUSTER_DEFAULT, delete("message.max.bytes"));
        final Config after = describe(topic("inherits"));
        assertThat(after.get("segment.bytes").value()).isEqualTo("4096");
        assertThat(after.get("segment.bytes").source()).isEqualTo(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
        assertThat(after.get("max.message.bytes").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void shouldApplyADynamicRetentionDefaultOnTheNextRetentionPass() throws Exception {
        admin.createTopics(List.of(new NewTopic("aging", 1, (short) 1).configs(Map.of("segment.bytes", "1024"))))
                .all().get();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("aging", new byte[500])).get();
            }
        }
        final TopicPartition tp = new TopicPartition("aging", 0);
        assertThat(earliest(tp)).isZero();

        alter(CLUSTER_DEFAULT, set("log.retention.bytes", "1500"));

        final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (earliest(tp) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(earliest(tp)).as("log start offset after retention.bytes=1500 applied").isGreaterThan(0);
    }

    private long earliest(final TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
    }

    @Test
    void shouldRefuseKeysThatAreNotDynamicBadValuesAndOtherBrokers() throws Exception {
        assertThatThrownBy(() -> alter(THIS_BROKER, set("num.partitions", "5"), set("log.retention.hours", "5")))
                .hasCauseInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Cannot update these configs dynamically: [log.retention.hours, num.partitions]");
        assertThatThrownBy(() -> alter(THIS_BROKER, set("no.such.key", "1")))
                .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("no.such.key");
        assertThatThrownBy(() -> alter(THIS_BROKER, set("log.segment.bytes", "abc")))
                .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("log.segment.bytes");
        assertThatThrownBy(() -> alter(CLUSTER_DEFAULT, set("log.cleanup.policy", "shred")))
                .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("log.cleanup.policy");
        // The AdminClient sends a BROKER resource to the broker it names, so another node's id needs a raw request.
        final IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData();
        final IncrementalAlterConfigsRequestData.AlterConfigsResource other = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("7");
        other.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("log.segment.bytes")
                .setValue("2048").setConfigOperation(AlterConfigOp.OpType.SET.id()));
        request.resources().add(other);
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final IncrementalAlterConfigsResponseData response = ((IncrementalAlterConfigsResponse) c.send(
                    ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1, request)).data();
            assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
            assertThat(response.responses().get(0).errorMessage()).contains("broker id");
        }
        admin.incrementalAlterConfigs(Map.of(THIS_BROKER, List.of(set("log.retention.ms", "99"))),
                new AlterConfigsOptions().validateOnly(true)).all().get();
        alter(THIS_BROKER, new AlterConfigOp(new ConfigEntry("log.cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND));
        alter(THIS_BROKER, delete("no.such.key"));

        final Config broker = describe(THIS_BROKER);
        assertThat(broker.get("log.retention.ms").source()).isNotEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
        assertThat(broker.get("log.cleanup.policy").value()).isEqualTo("delete,compact");
        assertThat(describe(CLUSTER_DEFAULT).entries()).isEmpty();
    }
}
