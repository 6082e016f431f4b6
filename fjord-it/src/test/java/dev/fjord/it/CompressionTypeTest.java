package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Topic compression.type with real clients: the broker stores batches in the topic's codec, whatever the producer sent. */
class CompressionTypeTest {
    private static final String TOPIC = "recompressed";
    private static final long BASE_TIME = 1_700_000_000_000L;
    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() {
        fjord = EmbeddedFjord.start();
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

    private static ProducerRecord<byte[], byte[]> record(final int i) {
        final ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(TOPIC, 0, BASE_TIME + i,
                ("key-" + i).getBytes(StandardCharsets.UTF_8),
                ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8));
        r.headers().add(new RecordHeader("h", ("hv-" + i).getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private void produce(final int from, final int to) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(),
                Map.of("compression.type", "gzip", "linger.ms", "5"))) {
            final List<Future<?>> acks = new ArrayList<>();
            for (int i = from; i < to; i++) {
                acks.add(producer.send(record(i)));
            }
            for (final Future<?> ack : acks) {
                ack.get();
            }
        }
    }

    /** Every record of the partition, read from offset 0 until {@code count} arrived. */
    private List<ConsumerRecord<byte[], byte[]>> consumeAll(final int count) {
        final TopicPartition tp = new TopicPartition(TOPIC, 0);
        final List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(fjord.bootstrapServers(), Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        return got;
    }

    private static void assertSame(final List<ConsumerRecord<byte[], byte[]>> got, final int count) {
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            final ProducerRecord<byte[], byte[]> want = record(i);
            final ConsumerRecord<byte[], byte[]> have = got.get(i);
            assertThat(have.offset()).isEqualTo(i);
            assertThat(have.key()).isEqualTo(want.key());
            assertThat(have.value()).isEqualTo(want.value());
            assertThat(have.timestamp()).isEqualTo(want.timestamp());
            assertThat(have.headers().toArray()).containsExactly(want.headers().toArray());
        }
    }

    /** The header of every stored batch in offset order, read from the partition's segment files. */
    private List<Header> headers() throws Exception {
        final List<Path> segments;
        try (Stream<Path> files = Files.list(fjord.dataDir().resolve(TOPIC + "-0"))) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        final List<Header> out = new ArrayList<>();
        for (final Path segment : segments) {
            try (FileRecords records = FileRecords.open(segment.toFile())) {
                for (final RecordBatch batch : records.batches()) {
                    batch.ensureValid();
                    // Copied out of the batch: the file is closed after this loop.
                    out.add(new Header(batch.baseOffset(), batch.lastOffset(), batch.compressionType(), batch.producerId()));
                }
            }
        }
        return out;
    }

    /** The header fields of a stored batch the test looks at. */
    private record Header(long baseOffset, long lastOffset, CompressionType codec, long producerId) {
    }

    @Test
    void shouldStoreTheTopicsCodecAndFollowALiveChangeOfIt() throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("compression.type", "zstd"))))
                .all().get();

        produce(0, 200);

        assertSame(consumeAll(200), 200);
        final List<Header> zstd = headers();
        assertThat(zstd).isNotEmpty();
        assertThat(zstd).extracting(Header::codec).containsOnly(CompressionType.ZSTD);
        assertThat(zstd).extracting(Header::producerId).as("idempotent producer batches keep their producer id")
                .allMatch(id -> id >= 0);
        assertThat(zstd.get(zstd.size() - 1).lastOffset()).isEqualTo(199);

        admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                new AlterConfigOp(new ConfigEntry("compression.type", "uncompressed"), AlterConfigOp.OpType.SET))))
                .all().get();
        produce(200, 300);

        assertSame(consumeAll(300), 300);
        final List<Header> all = headers();
        for (final Header h : all) {
            assertThat(h.codec()).as("batch at %d", h.baseOffset())
                    .isEqualTo(h.baseOffset() < 200 ? CompressionType.ZSTD : CompressionType.NONE);
        }
        assertThat(all.get(all.size() - 1).lastOffset()).isEqualTo(299);
    }

    @Test
    void shouldRefuseZstdBatchesInProduceRequestsOlderThanV7() throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final ProduceResponseData v6 = ((ProduceResponse) c.send(ApiKeys.PRODUCE, (short) 6, zstdProduce())).data();
            assertThat(v6.responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE.code());
            final ProduceResponseData v7 = ((ProduceResponse) c.send(ApiKeys.PRODUCE, (short) 7, zstdProduce())).data();
            assertThat(v7.responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.NONE.code());
        }
        assertThat(headers()).extracting(Header::codec).containsExactly(CompressionType.ZSTD);
    }

    private static ProduceRequestData zstdProduce() {
        final ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TOPIC);
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withRecords(Compression.zstd().build(), new SimpleRecord(BASE_TIME, "k".getBytes(), "v".getBytes()))));
        data.topicData().add(topic);
        return data;
    }
}
