package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.protocol.ProtocolClasses;
import dev.fjord.testkit.EmbeddedFjord;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile input over real sockets: each gets the right error code or a closed
 * connection, and the broker keeps serving everyone else (checked after every test).
 */
class BadInputTest {
    private static final int MESSAGE_MAX_BYTES = 10_000;
    private static EmbeddedFjord fjord;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        fjord = EmbeddedFjord.builder()
                .config("message.max.bytes", String.valueOf(MESSAGE_MAX_BYTES))
                .config("socket.request.max.bytes", String.valueOf(1024 * 1024))
                .start();
        admin = Clients.admin(fjord.bootstrapServers());
        admin.createTopics(List.of(new NewTopic("target", 1, (short) 1))).all().get();
    }

    @AfterAll
    static void stop() {
        admin.close();
        fjord.close();
    }

    @AfterEach
    void brokerStillServesOthers() throws Exception {
        assertThat(admin.listTopics().names().get()).contains("target");
    }

    private static RawConnection connect() throws Exception {
        return new RawConnection("127.0.0.1", fjord.port());
    }

    @Test
    void shouldCloseTheConnectionWhenSentRandomBytes() throws Exception {
        final Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (RawConnection c = connect()) {
                final byte[] junk = new byte[64 + random.nextInt(256)];
                random.nextBytes(junk);
                // A plausible small length so the frame is complete and parsed as a (broken) request.
                c.writeFrame(junk, junk.length);
                assertThat(c.isClosedByPeer()).isTrue();
            }
        }
    }

    @Test
    void shouldCloseTheConnectionWhenTheFrameLengthIsHuge() throws Exception {
        try (RawConnection c = connect()) {
            c.writeRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void shouldCloseTheConnectionWhenTheFrameLengthIsNegative() throws Exception {
        try (RawConnection c = connect()) {
            c.writeRaw(ByteBuffer.allocate(12).putInt(-5).putLong(0).array());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void shouldCloseTheConnectionOnAnUnknownApiKey() throws Exception {
        try (RawConnection c = connect()) {
            final ByteBuffer frame = ByteBuffer.allocate(16).putShort((short) 999).putShort((short) 0).putInt(7)
                    .putShort((short) -1).putInt(0);
            c.writeFrame(frame.array(), frame.position());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void shouldCloseTheConnectionOnAnUnsupportedVersion() throws Exception {
        try (RawConnection c = connect()) {
            final ByteBuffer frame = ProtocolClasses.requestFrame(ApiKeys.METADATA, (short) 13, 1, new MetadataRequestData());
            frame.putShort(2, (short) 99); // Metadata v99
            c.writeFrame(frame.array(), frame.remaining());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void shouldAnswerAnUnknownApiVersionsVersionWithTheVersionsWeSupport() throws Exception {
        try (RawConnection c = connect()) {
            final ByteBuffer frame = ProtocolClasses.requestFrame(ApiKeys.API_VERSIONS, (short) 3, 1,
                    new ApiVersionsRequestData().setClientSoftwareName("x").setClientSoftwareVersion("1"));
            frame.putShort(2, (short) 127);
            c.writeFrame(frame.array(), frame.remaining());
            final ByteBuffer response = ByteBuffer.wrap(c.readFrame());
            assertThat(response.getInt()).isEqualTo(1); // correlation id, header v0
            final ApiVersionsResponseData data = ApiVersionsResponse.parse(
                    new org.apache.kafka.common.protocol.ByteBufferAccessor(response), (short) 0).data();
            assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(data.apiKeys().find(ApiKeys.PRODUCE.id).maxVersion()).isEqualTo((short) 13);
        }
    }

    @Test
    void shouldAnswerCorruptMessageForABatchWithAWrongCrc() throws Exception {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord("key".getBytes(), "a value that will be damaged".getBytes()));
        final ByteBuffer bytes = records.buffer();
        bytes.put(bytes.limit() - 3, (byte) (bytes.get(bytes.limit() - 3) ^ 0x5A));
        try (RawConnection c = connect()) {
            final ProduceResponseData response = ((ProduceResponse) c.send(ApiKeys.PRODUCE, (short) 9, produce(records))).data();
            assertThat(response.responses().iterator().next().partitionResponses().get(0).errorCode())
                    .isEqualTo(Errors.CORRUPT_MESSAGE.code());
        }
        final var end = admin.listOffsets(Map.of(new org.apache.kafka.common.TopicPartition("target", 0),
                org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get();
        assertThat(end.values().iterator().next().offset()).isZero();
    }

    @Test
    void shouldAnswerMessageTooLargeForARecordOverMessageMaxBytes() {
        try (KafkaProducer<byte[], byte[]> producer = Clients.producer(fjord.bootstrapServers(),
                Map.of("max.request.size", "1000000", "retries", "0"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("target", new byte[MESSAGE_MAX_BYTES * 2])).get())
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    @Test
    void shouldKeepServingWhileManyConnectionsSendGarbage() throws Exception {
        final Random random = new Random(7);
        final List<RawConnection> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                final RawConnection c = connect();
                open.add(c);
                // Announces a frame just under the limit and sends only part of it: the broker holds at most
                // what it received, and the frame limit caps that.
                final byte[] part = new byte[64 * 1024];
                random.nextBytes(part);
                c.writeRaw(ByteBuffer.allocate(4).putInt(1024 * 1024 - 1).array());
                c.writeRaw(part);
            }
            assertThat(admin.listTopics().names().get()).contains("target");
        } finally {
            for (final RawConnection c : open) {
                c.close();
            }
        }
    }

    private static ProduceRequestData produce(final MemoryRecords records) {
        final ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("target");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
        data.topicData().add(topic);
        return data;
    }
}
