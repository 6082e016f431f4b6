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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Producers with Kafka's defaults (idempotent, acks=all) and assign+seek consumers against one broker. */
class ProduceConsumeTest {
    private static final long BASE_TIME = 1_700_000_000_000L;
    private static EmbeddedFjord fjord;
    private static Admin admin;

    @BeforeAll
    static void start() {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
    }

    @AfterAll
    static void stop() {
        admin.close();
        fjord.close();
    }

    /** What the producer sent and where the broker said it went. */
    private record Sent(ProducerRecord<byte[], byte[]> record, RecordMetadata metadata) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldReadBackEveryRecordByteIdenticalWhenProducedWithCodec(final String codec) throws Exception {
        final String topic = "codec-" + codec;
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        final List<Sent> sent = produce(topic, 600, Map.of("compression.type", codec, "linger.ms", "5"));

        final Map<TopicPartition, List<Sent>> byPartition = new HashMap<>();
        for (final Sent s : sent) {
            byPartition.computeIfAbsent(new TopicPartition(topic, s.metadata.partition()), k -> new ArrayList<>()).add(s);
        }
        assertThat(byPartition).hasSize(3);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of())) {
            consumer.assign(byPartition.keySet());
            byPartition.keySet().forEach(tp -> consumer.seek(tp, 0));
            final List<ConsumerRecord<byte[], byte[]>> got = poll(consumer, sent.size());
            final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> gotByPartition = new HashMap<>();
            for (final ConsumerRecord<byte[], byte[]> r : got) {
                gotByPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
            }
            for (final Map.Entry<TopicPartition, List<Sent>> e : byPartition.entrySet()) {
                final List<Sent> expected = e.getValue();
                final List<ConsumerRecord<byte[], byte[]>> actual = gotByPartition.get(e.getKey());
                assertThat(actual).hasSameSizeAs(expected);
                for (int i = 0; i < expected.size(); i++) {
                    final ProducerRecord<byte[], byte[]> want = expected.get(i).record;
                    final ConsumerRecord<byte[], byte[]> have = actual.get(i);
                    assertThat(have.offset()).isEqualTo(i).isEqualTo(expected.get(i).metadata.offset());
                    assertThat(have.key()).isEqualTo(want.key());
                    assertThat(have.value()).isEqualTo(want.value());
                    assertThat(have.timestamp()).isEqualTo(want.timestamp());
                    assertThat(have.headers().toArray()).containsExactly(want.headers().toArray());
                }
            }
        }
    }

    @Test
    void shouldSendTheSameKeyToTheSamePartition() throws Exception {
        admin.createTopics(List.of(new NewTopic("keyed", 4, (short) 1))).all().get();
        final List<Sent> sent = produce("keyed", 200, Map.of());
        final Map<String, Integer> partitionOfKey = new HashMap<>();
        for (final Sent s : sent) {
            final String key = new String(s.record.key(), StandardCharsets.UTF_8);
            assertThat(partitionOfKey.computeIfAbsent(key, k -> s.metadata.partition())).isEqualTo(s.metadata.partition());
        }
    }

    @Test
    void shouldAnswerOffsetsForTimesAndEndOffsets() throws Exception {
        admin.createTopics(List.of(new NewTopic("times", 1, (short) 1))).all().get();
        produce("times", 300, Map.of("batch.size", "2048"));
        final TopicPartition tp = new TopicPartition("times", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of())) {
            assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 300L);
            assertThat(consumer.beginningOffsets(List.of(tp))).containsEntry(tp, 0L);
            // Record i has timestamp BASE_TIME + 10 * i.
            final Map<TopicPartition, OffsetAndTimestamp> found =
                    consumer.offsetsForTimes(Map.of(tp, BASE_TIME + 10 * 123 - 5));
            assertThat(found.get(tp).offset()).isEqualTo(123);
            assertThat(found.get(tp).timestamp()).isEqualTo(BASE_TIME + 10 * 123);
            assertThat(consumer.offsetsForTimes(Map.of(tp, BASE_TIME)).get(tp).offset()).isZero();
            assertThat(consumer.offsetsForTimes(Map.of(tp, BASE_TIME + 10 * 1000)).get(tp)).isNull();
        }
        final var latest = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.maxTimestamp()))
                .partitionResult(tp).get();
        assertThat(latest.offset()).isEqualTo(299);
        assertThat(latest.timestamp()).isEqualTo(BASE_TIME + 10 * 299);
    }

    @Test
    void shouldAnswerALongPollAsSoonAsDataArrives() throws Exception {
        admin.createTopics(List.of(new NewTopic("long-poll", 1, (short) 1))).all().get();
        final TopicPartition tp = new TopicPartition("long-poll", 0);
        // The fetch may wait two minutes: if the broker did not wake it on append, poll would return empty.
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(),
                Map.of("fetch.max.wait.ms", "120000", "request.timeout.ms", "180000"))) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            final CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                for (int i = 0; i < 3 && n == 0; i++) {
                    n = consumer.poll(Duration.ofSeconds(20)).count();
                }
                return n;
            });
            Thread.sleep(500); // let the consumer park its fetch at the broker first
            produce("long-poll", 1, Map.of());
            assertThat(polled.get(60, TimeUnit.SECONDS)).isEqualTo(1);
            // The consumer's next fetch is parked for two minutes; closing need not wait for it.
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private static List<Sent> produce(final String topic, final int count, final Map<String, Object> config)
            throws Exception {
        final Random random = new Random(count);
        final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        final List<Future<RecordMetadata>> futures = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(), config)) {
            for (int i = 0; i < count; i++) {
                final byte[] value = new byte[random.nextInt(2000)];
                random.nextBytes(value);
                final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, BASE_TIME + 10L * i,
                        ("key-" + (i % 17)).getBytes(StandardCharsets.UTF_8), value,
                        List.of(new RecordHeader("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8))));
                records.add(record);
                futures.add(producer.send(record));
            }
            producer.flush();
        }
        final List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(new Sent(records.get(i), futures.get(i).get()));
        }
        return sent;
    }

    private static List<ConsumerRecord<byte[], byte[]>> poll(final KafkaConsumer<byte[], byte[]> consumer, final int count) {
        final List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (got.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(500)).forEach(got::add);
        }
        return got;
    }

}
