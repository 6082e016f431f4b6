package dev.fjord.coordinator.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import dev.fjord.coordinator.group.CoordinatorLog;
import dev.fjord.coordinator.group.CoordinatorTimer;
import dev.fjord.coordinator.group.GroupRecords;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** The coordinator driven by hand: direct executor, manual clock and timer, in-memory log and markers. */
class TransactionCoordinatorTest {
    private static final TopicPartition A = new TopicPartition("a", 0);
    private static final TopicPartition B = new TopicPartition("b", 1);
    private static final TxnCoordinatorConfig CONFIG = new TxnCoordinatorConfig(3, 60_000, 1_000);

    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final MemoryLog log = new MemoryLog();
    private final ManualTimer timer = new ManualTimer();
    private final List<String> markers = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private boolean markersFail;

    private TransactionCoordinator newCoordinator() {
        return newCoordinator(CONFIG);
    }

    private TransactionCoordinator newCoordinator(final TxnCoordinatorConfig config) {
        final TransactionCoordinator c = new TransactionCoordinator(config, log, (tp, pid, epoch, coordinatorEpoch, commit) -> {
            if (markersFail) {
                throw new KafkaStorageException("disk gone");
            }
            markers.add((commit ? "COMMIT " : "ABORT ") + tp + " " + pid + "/" + epoch);
        }, ids::getAndIncrement, timer, clock, Runnable::run, tp -> !tp.topic().equals("ghost"));
        c.load();
        return c;
    }

    private static TransactionCoordinator.InitResult init(final TransactionCoordinator c, final String id) {
        return c.initProducerId(id, 10_000, -1, (short) -1).join();
    }

    @Test
    void shouldGiveANewIdAnEpochZeroAndBumpTheEpochWhenTheIdIsInitialisedAgain() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult first = init(c, "t1");
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(first.producerEpoch()).isZero();
        final TransactionCoordinator.InitResult second = init(c, "t1");
        assertThat(second.producerId()).isEqualTo(first.producerId());
        assertThat(second.producerEpoch()).isEqualTo((short) 1);
        assertThat(init(c, "t2").producerId()).isNotEqualTo(first.producerId());
    }

    @Test
    void shouldRefuseATimeoutAboveTheMaximumAndAnEmptyId() {
        final TransactionCoordinator c = newCoordinator();
        assertThat(c.initProducerId("t", 60_001, -1, (short) -1).join().error()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(c.initProducerId("t", 0, -1, (short) -1).join().error()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(c.initProducerId("", 1000, -1, (short) -1).join().error()).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void shouldCommitByWritingPrepareThenAMarkerPerPartitionThenComplete() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult p = init(c, "t");
        assertThat(c.addPartitions("t", p.producerId(), p.producerEpoch(), List.of(A, B)).join())
                .containsOnly(Map.entry(A, Errors.NONE), Map.entry(B, Errors.NONE));
        assertThat(describeState(c, "t")).isEqualTo("Ongoing");
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.NONE);
        assertThat(markers).containsExactly("COMMIT a-0 " + p.producerId() + "/0", "COMMIT b-1 " + p.producerId() + "/0");
        assertThat(log.states("t")).containsSubsequence("Empty", "Ongoing", "PrepareCommit", "CompleteCommit");
        // A retried commit succeeds; an abort of the committed transaction is an invalid transition.
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.NONE);
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), false).join()).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void shouldAnswerBadRequestsWithTheirErrorCodes() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult p = init(c, "t");
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(c.endTxn("nobody", p.producerId(), p.producerEpoch(), true).join())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(c.endTxn("t", p.producerId() + 1, p.producerEpoch(), true).join())
                .isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        assertThat(c.addOffsets("t", p.producerId(), (short) 7, new TopicPartition("__consumer_offsets", 0)).join())
                .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(c.addPartitions("t", p.producerId(), p.producerEpoch(), List.of(A, new TopicPartition("ghost", 0))).join())
                .containsEntry(A, Errors.OPERATION_NOT_ATTEMPTED)
                .containsEntry(new TopicPartition("ghost", 0), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(describeState(c, "t")).isEqualTo("Empty");
    }

    @Test
    void shouldFenceTheOldInstanceAndAbortItsOpenTransactionWhenANewOneInitialises() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult old = init(c, "t");
        c.addPartitions("t", old.producerId(), old.producerEpoch(), List.of(A)).join();
        final TransactionCoordinator.InitResult fresh = init(c, "t");
        assertThat(fresh.producerEpoch()).isGreaterThan(old.producerEpoch());
        assertThat(markers).containsExactly("ABORT a-0 " + old.producerId() + "/" + fresh.producerEpoch());
        assertThat(c.endTxn("t", old.producerId(), old.producerEpoch(), true).join()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(c.addPartitions("t", old.producerId(), old.producerEpoch(), List.of(A)).join())
                .containsEntry(A, Errors.PRODUCER_FENCED);
        // KIP-360 re-initialisation by the fenced instance is refused too.
        assertThat(c.initProducerId("t", 10_000, old.producerId(), old.producerEpoch()).join().error())
                .isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldAbortATransactionOpenLongerThanItsTimeoutAndFenceItsProducer() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult p = init(c, "t");
        c.addPartitions("t", p.producerId(), p.producerEpoch(), List.of(A)).join();
        clock.advanceMillis(9_000);
        timer.runDue();
        assertThat(markers).isEmpty();
        clock.advanceMillis(1_000);
        timer.runDue();
        assertThat(markers).containsExactly("ABORT a-0 " + p.producerId() + "/1");
        assertThat(describeState(c, "t")).isEqualTo("CompleteAbort");
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void shouldRebuildItsStateFromTheLogAndFinishATransactionLeftPrepared() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult p = init(c, "t");
        c.addPartitions("t", p.producerId(), p.producerEpoch(), List.of(A, B)).join();
        markersFail = true;
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.NONE);
        assertThat(describeState(c, "t")).isEqualTo("PrepareCommit");
        assertThat(c.addPartitions("t", p.producerId(), p.producerEpoch(), List.of(A)).join())
                .containsEntry(A, Errors.CONCURRENT_TRANSACTIONS);
        assertThat(c.endTxn("t", p.producerId(), p.producerEpoch(), true).join()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);

        markersFail = false;
        final TransactionCoordinator restarted = newCoordinator();
        assertThat(markers).containsExactly("COMMIT a-0 " + p.producerId() + "/0", "COMMIT b-1 " + p.producerId() + "/0");
        assertThat(describeState(restarted, "t")).isEqualTo("CompleteCommit");
        assertThat(init(restarted, "t").producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void shouldListAndDescribeTransactions() {
        final TransactionCoordinator c = newCoordinator();
        final TransactionCoordinator.InitResult p = init(c, "open");
        c.addPartitions("open", p.producerId(), p.producerEpoch(), List.of(A)).join();
        init(c, "idle");
        final ListTransactionsRequestData onlyOngoing = new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "Bogus"));
        final var listed = c.list(onlyOngoing, (short) 0).join();
        assertThat(listed.transactionStates()).extracting(s -> s.transactionalId()).containsExactly("open");
        assertThat(listed.unknownStateFilters()).containsExactly("Bogus");
        final var described = c.describe(List.of("open", "missing")).join().transactionStates();
        assertThat(described.get(0).topics()).hasSize(1);
        assertThat(described.get(1).errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
    }

    @Test
    void shouldForgetATransactionalIdIdleForTheExpirationButNotOneInUse() {
        final TxnCoordinatorConfig expiring = new TxnCoordinatorConfig(3, 60_000, 1_000, 100_000, 1_000);
        final TransactionCoordinator c = newCoordinator(expiring);
        final TransactionCoordinator.InitResult idle = init(c, "idle");
        final TransactionCoordinator.InitResult busy = init(c, "busy");
        c.addPartitions("busy", busy.producerId(), busy.producerEpoch(), List.of(A)).join();

        clock.advanceMillis(99_999);
        timer.runDue(); // the timeout sweep aborts busy's transaction now; idle is one millisecond short of expiring
        assertThat(describeState(c, "idle")).isEqualTo("Empty");
        clock.advanceMillis(1_000); // the next expiration check
        timer.runDue();

        assertThat(c.describe(List.of("idle")).join().transactionStates().get(0).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        assertThat(describeState(c, "busy")).isEqualTo("CompleteAbort");
        final TransactionCoordinator restarted = newCoordinator(expiring);
        assertThat(restarted.describe(List.of("idle")).join().transactionStates().get(0).errorCode())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        assertThat(describeState(restarted, "busy")).isEqualTo("CompleteAbort");
        assertThat(init(restarted, "idle").producerId()).as("a new producer id for a forgotten id")
                .isNotEqualTo(idle.producerId());
    }

    private static String describeState(final TransactionCoordinator c, final String id) {
        return c.describe(List.of(id)).join().transactionStates().get(0).transactionState();
    }

    /** An in-memory {@code __transaction_state}. */
    private static final class MemoryLog implements CoordinatorLog {
        final Map<Integer, List<GroupRecords.Record>> partitions = new HashMap<>();

        @Override
        public void append(final int partition, final List<GroupRecords.Record> records) {
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
        }

        @Override
        public void appendTransactional(final int partition, final long producerId, final short producerEpoch,
                                        final List<GroupRecords.Record> records) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replay(final int partition, final RecordConsumer consumer) {
            for (final GroupRecords.Record r : partitions.getOrDefault(partition, List.of())) {
                consumer.accept(ByteBuffer.wrap(r.key()), r.value() == null ? null : ByteBuffer.wrap(r.value()));
            }
        }

        List<String> states(final String id) {
            final List<String> out = new ArrayList<>();
            for (final List<GroupRecords.Record> records : partitions.values()) {
                for (final GroupRecords.Record r : records) {
                    TxnRecords.replay(ByteBuffer.wrap(r.key()), r.value() == null ? null : ByteBuffer.wrap(r.value()),
                            (tid, m) -> {
                                if (tid.equals(id) && m != null) {
                                    out.add(m.state().displayName());
                                }
                            });
                }
            }
            return out;
        }
    }

    /** Runs the tasks whose time has come on the manual clock, when asked. */
    private final class ManualTimer implements CoordinatorTimer {
        private final Map<String, Long> due = new TreeMap<>();
        private final Map<String, Runnable> tasks = new HashMap<>();

        @Override
        public void schedule(final String key, final long delayMs, final Runnable task) {
            due.put(key, clock.wallMillis() + delayMs);
            tasks.put(key, task);
        }

        @Override
        public void cancel(final String key) {
            due.remove(key);
            tasks.remove(key);
        }

        void runDue() {
            for (final String key : List.copyOf(due.keySet())) {
                final Long at = due.get(key);
                if (at != null && at <= clock.wallMillis()) {
                    due.remove(key);
                    tasks.remove(key).run();
                }
            }
        }
    }
}
