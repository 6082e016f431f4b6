package dev.fjord.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Transactional offset commits in the group coordinator: pending until the marker, and rebuilt by replay. */
class TxnOffsetsTest {
    private static final long PID = 42;
    private final ManualClock clock = new ManualClock(1_700_000_000_000L);
    private final MemoryLog log = new MemoryLog();

    private GroupCoordinator newCoordinator() {
        final GroupCoordinator c = new GroupCoordinator(new GroupCoordinatorConfig(3, 6000, 30000, 0, 100, 4096), log,
                new CoordinatorTimer() {
                    @Override
                    public void schedule(final String key, final long delayMs, final Runnable task) {
                    }

                    @Override
                    public void cancel(final String key) {
                    }
                }, clock, Runnable::run, tp -> true);
        c.load();
        return c;
    }

    private static TxnOffsetCommitRequestData commit(final short epoch, final long offset) {
        return new TxnOffsetCommitRequestData().setTransactionalId("t").setGroupId("g").setProducerId(PID)
                .setProducerEpoch(epoch).setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic()
                        .setName("in").setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(offset)))));
    }

    /** {error, offset} of group g, partition in-0, by OffsetFetch v7. */
    private static long[] fetch(final GroupCoordinator c, final boolean requireStable) {
        final OffsetFetchResponseData r = c.offsets().fetch(new OffsetFetchRequestData().setGroupId("g")
                .setRequireStable(requireStable).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName("in").setPartitionIndexes(List.of(0)))), (short) 7).join();
        final OffsetFetchResponseData.OffsetFetchResponsePartition p = r.topics().get(0).partitions().get(0);
        return new long[] {p.errorCode(), p.committedOffset()};
    }

    @Test
    void shouldExposeTransactionalOffsetsOnlyAfterTheCommitMarker() {
        final GroupCoordinator c = newCoordinator();
        assertThat(c.offsets().txnCommit(commit((short) 0, 5), (short) 3).join().topics().get(0).partitions().get(0)
                .errorCode()).isZero();
        assertThat(fetch(c, true)).containsExactly(Errors.UNSTABLE_OFFSET_COMMIT.code(), -1);
        assertThat(fetch(c, false)).containsExactly(0, -1);
        log.marker(c.partitionFor("g"), PID, true);
        c.onTxnMarker(c.partitionFor("g"), PID, true).join();
        assertThat(fetch(c, true)).containsExactly(0, 5);

        // The next transaction is aborted: its offset is dropped, the committed one stays.
        c.offsets().txnCommit(commit((short) 0, 9), (short) 3).join();
        log.marker(c.partitionFor("g"), PID, false);
        c.onTxnMarker(c.partitionFor("g"), PID, false).join();
        assertThat(fetch(c, true)).containsExactly(0, 5);

        // A third one is left open: replay rebuilds all three outcomes.
        c.offsets().txnCommit(commit((short) 0, 12), (short) 3).join();
        final GroupCoordinator reloaded = newCoordinator();
        assertThat(fetch(reloaded, true)).containsExactly(Errors.UNSTABLE_OFFSET_COMMIT.code(), -1);
        assertThat(fetch(reloaded, false)).containsExactly(0, 5);
        log.marker(reloaded.partitionFor("g"), PID, true);
        reloaded.onTxnMarker(reloaded.partitionFor("g"), PID, true).join();
        assertThat(fetch(reloaded, true)).containsExactly(0, 12);
    }

    @Test
    void shouldAnswerAFencedProducerPerVersion() {
        final GroupCoordinator c = newCoordinator();
        log.fenced = true;
        assertThat(c.offsets().txnCommit(commit((short) 0, 5), (short) 3).join().topics().get(0).partitions().get(0)
                .errorCode()).isEqualTo(Errors.PRODUCER_FENCED.code());
        assertThat(c.offsets().txnCommit(commit((short) 0, 5), (short) 2).join().topics().get(0).partitions().get(0)
                .errorCode()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH.code());
        assertThat(fetch(c, true)).containsExactly(0, -1);
    }

    /** An in-memory {@code __consumer_offsets}: plain records, transactional records and markers, in order. */
    private static final class MemoryLog implements CoordinatorLog {
        private record Entry(GroupRecords.Record record, long producerId, Boolean marker) {
        }

        private final Map<Integer, List<Entry>> partitions = new HashMap<>();
        boolean fenced;

        @Override
        public void append(final int partition, final List<GroupRecords.Record> records) {
            records.forEach(r -> partitions.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Entry(r, -1, null)));
        }

        @Override
        public void appendTransactional(final int partition, final long producerId, final short producerEpoch,
                                        final List<GroupRecords.Record> records) {
            if (fenced) {
                throw new InvalidProducerEpochException("fenced");
            }
            records.forEach(r -> partitions.computeIfAbsent(partition, p -> new ArrayList<>())
                    .add(new Entry(r, producerId, null)));
        }

        void marker(final int partition, final long producerId, final boolean commit) {
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Entry(null, producerId, commit));
        }

        @Override
        public void replay(final int partition, final RecordConsumer consumer) {
            for (final Entry e : partitions.getOrDefault(partition, List.of())) {
                if (e.marker() != null) {
                    consumer.onMarker(e.producerId(), e.marker());
                    continue;
                }
                final ByteBuffer key = ByteBuffer.wrap(e.record().key());
                final ByteBuffer value = e.record().value() == null ? null : ByteBuffer.wrap(e.record().value());
                if (e.producerId() >= 0) {
                    consumer.acceptTransactional(e.producerId(), key, value);
                } else {
                    consumer.accept(key, value);
                }
            }
        }
    }
}
