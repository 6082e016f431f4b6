package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every way a consumer commits, lag from end offsets and commits, and groups reading independently. */
class GroupCommitTest {
    private static final String TOPIC = "commits";
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 45;

    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, ("v" + i).getBytes()));
            }
            p.flush();
        }
    }

    @AfterEach
    void stop() {
        admin.close();
        fjord.close();
    }

    private KafkaConsumer<byte[], byte[]> member(final String group, final Map<String, Object> extra) {
        final Map<String, Object> config = new HashMap<>(Map.of("group.id", group, "auto.offset.reset", "earliest",
                "heartbeat.interval.ms", "200"));
        config.putAll(extra);
        return Clients.consumer(fjord.bootstrapServers(), config);
    }

    private static Set<String> readAll(final KafkaConsumer<byte[], byte[]> c, final int expected) {
        final Set<String> values = new HashSet<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (values.size() < expected && System.nanoTime() < deadline) {
            for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                values.add(new String(r.value()));
            }
        }
        return values;
    }

    private long committedTotal(final String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(OffsetAndMetadata::offset).sum();
    }

    @Test
    void autoCommitLandsByCloseAtTheLatest() throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = member("auto", Map.of("enable.auto.commit", "true",
                "auto.commit.interval.ms", "100"))) {
            c.subscribe(List.of(TOPIC));
            assertThat(readAll(c, RECORDS)).hasSize(RECORDS);
        }
        assertThat(committedTotal("auto")).isEqualTo(RECORDS);
    }

    @Test
    void commitAsyncCallsBackWithTheCommittedOffsets() throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = member("async", Map.of())) {
            c.subscribe(List.of(TOPIC));
            assertThat(readAll(c, RECORDS)).hasSize(RECORDS);
            final CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> done = new CompletableFuture<>();
            c.commitAsync((offsets, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(offsets);
                }
            });
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!done.isDone() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(50)); // callbacks run inside poll
            }
            assertThat(done.get(1, TimeUnit.SECONDS).values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .isEqualTo(RECORDS);
        }
        assertThat(committedTotal("async")).isEqualTo(RECORDS);
    }

    @Test
    void explicitOffsetsWithMetadataAndLag() throws Exception {
        final Map<TopicPartition, OffsetAndMetadata> explicit = Map.of(
                new TopicPartition(TOPIC, 0), new OffsetAndMetadata(5, "five"),
                new TopicPartition(TOPIC, 1), new OffsetAndMetadata(7, "seven"),
                new TopicPartition(TOPIC, 2), new OffsetAndMetadata(15, ""));
        try (KafkaConsumer<byte[], byte[]> c = member("explicit", Map.of())) {
            c.subscribe(List.of(TOPIC));
            assertThat(readAll(c, RECORDS)).hasSize(RECORDS);
            c.commitSync(explicit);
            assertThat(c.committed(explicit.keySet())).isEqualTo(explicit);

            // Lag as users compute it: end offsets minus committed offsets.
            final Map<TopicPartition, Long> end = c.endOffsets(explicit.keySet());
            long lag = 0;
            for (final TopicPartition tp : explicit.keySet()) {
                lag += end.get(tp) - explicit.get(tp).offset();
            }
            assertThat(lag).isEqualTo(RECORDS - 5 - 7 - 15);
        }
        final Map<TopicPartition, OffsetAndMetadata> seen =
                admin.listConsumerGroupOffsets("explicit").partitionsToOffsetAndMetadata().get();
        assertThat(seen).isEqualTo(explicit);

        // A new member of the group starts from the committed positions: exactly the lag is left to read.
        try (KafkaConsumer<byte[], byte[]> c = member("explicit", Map.of())) {
            c.subscribe(List.of(TOPIC));
            assertThat(readAll(c, RECORDS - 27)).hasSize(RECORDS - 27);
        }
    }

    @Test
    void standaloneConsumerCommitsWithoutJoining() throws Exception {
        try (KafkaConsumer<byte[], byte[]> c = member("standalone", Map.of())) {
            final TopicPartition tp = new TopicPartition(TOPIC, 1);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            assertThat(readAll(c, RECORDS / PARTITIONS)).hasSize(RECORDS / PARTITIONS);
            c.commitSync();
            assertThat(c.committed(Set.of(tp)).get(tp).offset()).isEqualTo(RECORDS / PARTITIONS);
        }
        assertThat(committedTotal("standalone")).isEqualTo(RECORDS / PARTITIONS);
    }

    @Test
    void deletingATopicDeletesItsCommittedOffsets() throws Exception {
        admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1))).all().get();
        try (KafkaConsumer<byte[], byte[]> c = member("deleting", Map.of())) {
            c.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(3),
                    new TopicPartition("doomed", 0), new OffsetAndMetadata(0)));
        }
        admin.deleteTopics(List.of("doomed")).all().get();
        assertThat(admin.listConsumerGroupOffsets("deleting").partitionsToOffsetAndMetadata().get())
                .containsOnlyKeys(new TopicPartition(TOPIC, 0));
        fjord.restart();
        try (Admin again = Clients.admin(fjord.bootstrapServers())) {
            assertThat(again.listConsumerGroupOffsets("deleting").partitionsToOffsetAndMetadata().get())
                    .containsOnlyKeys(new TopicPartition(TOPIC, 0));
        }
    }

    @Test
    void twoGroupsEachReadEveryRecord() throws Exception {
        try (KafkaConsumer<byte[], byte[]> a = member("broadcast-a", Map.of());
             KafkaConsumer<byte[], byte[]> b = member("broadcast-b", Map.of())) {
            a.subscribe(List.of(TOPIC));
            b.subscribe(List.of(TOPIC));
            assertThat(readAll(a, RECORDS)).hasSize(RECORDS);
            assertThat(readAll(b, RECORDS)).hasSize(RECORDS);
        }
    }
}
