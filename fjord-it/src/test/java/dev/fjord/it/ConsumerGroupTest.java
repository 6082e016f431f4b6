package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumer groups with the classic protocol, for each of Kafka's assignors. */
class ConsumerGroupTest {
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterEach
    void stop() {
        admin.close();
        fjord.close();
    }

    private KafkaConsumer<byte[], byte[]> member(final String group, final String assignor, final Map<String, Object> extra) {
        final Map<String, Object> config = new java.util.HashMap<>(Map.of("group.id", group,
                "partition.assignment.strategy", GroupMembershipTest.assignorClass(assignor), "auto.offset.reset", "earliest",
                "heartbeat.interval.ms", "200", "session.timeout.ms", "6000"));
        config.putAll(extra);
        return Clients.consumer(fjord.bootstrapServers(), config);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void shouldSplitPartitionsAndMoveThemWhenMembersComeAndGo(final String assignor) throws Exception {
        admin.createTopics(List.of(new NewTopic("split", 6, (short) 1))).all().get();
        produce("split", 60);
        final String group = "g-" + assignor;
        try (KafkaConsumer<byte[], byte[]> a = member(group, assignor, Map.of());
             KafkaConsumer<byte[], byte[]> b = member(group, assignor, Map.of())) {
            a.subscribe(List.of("split"));
            b.subscribe(List.of("split"));
            awaitAssignment(List.of(a, b), 6);
            assertThat(disjoint(a.assignment(), b.assignment())).isTrue();

            try (KafkaConsumer<byte[], byte[]> c = member(group, assignor, Map.of())) {
                c.subscribe(List.of("split"));
                awaitAssignment(List.of(a, b, c), 6);
                assertThat(c.assignment()).isNotEmpty();
            }
            // c closed (left the group): its partitions go back to a and b.
            awaitAssignment(List.of(a, b), 6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void shouldCommitAndKeepOffsetsAcrossARestart(final String assignor) throws Exception {
        admin.createTopics(List.of(new NewTopic("commits", 2, (short) 1))).all().get();
        produce("commits", 40);
        final String group = "commit-" + assignor;
        try (KafkaConsumer<byte[], byte[]> c = member(group, assignor, Map.of())) {
            c.subscribe(List.of("commits"));
            int seen = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen < 40 && System.nanoTime() < deadline) {
                seen += c.poll(Duration.ofMillis(200)).count();
            }
            assertThat(seen).isEqualTo(40);
            c.commitSync();
        }
        fjord.restart();
        final Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(40);
        final ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(description.groupState()).isEqualTo(GroupState.EMPTY);
    }

    private void produce(final String topic, final int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, ("k" + i).getBytes(), ("v" + i).getBytes()));
            }
            p.flush();
        }
    }

    /** Polls every consumer until together they own exactly {@code partitions} partitions, each once. */
    private static void awaitAssignment(final List<KafkaConsumer<byte[], byte[]>> consumers, final int partitions) {
        Clients.awaitAssignment(consumers, partitions, share -> !share.isEmpty());
    }

    private static boolean disjoint(final Collection<TopicPartition> a, final Collection<TopicPartition> b) {
        final Set<TopicPartition> s = new HashSet<>(a);
        s.retainAll(b);
        return s.isEmpty();
    }

}
