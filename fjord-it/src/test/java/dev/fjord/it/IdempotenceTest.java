package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idempotent produce spoken by hand, so that retries and gaps can be staged exactly. */
class IdempotenceTest {
    private static final TopicPartition TP = new TopicPartition("idem", 0);
    private EmbeddedFjord fjord;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stop() {
        fjord.close();
    }

    @Test
    void shouldAnswerARetriedBatchWithItsOriginalOffsetAndRefuseAGap() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final InitProducerIdResponseData init = ((InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1))).data();
            assertThat(init.errorCode()).isZero();
            final long pid = init.producerId();

            assertThat(produce(c, pid, 0, 3).baseOffset()).isZero();
            assertThat(produce(c, pid, 3, 2).baseOffset()).isEqualTo(3);
            // A retry of the first batch: same offsets, nothing written.
            final ProduceResponseData.PartitionProduceResponse retry = produce(c, pid, 0, 3);
            assertThat(retry.errorCode()).isZero();
            assertThat(retry.baseOffset()).isZero();
            assertThat(endOffset()).isEqualTo(5);
            // A gap: sequence 9 when 5 is next.
            assertThat(produce(c, pid, 9, 1).errorCode()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
            assertThat(endOffset()).isEqualTo(5);
        }
    }

    @Test
    void shouldRememberProducersAcrossARestart() throws Exception {
        final long pid;
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            pid = ((InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1))).data().producerId();
            produce(c, pid, 0, 2);
        }
        fjord.restart();
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            assertThat(produce(c, pid, 0, 2).baseOffset()).isZero();
            assertThat(produce(c, pid, 5, 1).errorCode()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER.code());
            assertThat(produce(c, pid, 2, 1).baseOffset()).isEqualTo(2);
            // Producer ids are never handed out twice, restarts included.
            final long next = ((InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000)
                            .setProducerId(-1).setProducerEpoch((short) -1))).data().producerId();
            assertThat(next).isNotEqualTo(pid);
        }
        assertThat(endOffset()).isEqualTo(3);
    }

    private long endOffset() throws Exception {
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            return admin.listOffsets(Map.of(TP, OffsetSpec.latest())).partitionResult(TP).get().offset();
        }
    }

    private static ProduceResponseData.PartitionProduceResponse produce(final RawConnection c, final long pid,
                                                                        final int firstSeq, final int count) throws Exception {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(("seq-" + (firstSeq + i)).getBytes());
        }
        final MemoryRecords batch = MemoryRecords.withIdempotentRecords(Compression.NONE, pid, (short) 0, firstSeq, records);
        final ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(TP.topic());
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
        data.topicData().add(topic);
        final ProduceResponseData response = ((ProduceResponse) c.send(ApiKeys.PRODUCE, (short) 9, data)).data();
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void shouldForgetAnIdleProducerAfterProducerIdExpiration() throws Exception {
        try (EmbeddedFjord brief = EmbeddedFjord.builder().config("producer.id.expiration.ms", "1500")
                .config("producer.id.expiration.check.interval.ms", "100").start();
             Admin admin = Clients.admin(brief.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1))).all().get();
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                         Clients.producer(brief.bootstrapServers(), Map.of("enable.idempotence", "true", "acks", "all"))) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TP.topic(), "v".getBytes())).get();
            }
            assertThat(admin.describeProducers(List.of(TP)).partitionResult(TP).get().activeProducers()).hasSize(1);

            final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!admin.describeProducers(List.of(TP)).partitionResult(TP).get().activeProducers().isEmpty()) {
                assertThat(System.nanoTime()).as("producer forgotten in time").isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }
}
