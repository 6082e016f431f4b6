package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exactly-once with real kafka-clients: transactional producers, read_committed consumers, fencing. */
class TransactionsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private EmbeddedFjord fjord;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.builder().config("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200").start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("in", 2, (short) 1), new NewTopic("out", 2, (short) 1),
                    new NewTopic("txn", 2, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stop() {
        fjord.close();
    }

    private KafkaProducer<byte[], byte[]> transactional(final String id, final int timeoutMs) {
        return Clients.producer(fjord.bootstrapServers(), Map.of("transactional.id", id,
                "transaction.timeout.ms", timeoutMs, "max.block.ms", 20_000));
    }

    private KafkaConsumer<byte[], byte[]> consumer(final IsolationLevel isolation, final String group) {
        final Map<String, Object> props = new HashMap<>(Map.of("isolation.level", isolation.toString(),
                "auto.offset.reset", "earliest"));
        if (group != null) {
            props.put("group.id", group);
        }
        return Clients.consumer(fjord.bootstrapServers(), props);
    }

    private static ProducerRecord<byte[], byte[]> rec(final String topic, final int partition, final String value) {
        return new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads both partitions of {@code topic} from the start until the end offsets (for that isolation level). */
    private List<String> readAll(final String topic, final IsolationLevel isolation) throws Exception {
        final List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
        final List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(isolation, null)) {
            for (final ConsumerRecord<byte[], byte[]> r : Clients.readToEnd(c, tps, DEADLINE)) {
                out.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void shouldShowCommittedRecordsOnlyToReadCommittedConsumers() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = transactional("commit-abort", 60_000)) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 15; i++) {
                p.send(rec("txn", i % 2, "committed-" + i));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 10; i++) {
                p.send(rec("txn", i % 2, "aborted-" + i));
            }
            p.flush();
            p.abortTransaction();
        }
        final List<String> committed = readAll("txn", IsolationLevel.READ_COMMITTED);
        assertThat(committed).hasSize(15).allMatch(v -> v.startsWith("committed-"));
        assertThat(readAll("txn", IsolationLevel.READ_UNCOMMITTED)).hasSize(25);
    }

    @Test
    void shouldStopReadCommittedConsumersAtAnOpenTransaction() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = transactional("open", 60_000);
             Admin admin = Clients.admin(fjord.bootstrapServers())) {
            p.initTransactions();
            p.beginTransaction();
            p.send(rec("txn", 0, "open-0")).get();
            final TopicPartition tp = new TopicPartition("txn", 0);
            final ListOffsetsResult committedEnd = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                    new ListOffsetsOptions(IsolationLevel.READ_COMMITTED));
            assertThat(committedEnd.partitionResult(tp).get().offset()).isZero();
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(1);

            final TransactionDescription d = admin.describeTransactions(List.of("open")).description("open").get();
            assertThat(d.state().toString()).isEqualToIgnoringCase("Ongoing");
            assertThat(d.topicPartitions()).contains(tp);
            assertThat(admin.listTransactions().all().get()).extracting(TransactionListing::transactionalId).contains("open");
            p.commitTransaction();
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get().offset()).isEqualTo(2);
        }
    }

    @Test
    void shouldTransformEachInputRecordExactlyOnceWithOffsetsInTheTransaction() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 40; i++) {
                p.send(rec("in", i % 2, "in-" + i));
            }
        }
        try (KafkaProducer<byte[], byte[]> p = transactional("ctp", 60_000);
             KafkaConsumer<byte[], byte[]> c = consumer(IsolationLevel.READ_COMMITTED, "ctp-group")) {
            p.initTransactions();
            c.subscribe(List.of("in"));
            int seen = 0;
            int round = 0;
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (seen < 40) {
                assertThat(System.nanoTime()).as("consumed all input in time").isLessThan(deadline);
                final ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    continue;
                }
                p.beginTransaction();
                final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (final ConsumerRecord<byte[], byte[]> r : batch) {
                    p.send(rec("out", r.partition(), "out-" + new String(r.value(), StandardCharsets.UTF_8)));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                p.sendOffsetsToTransaction(offsets, c.groupMetadata());
                if (round++ == 0) {
                    // The first round is aborted: its output must vanish and its input be consumed again.
                    p.abortTransaction();
                    for (final TopicPartition tp : batch.partitions()) {
                        c.seek(tp, batch.records(tp).get(0).offset());
                    }
                    continue;
                }
                p.commitTransaction();
                seen += batch.count();
            }
        }
        final List<String> out = readAll("out", IsolationLevel.READ_COMMITTED);
        assertThat(out).hasSize(40).doesNotHaveDuplicates();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            final Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("ctp-group").partitionsToOffsetAndMetadata().get();
            assertThat(committed.get(new TopicPartition("in", 0)).offset()).isEqualTo(20);
            assertThat(committed.get(new TopicPartition("in", 1)).offset()).isEqualTo(20);
        }
    }

    @Test
    void shouldFenceTheFirstProducerWhenASecondOneUsesTheSameTransactionalId() throws Exception {
        try (KafkaProducer<byte[], byte[]> first = transactional("zombie", 60_000);
             KafkaProducer<byte[], byte[]> second = transactional("zombie", 60_000)) {
            first.initTransactions();
            first.beginTransaction();
            first.send(rec("txn", 0, "from-zombie")).get();
            second.initTransactions(); // aborts the zombie's open transaction
            second.beginTransaction();
            second.send(rec("txn", 1, "from-second")).get();
            second.commitTransaction();
            // As with Kafka: the zombie's next batch is refused for its stale epoch, and ending its
            // transaction tells it that it was fenced.
            assertThatThrownBy(() -> first.send(rec("txn", 0, "late")).get())
                    .hasCauseInstanceOf(InvalidProducerEpochException.class);
            assertThatThrownBy(first::abortTransaction).isInstanceOf(ProducerFencedException.class);
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactly("from-second");

        // A zombie whose last send came before the fence: its commit is refused, and what it wrote stays invisible.
        try (KafkaProducer<byte[], byte[]> zombie = transactional("zombie-commit", 60_000);
             KafkaProducer<byte[], byte[]> successor = transactional("zombie-commit", 60_000)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(rec("txn", 1, "zombie-before-fence")).get();
            successor.initTransactions();
            assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactly("from-second");
    }

    @Test
    void shouldAbortAnAbandonedTransactionAfterItsTimeout() throws Exception {
        final TopicPartition tp = new TopicPartition("txn", 0);
        try (KafkaProducer<byte[], byte[]> p = transactional("abandoned", 1_000);
             Admin admin = Clients.admin(fjord.bootstrapServers())) {
            p.initTransactions();
            p.beginTransaction();
            p.send(rec("txn", 0, "never-committed")).get();
            await("the timed-out transaction to be aborted", () -> describeState(admin, "abandoned").equals("CompleteAbort"));
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get().offset()).isEqualTo(2); // the record and the ABORT marker
            assertThatThrownBy(p::commitTransaction).isInstanceOf(KafkaException.class);
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).isEmpty();
        assertThat(readAll("txn", IsolationLevel.READ_UNCOMMITTED)).containsExactly("never-committed");
    }

    @Test
    void anOpenTransactionSurvivesABrokerRestartThenCommitsOrTimesOut() throws Exception {
        final TopicPartition tp = new TopicPartition("txn", 0);
        // The producer outlives the broker's restart and commits what it wrote on both sides of it.
        try (KafkaProducer<byte[], byte[]> p = transactional("survivor", 60_000)) {
            p.initTransactions();
            p.beginTransaction();
            p.send(rec("txn", 0, "before-restart")).get();
            fjord.restart();
            p.send(rec("txn", 0, "after-restart")).get();
            p.commitTransaction();
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactly("before-restart", "after-restart");

        // A transaction whose producer is gone when the broker restarts is aborted by its timeout, and
        // read_committed readers are not left behind its last stable offset.
        final KafkaProducer<byte[], byte[]> gone = transactional("gone-at-restart", 2_000);
        gone.initTransactions();
        gone.beginTransaction();
        gone.send(rec("txn", 0, "abandoned")).get();
        gone.close(Duration.ZERO);
        fjord.restart();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            await("the abandoned transaction to be aborted after the restart",
                    () -> describeState(admin, "gone-at-restart").equals("CompleteAbort"));
            final long latest = admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get().offset()).isEqualTo(latest);
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactly("before-restart", "after-restart");
    }

    private static String describeState(final Admin admin, final String id) {
        try {
            return admin.describeTransactions(List.of(id)).description(id).get().state().toString()
                    .replace("_", "").toLowerCase(java.util.Locale.ROOT).equals("completeabort") ? "CompleteAbort" : "other";
        } catch (Exception e) {
            return "unknown";
        }
    }

    @Test
    void shouldKeepCommittedDataAndCompleteOpenTransactionsAcrossARestart() throws Exception {
        final KafkaProducer<byte[], byte[]> crashed = transactional("restart", 60_000);
        crashed.initTransactions();
        crashed.beginTransaction();
        crashed.send(rec("txn", 0, "committed-before"));
        crashed.commitTransaction();
        crashed.beginTransaction();
        crashed.send(rec("txn", 0, "open-at-restart")).get();
        // A forced close does not abort: the transaction is still open when the broker restarts.
        crashed.close(Duration.ZERO);
        fjord.restart();
        // The open transaction still holds back read_committed readers.
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            final TopicPartition tp = new TopicPartition("txn", 0);
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get().offset()).isEqualTo(2);
        }
        // A new instance aborts it, then commits its own.
        try (KafkaProducer<byte[], byte[]> p = transactional("restart", 60_000)) {
            p.initTransactions();
            p.beginTransaction();
            p.send(rec("txn", 1, "committed-after"));
            p.commitTransaction();
        }
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrder("committed-before", "committed-after");
        fjord.restart();
        assertThat(readAll("txn", IsolationLevel.READ_COMMITTED)).containsExactlyInAnyOrder("committed-before", "committed-after");
        assertThat(readAll("txn", IsolationLevel.READ_UNCOMMITTED)).hasSize(3);
    }

    @Test
    void shouldForgetATransactionalIdAfterTransactionalIdExpiration() throws Exception {
        try (EmbeddedFjord brief = EmbeddedFjord.builder().config("transactional.id.expiration.ms", "1500")
                .config("transaction.remove.expired.transaction.cleanup.interval.ms", "100").start();
             Admin admin = Clients.admin(brief.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("expiring", 1, (short) 1))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(brief.bootstrapServers(),
                    Map.of("transactional.id", "short-lived"))) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("expiring", "v".getBytes(StandardCharsets.UTF_8)));
                producer.commitTransaction();
            }
            assertThat(admin.listTransactions().all().get()).extracting(t -> t.transactionalId()).contains("short-lived");

            await("short-lived forgotten", () -> {
                try {
                    return admin.listTransactions().all().get().stream().noneMatch(t -> t.transactionalId().equals("short-lived"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> admin.describeTransactions(List.of("short-lived")).all().get())
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TransactionalIdNotFoundException.class);
        }
    }
}
