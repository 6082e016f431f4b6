package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code __consumer_offsets} from growing with every commit ever made: once a partition has had
 * twice as many records appended as it has live keys (and at least {@link #snapshotMinRecords}), the
 * live state of its groups is appended again and everything before it is dropped. Replaying from there
 * rebuilds the same state; a crash half way leaves the older records in place, which replay equally well.
 */
final class SnapshottingLog implements CoordinatorLog {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshottingLog.class);
    /** Records per append while a snapshot is written. */
    private static final int SNAPSHOT_BATCH = 500;

    /** The live state of the groups of one partition, as the coordinator holds it. */
    interface LiveState {
        /** The records that would rebuild the partition's groups: about its live keys. */
        long liveRecords(int partition);

        /** Whether a group of the partition has offsets pending in an open transaction (no snapshot then). */
        boolean hasPendingTxn(int partition);

        /** Hands every record that rebuilds the partition's groups to {@code sink}, in replay order. */
        void forEachRecord(int partition, Consumer<GroupRecords.Record> sink);
    }

    private final CoordinatorLog delegate;
    private final LiveState state;
    private final long[] appended;
    private final long[] nextCheck;
    /** Records appended to a partition before a snapshot of it is considered (tests lower it). */
    long snapshotMinRecords = 10_000;

    SnapshottingLog(final CoordinatorLog delegate, final int partitions, final LiveState state) {
        this.delegate = delegate;
        this.state = state;
        this.appended = new long[partitions];
        this.nextCheck = new long[partitions];
    }

    @Override
    public void append(final int partition, final List<GroupRecords.Record> records) {
        delegate.append(partition, records);
        appended[partition] += records.size();
    }

    @Override
    public void appendTransactional(final int partition, final long producerId, final short producerEpoch,
                                    final List<GroupRecords.Record> records) {
        delegate.appendTransactional(partition, producerId, producerEpoch, records);
        appended[partition] += records.size();
    }

    /** Called when the coordinator's state matches its log again: at the end of each coordinator task. */
    void maybeSnapshot() {
        for (int partition = 0; partition < appended.length; partition++) {
            if (appended[partition] >= Math.max(nextCheck[partition], snapshotMinRecords) && !state.hasPendingTxn(partition)) {
                final long live = state.liveRecords(partition);
                if (appended[partition] >= Math.max(2 * live, snapshotMinRecords)) {
                    snapshot(partition);
                    appended[partition] = 0;
                    nextCheck[partition] = 0;
                } else {
                    nextCheck[partition] = 2 * live;
                }
            }
        }
    }

    @Override
    public void replay(final int partition, final RecordConsumer consumer) {
        appended[partition] = 0;
        delegate.replay(partition, new RecordConsumer() {
            @Override
            public void accept(final ByteBuffer key, final ByteBuffer value) {
                appended[partition]++;
                consumer.accept(key, value);
            }

            @Override
            public void acceptTransactional(final long producerId, final ByteBuffer key, final ByteBuffer value) {
                appended[partition]++;
                consumer.acceptTransactional(producerId, key, value);
            }

            @Override
            public void onMarker(final long producerId, final boolean commit) {
                consumer.onMarker(producerId, commit);
            }
        });
    }

    @Override
    public long endOffset(final int partition) {
        return delegate.endOffset(partition);
    }

    @Override
    public void deleteBefore(final int partition, final long offset) {
        delegate.deleteBefore(partition, offset);
    }

    private void snapshot(final int partition) {
        final long mark = delegate.endOffset(partition);
        if (mark < 0) {
            return;
        }
        final List<GroupRecords.Record> records = new ArrayList<>();
        state.forEachRecord(partition, record -> {
            records.add(record);
            if (records.size() >= SNAPSHOT_BATCH) {
                delegate.append(partition, List.copyOf(records));
                records.clear();
            }
        });
        if (!records.isEmpty()) {
            delegate.append(partition, records);
        }
        delegate.deleteBefore(partition, mark);
        LOG.debug("Snapshot of __consumer_offsets partition {}: state rewritten from offset {}", partition, mark);
    }
}
