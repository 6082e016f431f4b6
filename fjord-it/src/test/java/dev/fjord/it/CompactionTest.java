package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A compacted topic over real sockets: small segments rolled quickly, a cleaner that runs every 200 ms, and
 * a consumer from offset 0 that ends up seeing exactly the latest value of each key at its original offset.
 */
class CompactionTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final String FILLER = "filler";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private EmbeddedFjord fjord;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.builder()
                .config("log.cleaner.backoff.ms", "200")
                .config("log.retention.check.interval.ms", "200")
                // Also rolls __consumer_offsets and __transaction_state quickly, so that they are compacted too.
                .config("log.roll.ms", "300")
                .start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact",
                    "segment.bytes", "2048",
                    "segment.ms", "300",
                    "min.cleanable.dirty.ratio", "0.01",
                    "delete.retention.ms", "1500",
                    "file.delete.delay.ms", "0")))).all().get();
        }
    }

    @AfterEach
    void stop() {
        fjord.close();
    }

    private static byte[] b(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private record Seen(long offset, String value) {
    }

    /** Every record of the partition from offset 0, in order, by key (the filler key left out). */
    private List<Map.Entry<String, Seen>> readFromStart() {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, 0);
            final long end = consumer.endOffsets(List.of(TP)).get(TP);
            final List<Map.Entry<String, Seen>> out = new ArrayList<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (consumer.position(TP) < end && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (!key.equals(FILLER)) {
                        out.add(Map.entry(key, new Seen(r.offset(),
                                r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8))));
                    }
                }
            }
            assertThat(consumer.position(TP)).as("read up to the end offset").isGreaterThanOrEqualTo(end);
            return out;
        }
    }

    /** Appends a filler record (so that the segment holding the last real records gets rolled) until the condition holds. */
    private void awaitWithFiller(final KafkaProducer<byte[], byte[]> producer, final Supplier<Boolean> condition)
            throws Exception {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.get()) {
            assertThat(System.nanoTime()).as("compaction within " + DEADLINE).isLessThan(deadline);
            producer.send(new ProducerRecord<>(TP.topic(), 0, b(FILLER), b("f"))).get();
            Thread.sleep(200);
        }
    }

    @Test
    void shouldLeaveTheLatestValueOfEachKeyAtItsOriginalOffsetAndDropDeletedKeys() throws Exception {
        final Map<String, Seen> expected = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(),
                Map.of("linger.ms", "0", "batch.size", "200"))) {
            for (int round = 0; round < 30; round++) {
                for (int k = 0; k < 20; k++) {
                    final String key = "key-" + k;
                    final String value = "value-" + k + "-" + round;
                    final RecordMetadata md = producer.send(new ProducerRecord<>(TP.topic(), 0, b(key), b(value))).get();
                    expected.put(key, new Seen(md.offset(), value));
                }
            }
            for (int k = 0; k < 5; k++) {
                producer.send(new ProducerRecord<>(TP.topic(), 0, b("key-" + k), null)).get();
                expected.remove("key-" + k);
            }
            // A record without a key is refused on a compacted topic.
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TP.topic(), 0, null, b("no key"))).get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("Compacted topic cannot accept message without key in topic partition compacted-0");

            final List<Map.Entry<String, Seen>> latest = new ArrayList<>(expected.entrySet());
            awaitWithFiller(producer, () -> readFromStart().equals(latest));
        }
        assertThat(readFromStart()).hasSize(15);

        fjord.restart();
        assertThat(readFromStart()).containsExactlyElementsOf(expected.entrySet());
    }

    @Test
    void shouldKeepCommittedOffsetsAndTransactionsWhenTheInternalTopicsAreCompacted() throws Exception {
        final String group = "compaction-group";
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(),
                Map.of("linger.ms", "0"));
             KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of("group.id", group))) {
            producer.send(new ProducerRecord<>(TP.topic(), 0, b("k"), b("v"))).get();
            consumer.assign(List.of(TP));
            // Many commits of the same key, spread over several segments of the group's offsets partition.
            long committed = 0;
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!compacted("__consumer_offsets")) {
                assertThat(System.nanoTime()).as("__consumer_offsets compacted within " + DEADLINE).isLessThan(deadline);
                committed++;
                consumer.commitSync(Map.of(TP, new OffsetAndMetadata(committed % 2 == 0 ? 1 : 0, "m" + committed)));
                Thread.sleep(100);
            }
            consumer.commitSync(Map.of(TP, new OffsetAndMetadata(1, "final")));
        }
        // Transactions: committed records stay, aborted ones never show, and __transaction_state gets compacted.
        final Map<String, Object> txnConfig = Map.of("transactional.id", "compaction-txn", "linger.ms", "0");
        try (KafkaProducer<byte[], byte[]> txn = Clients.producer(fjord.bootstrapServers(), txnConfig)) {
            txn.initTransactions();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            int n = 0;
            while (!compacted("__transaction_state") || n < 4) {
                assertThat(System.nanoTime()).as("__transaction_state compacted within " + DEADLINE).isLessThan(deadline);
                txn.beginTransaction();
                txn.send(new ProducerRecord<>(TP.topic(), 0, b("txn-key"), b("committed-" + n))).get();
                txn.commitTransaction();
                txn.beginTransaction();
                txn.send(new ProducerRecord<>(TP.topic(), 0, b("txn-key"), b("aborted-" + n))).get();
                txn.abortTransaction();
                n++;
                Thread.sleep(100);
            }
            final String last = "committed-" + (n - 1);
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of("linger.ms", "0"))) {
                awaitWithFiller(producer, () -> readCommitted().equals(Map.of("k", "v", "txn-key", last)));
            }
        }

        fjord.restart();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of("group.id", group))) {
            final OffsetAndMetadata offset = consumer.committed(java.util.Set.of(TP)).get(TP);
            assertThat(offset.offset()).isEqualTo(1);
            assertThat(offset.metadata()).isEqualTo("final");
        }
        // The transaction coordinator rebuilt its state: the same transactional id starts again and commits.
        try (KafkaProducer<byte[], byte[]> txn = Clients.producer(fjord.bootstrapServers(), txnConfig)) {
            txn.initTransactions();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>(TP.topic(), 0, b("txn-key"), b("after-restart"))).get();
            txn.commitTransaction();
        }
        assertThat(readCommitted()).containsEntry("txn-key", "after-restart");
    }

    /** The latest value per key as a read_committed consumer sees it, filler left out. */
    private Map<String, String> readCommitted() {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(),
                Map.of("isolation.level", "read_committed"))) {
            consumer.assign(List.of(TP));
            consumer.seek(TP, 0);
            final long end = consumer.endOffsets(List.of(TP)).get(TP);
            final Map<String, String> out = new LinkedHashMap<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (consumer.position(TP) < end && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    final String key = new String(r.key(), StandardCharsets.UTF_8);
                    assertThat(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8)).doesNotStartWith("aborted");
                    if (!key.equals(FILLER)) {
                        out.put(key, r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            return out;
        }
    }

    /** Whether a partition of an internal topic was compacted over its first 20 offsets at least. */
    private boolean compacted(final String topic) throws Exception {
        try (Stream<Path> dirs = Files.list(fjord.dataDir())) {
            for (final Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(topic + "-")).toList()) {
                final Path checkpoint = dir.resolve("cleaner-offset-checkpoint");
                if (Files.exists(checkpoint) && Long.parseLong(Files.readString(checkpoint).trim()) >= 20) {
                    return true;
                }
            }
        }
        return false;
    }
}
