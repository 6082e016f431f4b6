package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transaction APIs spoken by hand: error codes for bad input, and pending transactional offsets. */
class TransactionProtocolTest {
    private EmbeddedFjord fjord;
    private RawConnection c;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.builder().config("transaction.max.timeout.ms", "60000").start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
        }
        c = new RawConnection("127.0.0.1", fjord.port());
    }

    @AfterEach
    void stop() throws Exception {
        c.close();
        fjord.close();
    }

    private InitProducerIdResponseData init(final String id, final int timeoutMs) throws Exception {
        return ((InitProducerIdResponse) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData()
                .setTransactionalId(id).setTransactionTimeoutMs(timeoutMs).setProducerId(-1).setProducerEpoch((short) -1))).data();
    }

    private Errors addPartition(final short version, final String id, final long pid, final short epoch) throws Exception {
        final AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("t").setPartitions(List.of(0)));
        final AddPartitionsToTxnResponseData r = ((AddPartitionsToTxnResponse) c.send(ApiKeys.ADD_PARTITIONS_TO_TXN, version,
                new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id).setV3AndBelowProducerId(pid)
                        .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(topics))).data();
        return Errors.forCode(r.resultsByTopicV3AndBelow().find("t").resultsByPartition().find(0).partitionErrorCode());
    }

    private Errors endTxn(final String id, final long pid, final short epoch, final boolean commit) throws Exception {
        return Errors.forCode(((EndTxnResponse) c.send(ApiKeys.END_TXN, (short) 4, new EndTxnRequestData().setTransactionalId(id)
                .setProducerId(pid).setProducerEpoch(epoch).setCommitted(commit))).data().errorCode());
    }

    @Test
    void shouldAnswerBadTransactionalRequestsWithKafkasErrorCodes() throws Exception {
        assertThat(Errors.forCode(init("too-long", 60_001).errorCode())).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        final InitProducerIdResponseData p = init("bad", 10_000);
        assertThat(p.errorCode()).isZero();
        final long pid = p.producerId();
        final short epoch = p.producerEpoch();
        // No transaction open yet.
        assertThat(endTxn("bad", pid, epoch, true)).isEqualTo(Errors.INVALID_TXN_STATE);
        // Unknown transactional id, or a producer id that is not its own (for example an idempotent producer's).
        assertThat(endTxn("nobody", pid, epoch, true)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(addPartition((short) 3, "bad", pid + 100, epoch)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        // A stale epoch: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH for older clients.
        assertThat(addPartition((short) 3, "bad", pid, (short) (epoch + 5))).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(addPartition((short) 1, "bad", pid, (short) (epoch + 5))).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        // The right producer: the transaction opens, and commit then abort of it is an invalid transition.
        assertThat(addPartition((short) 3, "bad", pid, epoch)).isEqualTo(Errors.NONE);
        assertThat(endTxn("bad", pid, epoch, true)).isEqualTo(Errors.NONE);
        assertThat(endTxn("bad", pid, epoch, false)).isEqualTo(Errors.INVALID_TXN_STATE);

        final FindCoordinatorResponseData found = ((FindCoordinatorResponse) c.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("bad", "")))).data();
        assertThat(found.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::errorCode)
                .containsExactly(Errors.NONE.code(), Errors.INVALID_REQUEST.code());
        assertThat(found.coordinators().get(0).port()).isEqualTo(fjord.port());
    }

    private Errors txnOffsetCommit(final String id, final long pid, final short epoch) throws Exception {
        final TxnOffsetCommitResponseData r = ((TxnOffsetCommitResponse) c.send(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                new TxnOffsetCommitRequestData().setTransactionalId(id).setGroupId("g-" + id).setProducerId(pid)
                        .setProducerEpoch(epoch).setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                                .setName("t").setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0).setCommittedOffset(1))))))).data();
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void shouldFenceATxnOffsetCommitWithAnOldEpoch() throws Exception {
        final InitProducerIdResponseData first = init("offsets-fenced", 10_000);
        assertThat(((AddOffsetsToTxnResponse) c.send(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3, new AddOffsetsToTxnRequestData()
                .setTransactionalId("offsets-fenced").setProducerId(first.producerId()).setProducerEpoch(first.producerEpoch())
                .setGroupId("g-offsets-fenced"))).data().errorCode()).isZero();
        assertThat(txnOffsetCommit("offsets-fenced", first.producerId(), first.producerEpoch())).isEqualTo(Errors.NONE);
        // A new instance bumps the epoch and aborts the old transaction; the old epoch is fenced from then on.
        final InitProducerIdResponseData second = init("offsets-fenced", 10_000);
        assertThat(second.producerEpoch()).isGreaterThan(first.producerEpoch());
        assertThat(txnOffsetCommit("offsets-fenced", first.producerId(), first.producerEpoch()))
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldKeepTransactionalOffsetsPendingUntilCommitAndReportThemUnstable() throws Exception {
        final InitProducerIdResponseData p = init("offsets", 10_000);
        final long pid = p.producerId();
        final short epoch = p.producerEpoch();
        assertThat(((AddOffsetsToTxnResponse) c.send(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3, new AddOffsetsToTxnRequestData()
                .setTransactionalId("offsets").setProducerId(pid).setProducerEpoch(epoch).setGroupId("g"))).data().errorCode())
                .isZero();
        final TxnOffsetCommitResponseData committed = ((TxnOffsetCommitResponse) c.send(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                new TxnOffsetCommitRequestData().setTransactionalId("offsets").setGroupId("g").setProducerId(pid)
                        .setProducerEpoch(epoch).setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                                .setName("t").setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0).setCommittedOffset(7))))))).data();
        assertThat(committed.topics().get(0).partitions().get(0).errorCode()).isZero();

        assertThat(fetchOffset(true)).isEqualTo(new long[] {Errors.UNSTABLE_OFFSET_COMMIT.code(), -1});
        assertThat(fetchOffset(false)).isEqualTo(new long[] {0, -1});
        assertThat(endTxn("offsets", pid, epoch, true)).isEqualTo(Errors.NONE);
        assertThat(fetchOffset(true)).isEqualTo(new long[] {0, 7});
        fjord.restart();
        c.close();
        c = new RawConnection("127.0.0.1", fjord.port());
        assertThat(fetchOffset(true)).isEqualTo(new long[] {0, 7});
    }

    /** A transactional batch of a producer whose transaction the coordinator never heard of. */
    private static short produceOutsideATransaction(final RawConnection conn, final long pid) throws Exception {
        final ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName("t");
        topic.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                MemoryRecords.withTransactionalRecords(Compression.NONE, pid, (short) 0, 0,
                        new SimpleRecord(1_000L, "k".getBytes(), "hanging".getBytes()))));
        final ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTransactionalId("hanging");
        produce.topicData().add(topic);
        final ProduceResponse produced = (ProduceResponse) conn.send(ApiKeys.PRODUCE, (short) 11, produce);
        return produced.data().responses().iterator().next().partitionResponses().get(0).errorCode();
    }

    @Test
    void shouldRefuseATransactionalProduceOutsideAnOpenTransaction() throws Exception {
        // A producer id that never initialised a transaction (KIP-890 part 1 verification).
        final long pid = init(null, 10_000).producerId();
        assertThat(Errors.forCode(produceOutsideATransaction(c, pid))).isEqualTo(Errors.INVALID_TXN_STATE);
        // A transactional id initialised, but the partition never added to a transaction.
        final InitProducerIdResponseData p = init("never-added", 10_000);
        assertThat(Errors.forCode(produceOutsideATransaction(c, p.producerId()))).isEqualTo(Errors.INVALID_TXN_STATE);
        final TopicPartition tp = new TopicPartition("t", 0);
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isZero();
            assertThat(committedEnd(admin, tp)).isZero();
        }
    }

    @Test
    void shouldLetAnAdminFindAndAbortAHangingTransaction() throws Exception {
        // With verification off (as on brokers before KIP-890), such a batch hangs: nothing will ever end it.
        try (EmbeddedFjord unverified = EmbeddedFjord.builder()
                .config("transaction.partition.verification.enable", "false").start();
             RawConnection conn = new RawConnection("127.0.0.1", unverified.port());
             Admin admin = Clients.admin(unverified.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("t", 1, (short) 1))).all().get();
            final long pid = ((InitProducerIdResponse) conn.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                    new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(10_000).setProducerId(-1)
                            .setProducerEpoch((short) -1))).data().producerId();
            assertThat(produceOutsideATransaction(conn, pid)).isZero();

            final TopicPartition tp = new TopicPartition("t", 0);
            assertThat(committedEnd(admin, tp)).isZero();
            final ProducerState state = admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers().stream()
                    .filter(s -> s.producerId() == pid).findFirst().orElseThrow();
            assertThat(state.currentTransactionStartOffset()).hasValue(0L);
            admin.abortTransaction(new AbortTransactionSpec(tp, pid, (short) state.producerEpoch(),
                    state.coordinatorEpoch().orElse(0))).all().get();
            assertThat(committedEnd(admin, tp)).isEqualTo(2);
        }
    }

    private static long committedEnd(final Admin admin, final TopicPartition tp) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp).get().offset();
    }

    /** OffsetFetch v7 of group g, partition t-0: {error code, offset}. */
    private long[] fetchOffset(final boolean requireStable) throws Exception {
        final OffsetFetchResponseData r = ((OffsetFetchResponse) c.send(ApiKeys.OFFSET_FETCH, (short) 7,
                new OffsetFetchRequestData().setGroupId("g").setRequireStable(requireStable).setTopics(List.of(
                        new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("t").setPartitionIndexes(List.of(0)))))).data();
        final OffsetFetchResponseData.OffsetFetchResponsePartition part = r.topics().get(0).partitions().get(0);
        return new long[] {part.errorCode(), part.committedOffset()};
    }
}
