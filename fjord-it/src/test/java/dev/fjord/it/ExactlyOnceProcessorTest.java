package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A consume-transform-produce processor with {@code sendOffsetsToTransaction}, as Kafka's exactly-once
 * documentation describes it: 10,000 input records, a tenth of the transactions aborted at random, and the
 * processor crashing (abandoning its open transaction and its consumer position) and being restarted in the
 * middle. A read_committed reader of the output sees every input transformed exactly once, in order per
 * key; a read_uncommitted reader also sees what the aborted transactions wrote.
 */
class ExactlyOnceProcessorTest {
    private static final int RECORDS = 10_000;
    private static final int KEYS = 50;
    private static final int PARTITIONS = 3;
    private static final String GROUP = "eos-processor";
    private static final String TXN_ID = "eos-processor-1";

    private EmbeddedFjord fjord;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("eos-in", PARTITIONS, (short) 1),
                    new NewTopic("eos-out", PARTITIONS, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                p.send(new ProducerRecord<>("eos-in", key(i % KEYS), Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            }
            p.flush();
        }
    }

    @AfterEach
    void stop() {
        fjord.close();
    }

    private static byte[] key(final int k) {
        return ("key-" + k).getBytes(StandardCharsets.UTF_8);
    }

    /** One incarnation of the processor: its consumer and its transactional producer. */
    private final class Processor implements AutoCloseable {
        final KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of(
                "group.id", GROUP, "isolation.level", "read_committed", "auto.offset.reset", "earliest",
                "max.poll.records", "250", "heartbeat.interval.ms", "200", "session.timeout.ms", "6000"));
        final KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), Map.of(
                "transactional.id", TXN_ID, "transaction.timeout.ms", "60000", "max.block.ms", "30000"));

        Processor() {
            producer.initTransactions();
            consumer.subscribe(List.of("eos-in"));
        }

        /** Processes one poll's records in one transaction; returns how many records it committed. */
        int step(final boolean abort, final boolean crashInTheMiddle) {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            if (records.isEmpty()) {
                return 0;
            }
            producer.beginTransaction();
            final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>("eos-out", r.key(),
                        ("T" + new String(r.value(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
                next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            producer.flush();
            if (crashInTheMiddle) {
                return -1; // the transaction stays open; nothing more happens in this incarnation
            }
            producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
            if (abort) {
                producer.abortTransaction();
                rewindToCommitted();
                return 0;
            }
            producer.commitTransaction();
            return records.count();
        }

        /** After an abort, the records of the aborted transaction are processed again. */
        private void rewindToCommitted() {
            final Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(consumer.assignment());
            for (final TopicPartition tp : consumer.assignment()) {
                final OffsetAndMetadata c = committed.get(tp);
                if (c == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, c.offset());
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static long committedInput(final Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(OffsetAndMetadata::offset).sum();
    }

    @Test
    void everyInputIsTransformedExactlyOnceThroughAbortsAndACrash() throws Exception {
        final Random random = new Random(7);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int aborts = 0;
        Processor processor = new Processor();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            boolean crashed = false;
            for (long committed = 0; committed < RECORDS; committed = committedInput(admin)) {
                assertThat(System.nanoTime()).as("processing finished in time").isLessThan(deadline);
                final boolean crash = !crashed && committed >= RECORDS / 2;
                final boolean abort = !crash && random.nextInt(10) == 0;
                final int done = processor.step(abort, crash);
                if (abort) {
                    aborts++;
                }
                if (done < 0) {
                    // The crash: this incarnation just stops (its consumer leaves without committing, its producer
                    // keeps its transaction open). The new incarnation fences it and resumes from the commits.
                    crashed = true;
                    final Processor dead = processor;
                    dead.consumer.close(Duration.ZERO);
                    processor = new Processor();
                    dead.producer.close(Duration.ZERO);
                }
            }
            assertThat(crashed).isTrue();
        } finally {
            processor.close();
        }
        assertThat(aborts).isGreaterThan(0);

        final Map<String, List<Integer>> committed = readOutput(IsolationLevel.READ_COMMITTED);
        final List<Integer> all = new ArrayList<>();
        committed.values().forEach(all::addAll);
        assertThat(all).hasSize(RECORDS).doesNotHaveDuplicates();
        for (final Map.Entry<String, List<Integer>> e : committed.entrySet()) {
            assertThat(e.getValue()).as("values of %s in order", e.getKey()).isSorted();
        }

        final Map<String, List<Integer>> uncommitted = readOutput(IsolationLevel.READ_UNCOMMITTED);
        final int seenUncommitted = uncommitted.values().stream().mapToInt(List::size).sum();
        assertThat(seenUncommitted).as("read_uncommitted also sees the aborted and abandoned writes")
                .isGreaterThan(RECORDS);
    }

    /** The output per key, as a consumer with this isolation level reads it from the start. */
    private Map<String, List<Integer>> readOutput(final IsolationLevel isolation) {
        final Map<String, List<Integer>> byKey = new TreeMap<>();
        final List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition("eos-out", p));
        }
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(fjord.bootstrapServers(),
                Map.of("isolation.level", isolation.toString()))) {
            for (final ConsumerRecord<byte[], byte[]> r : Clients.readToEnd(c, tps, Duration.ofSeconds(60))) {
                final String value = new String(r.value(), StandardCharsets.UTF_8);
                byKey.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(Integer.parseInt(value.substring(1)));
            }
        }
        return byKey;
    }
}
