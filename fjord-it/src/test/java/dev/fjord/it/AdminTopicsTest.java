package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminTopicsTest {
    private static EmbeddedFjord fjord;
    private static Admin admin;

    @BeforeAll
    static void start() {
        fjord = EmbeddedFjord.builder().config("auto.create.topics.enable", "false").start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        admin.close();
        fjord.close();
    }

    @Test
    void shouldCreateListDescribeAndDeleteTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1),
                new NewTopic("audit", Optional.empty(), Optional.empty()).configs(Map.of("retention.ms", "1000")))).all().get();

        assertThat(admin.listTopics().names().get()).contains("orders", "audit");
        final TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
        assertThat(orders.partitions()).hasSize(3);
        assertThat(orders.topicId()).isNotNull();
        assertThat(orders.partitions().get(0).leader().id()).isEqualTo(1);
        assertThat(orders.partitions().get(0).isr()).hasSize(1);
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        assertThat(admin.describeCluster().clusterId().get()).isNotBlank();

        admin.deleteTopics(List.of("orders")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("orders").contains("audit");
        assertThatThrownBy(() -> admin.describeTopics(List.of("orders")).allTopicNames().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void shouldRejectInvalidTopicsWithKafkasErrors() {
        assertCreateFails(new NewTopic("bad name!", 1, (short) 1), InvalidTopicException.class);
        assertCreateFails(new NewTopic("three-copies", 1, (short) 3), InvalidReplicationFactorException.class);
        assertCreateFails(new NewTopic("bad-config", 1, (short) 1).configs(Map.of("segment.bytes", "tiny")),
                InvalidConfigurationException.class);
        assertCreateFails(new NewTopic("bad-config-key", 1, (short) 1).configs(Map.of("no.such.key", "1")),
                InvalidConfigurationException.class);
    }

    @Test
    void shouldRefuseToCreateATopicTwice() throws Exception {
        admin.createTopics(List.of(new NewTopic("twice", 1, (short) 1))).all().get();
        assertCreateFails(new NewTopic("twice", 1, (short) 1), TopicExistsException.class);
    }

    @Test
    void shouldOnlyValidateWhenAskedTo() throws Exception {
        admin.createTopics(List.of(new NewTopic("dry-run", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("dry-run");
    }

    @Test
    void shouldDeleteTopicsById() throws Exception {
        admin.createTopics(List.of(new NewTopic("by-id", 1, (short) 1))).all().get();
        final var id = admin.describeTopics(List.of("by-id")).allTopicNames().get().get("by-id").topicId();
        admin.deleteTopics(org.apache.kafka.common.TopicCollection.ofTopicIds(Set.of(id))).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("by-id");
    }

    private static void assertCreateFails(final NewTopic topic, final Class<? extends Exception> error) {
        assertThatThrownBy(() -> admin.createTopics(List.of(topic)).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(error);
    }
}
