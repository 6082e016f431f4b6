package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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

/** A broker process killed with SIGKILL keeps every acknowledged record; a torn segment tail is cut back. */
class DurabilityTest {
    private static final TopicPartition TP = new TopicPartition("durable", 0);
    private Path dataDir;

    @BeforeEach
    void createDir() throws IOException {
        dataDir = Files.createTempDirectory("fjord-durability-");
    }

    @AfterEach
    void deleteDir() throws IOException {
        try (Stream<Path> walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedRecordWhenTheBrokerIsKilled() throws Exception {
        final List<String> acknowledged = new ArrayList<>();
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            createTopic(broker.bootstrapServers());
            final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
            final KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrapServers(),
                    Map.of("linger.ms", "1", "delivery.timeout.ms", "5000", "request.timeout.ms", "2000"));
            for (int i = 0; acked.size() < 3000 && i < 1_000_000; i++) {
                final String value = "record-" + i;
                producer.send(new ProducerRecord<>(TP.topic(), 0, null, value.getBytes(StandardCharsets.UTF_8)),
                        (metadata, error) -> {
                            if (error == null) {
                                acked.add(value);
                            }
                        });
                if (i % 200 == 0) {
                    Thread.sleep(1);
                }
            }
            broker.kill(); // while the producer still has batches in flight
            producer.close(Duration.ofSeconds(10));
            acknowledged.addAll(acked);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(3000);

        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            final List<String> stored = readAll(broker.bootstrapServers());
            assertThat(stored).doesNotHaveDuplicates();
            assertThat(stored).containsAll(acknowledged);
            // Order: acknowledged records appear in the order they were sent.
            final List<String> storedAcked = new ArrayList<>(stored);
            storedAcked.retainAll(acknowledged);
            assertThat(storedAcked).isEqualTo(acknowledged.stream()
                    .sorted(Comparator.comparingInt(v -> Integer.parseInt(v.substring(7)))).toList());
        }
    }

    @Test
    void shouldCutATornLastBatchAndKeepTheWholeOnes() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            createTopic(broker.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
                for (int i = 0; i < 10; i++) {
                    // One record per batch: send and wait.
                    producer.send(new ProducerRecord<>(TP.topic(), 0, null, ("whole-" + i).getBytes(StandardCharsets.UTF_8)))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            broker.kill();
        }
        final Path segment = dataDir.resolve("durable-0").resolve("00000000000000000000.log");
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7); // cuts into the last batch
        }
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            final List<String> stored = readAll(broker.bootstrapServers());
            assertThat(stored).containsExactly("whole-0", "whole-1", "whole-2", "whole-3", "whole-4", "whole-5",
                    "whole-6", "whole-7", "whole-8");
            try (KafkaProducer<byte[], byte[]> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
                final long offset = producer.send(new ProducerRecord<>(TP.topic(), 0, null, "after".getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS).offset();
                assertThat(offset).isEqualTo(9);
            }
            broker.stop();
        }
        // SIGTERM ran the clean shutdown: the partition says so, and its next start needs no recovery.
        assertThat(dataDir.resolve("durable-0").resolve(".clean-shutdown")).exists();
        try (BrokerProcess broker = BrokerProcess.start(dataDir)) {
            assertThat(readAll(broker.bootstrapServers())).hasSize(10).endsWith("after");
        }
    }

    private static void createTopic(final String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1))).all().get();
        }
    }

    private static List<String> readAll(final String bootstrap) {
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(bootstrap, Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            final long end = consumer.endOffsets(List.of(TP)).get(TP);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumer.position(TP) < end && System.nanoTime() < deadline) {
                for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}
