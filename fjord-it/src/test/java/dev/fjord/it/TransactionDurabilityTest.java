package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions across a SIGKILL: the committed one stays visible to read_committed readers, the open one
 * keeps holding them back after recovery, and a new instance of the producer aborts it.
 */
class TransactionDurabilityTest {
    private static final TopicPartition TP = new TopicPartition("txn-durable", 0);
    private static final String[] SMALL_INTERNAL_TOPICS = {
        "offsets.topic.num.partitions=3", "transaction.state.log.num.partitions=3"};
    private Path dataDir;

    @BeforeEach
    void createDir() throws Exception {
        dataDir = Files.createTempDirectory("fjord-txn-durability-");
    }

    @AfterEach
    void deleteDir() throws Exception {
        try (Stream<Path> walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(final String bootstrap) {
        return Clients.producer(bootstrap, Map.of("transactional.id", "durable", "max.block.ms", 20_000));
    }

    private static ProducerRecord<byte[], byte[]> rec(final String value) {
        return new ProducerRecord<>(TP.topic(), 0, null, value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldKeepCommittedTransactionsAndAbortTheOpenOneAfterAKill() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dataDir, SMALL_INTERNAL_TOPICS)) {
            try (Admin admin = Clients.admin(broker.bootstrapServers())) {
                admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1))).all().get();
            }
            final KafkaProducer<byte[], byte[]> p = producer(broker.bootstrapServers());
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 10; i++) {
                p.send(rec("committed-" + i));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 5; i++) {
                p.send(rec("open-" + i));
            }
            p.flush();
            broker.kill();
            p.close(Duration.ZERO);
        }
        try (BrokerProcess broker = BrokerProcess.start(dataDir, SMALL_INTERNAL_TOPICS)) {
            // 10 records and the COMMIT marker are stable; the open transaction starts at 11.
            assertThat(read(broker.bootstrapServers(), "read_committed")).hasSize(10).allMatch(v -> v.startsWith("committed-"));
            try (KafkaProducer<byte[], byte[]> p = producer(broker.bootstrapServers())) {
                p.initTransactions(); // aborts the open transaction left by the killed broker's client
            }
            assertThat(read(broker.bootstrapServers(), "read_committed")).hasSize(10).allMatch(v -> v.startsWith("committed-"));
            assertThat(read(broker.bootstrapServers(), "read_uncommitted")).hasSize(15);
        }
    }

    /** Every record up to the end offset for the isolation level. */
    private static List<String> read(final String bootstrap, final String isolation) throws Exception {
        final List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, Map.of("isolation.level", isolation))) {
            c.assign(List.of(TP));
            c.seekToBeginning(List.of(TP));
            final long end = c.endOffsets(List.of(TP)).get(TP);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (c.position(TP) < end) {
                assertThat(System.nanoTime()).as("read up to %d in time", end).isLessThan(deadline);
                for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
