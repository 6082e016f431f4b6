package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KIP-227 incremental fetch sessions, spoken by hand at Fetch v18 (topic ids). */
class FetchSessionTest {
    private static EmbeddedFjord fjord;
    private static Uuid topicId;

    @BeforeAll
    static void start() throws Exception {
        fjord = EmbeddedFjord.start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("sessions", 2, (short) 1))).all().get();
            topicId = admin.describeTopics(List.of("sessions")).allTopicNames().get().get("sessions").topicId();
        }
        send(0, "first");
    }

    @AfterAll
    static void stop() {
        fjord.close();
    }

    @Test
    void shouldOpenASessionAndAnswerOnlyWhatChanged() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final FetchResponseData full = fetch(c, 0, 0, List.of(partition(0, 0), partition(1, 0)));
            assertThat(full.errorCode()).isZero();
            assertThat(full.sessionId()).isPositive();
            assertThat(full.responses().get(0).partitions()).hasSize(2);

            // Epoch 1: the client moved partition 0 past what it got; nothing else changed since.
            final FetchResponseData quiet = fetch(c, full.sessionId(), 1, List.of(partition(0, 1)));
            assertThat(quiet.errorCode()).isZero();
            assertThat(quiet.responses()).isEmpty();

            send(1, "second");
            final FetchResponseData changed = fetch(c, full.sessionId(), 2, List.of());
            assertThat(changed.responses()).hasSize(1);
            assertThat(changed.responses().get(0).topicId()).isEqualTo(topicId);
            assertThat(changed.responses().get(0).partitions()).extracting(FetchResponseData.PartitionData::partitionIndex)
                    .containsExactly(1);

            final FetchResponseData wrongEpoch = fetch(c, full.sessionId(), 7, List.of());
            assertThat(wrongEpoch.errorCode()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH.code());

            final FetchResponseData unknown = fetch(c, full.sessionId() + 1, 1, List.of());
            assertThat(unknown.errorCode()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND.code());
        }
    }

    @Test
    void shouldAnswerUnknownTopicIdPerPartition() throws Exception {
        try (RawConnection c = new RawConnection("127.0.0.1", fjord.port())) {
            final FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setTopicId(Uuid.randomUuid())
                    .setPartitions(List.of(partition(0, 0)));
            final FetchResponseData r = ((FetchResponse) c.send(ApiKeys.FETCH, (short) 18, request(0, -1, List.of(topic))))
                    .data();
            assertThat(r.responses().get(0).partitions().get(0).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
        }
    }

    private static FetchResponseData fetch(final RawConnection c, final int sessionId, final int epoch,
                                           final List<FetchRequestData.FetchPartition> partitions) throws Exception {
        final List<FetchRequestData.FetchTopic> topics = partitions.isEmpty() ? List.of()
                : List.of(new FetchRequestData.FetchTopic().setTopicId(topicId).setPartitions(partitions));
        return ((FetchResponse) c.send(ApiKeys.FETCH, (short) 18, request(sessionId, epoch, topics))).data();
    }

    private static FetchRequestData request(final int sessionId, final int epoch, final List<FetchRequestData.FetchTopic> topics) {
        return new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setSessionId(sessionId).setSessionEpoch(epoch).setTopics(topics);
    }

    private static FetchRequestData.FetchPartition partition(final int p, final long offset) {
        return new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offset).setPartitionMaxBytes(1 << 20)
                .setCurrentLeaderEpoch(-1).setLogStartOffset(-1);
    }

    private static void send(final int partition, final String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            p.send(new ProducerRecord<>("sessions", partition, null, value.getBytes())).get();
        }
    }
}
