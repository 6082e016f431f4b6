package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DescribeConfigs, AlterConfigs and IncrementalAlterConfigs through the real AdminClient. */
class TopicConfigsAdminTest {
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.builder().config("log.retention.hours", "48").start();
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

    private static ConfigResource topic(final String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private Config describe(final ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)
                .includeDocumentation(true)).all().get().get(resource);
    }

    @Test
    void shouldDescribeTopicOverridesAndBrokerDefaultsWithTheirSources() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 1, (short) 1).configs(Map.of("segment.bytes", "65536"))))
                .all().get();

        final Config config = describe(topic("described"));

        final ConfigEntry segmentBytes = config.get("segment.bytes");
        assertThat(segmentBytes.value()).isEqualTo("65536");
        assertThat(segmentBytes.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(segmentBytes.synonyms()).extracting(ConfigEntry.ConfigSynonym::name)
                .containsExactly("segment.bytes", "log.segment.bytes");
        final ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo(String.valueOf(48 * 3_600_000L));
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(retention.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        final ConfigEntry cleanup = config.get("cleanup.policy");
        assertThat(cleanup.value()).isEqualTo("delete");
        assertThat(cleanup.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(cleanup.type()).isEqualTo(ConfigEntry.ConfigType.LIST);
        assertThat(cleanup.documentation()).isNotBlank();
        assertThat(config.entries()).extracting(ConfigEntry::name).contains("compression.type", "delete.retention.ms",
                "max.message.bytes", "message.timestamp.type", "min.insync.replicas", "retention.bytes", "segment.ms",
                "min.compaction.lag.ms", "max.compaction.lag.ms", "min.cleanable.dirty.ratio",
                "unclean.leader.election.enable");
        assertThat(config.entries()).allSatisfy(e -> assertThat(e.isReadOnly()).isFalse());
    }

    @Test
    void shouldDescribeTheBrokerAndRejectUnknownTopics() throws Exception {
        final Config broker = describe(new ConfigResource(ConfigResource.Type.BROKER, "1"));

        assertThat(broker.get("log.retention.hours").value()).isEqualTo("48");
        assertThat(broker.get("log.retention.hours").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(broker.get("num.io.threads").value()).isEqualTo("4");
        assertThat(broker.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(broker.get("num.io.threads").type()).isEqualTo(ConfigEntry.ConfigType.INT);
        assertThat(broker.get("log.retention.hours").synonyms()).extracting(ConfigEntry.ConfigSynonym::value)
                .containsExactly("48", "168");
        assertThat(broker.get("log.dirs").value()).isNotBlank();
        assertThat(admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, ""))).all().get()
                .values().iterator().next().entries()).isEmpty();
        assertThatThrownBy(() -> describe(topic("ghost"))).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    private void alter(final String topic, final AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(topic(topic), List.of(ops))).all().get();
    }

    private static AlterConfigOp op(final String key, final String value, final AlterConfigOp.OpType type) {
        return new AlterConfigOp(new ConfigEntry(key, value), type);
    }

    @Test
    void shouldApplyIncrementalChangesLiveAndKeepThemAcrossRestart() throws Exception {
        admin.createTopics(List.of(new NewTopic("altered", 1, (short) 1))).all().get();
        alter("altered", op("max.message.bytes", "2000", AlterConfigOp.OpType.SET),
                op("retention.ms", "1234", AlterConfigOp.OpType.SET),
                op("cleanup.policy", "compact", AlterConfigOp.OpType.APPEND),
                op("segment.bytes", "1024", AlterConfigOp.OpType.SET));

        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("altered", new byte[5000])).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>("altered", ("k" + i).getBytes(), new byte[500])).get();
            }
        }
        try (Stream<Path> files = Files.list(fjord.dataDir().resolve("altered-0"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".log")).count()).as("segments rolled at 1024 bytes")
                    .isGreaterThan(2);
        }

        fjord.restart();

        final Config config = describe(topic("altered"));
        assertThat(config.get("max.message.bytes").value()).isEqualTo("2000");
        assertThat(config.get("retention.ms").value()).isEqualTo("1234");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete,compact");

        alter("altered", op("retention.ms", null, AlterConfigOp.OpType.DELETE),
                op("cleanup.policy", "compact", AlterConfigOp.OpType.SUBTRACT));
        final Config after = describe(topic("altered"));
        assertThat(after.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(after.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(after.get("max.message.bytes").value()).isEqualTo("2000");
    }

    @Test
    void shouldRejectBadValuesUnknownKeysAppendsToNonListsAndStaticBrokerKeys() throws Exception {
        admin.createTopics(List.of(new NewTopic("strict", 1, (short) 1))).all().get();

        assertThatThrownBy(() -> alter("strict", op("retention.ms", "abc", AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> alter("strict", op("no.such.key", "1", AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no.such.key");
        assertThatThrownBy(() -> alter("strict", op("retention.ms", "1", AlterConfigOp.OpType.APPEND)))
                .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("list");
        assertThatThrownBy(() -> alter("ghost", op("retention.ms", "1", AlterConfigOp.OpType.SET)))
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, "1"),
                List.of(op("log.retention.hours", "1", AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidRequestException.class).hasMessageContaining("server.properties");
        admin.incrementalAlterConfigs(Map.of(topic("strict"), List.of(op("retention.ms", "99", AlterConfigOp.OpType.SET))),
                new AlterConfigsOptions().validateOnly(true)).all().get();

        assertThat(describe(topic("strict")).get("retention.ms").source())
                .isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
    }

    @Test
    void shouldReplaceAllOverridesWithTheOlderAlterConfigs() throws Exception {
        admin.createTopics(List.of(new NewTopic("replaced", 1, (short) 1)
                .configs(Map.of("retention.ms", "1000", "segment.bytes", "65536")))).all().get();
        final AlterConfigsRequestData request = new AlterConfigsRequestData();
        final AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("replaced");
        resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.bytes").setValue("4096"));
        request.resources().add(resource);
        final AlterConfigsRequestData.AlterConfigsResource bad = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("ghost");
        request.resources().add(bad);

        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final AlterConfigsResponseData response = ((AlterConfigsResponse) c.send(ApiKeys.ALTER_CONFIGS, (short) 2,
                    request)).data();
            assertThat(response.responses()).extracting(AlterConfigsResponseData.AlterConfigsResourceResponse::errorCode)
                    .containsExactly(Errors.NONE.code(), Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        fjord.restart();

        final Config config = describe(topic("replaced"));
        assertThat(config.get("retention.bytes").value()).isEqualTo("4096");
        assertThat(config.get("retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("segment.bytes").value()).isEqualTo("1073741824");
    }
}
