package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.copyDir;
import static dev.fjord.storage.log.LogTestSupport.record;
import static dev.fjord.storage.log.LogTestSupport.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTransactionTest {
    private static final long PID = 77L;
    private static final long OTHER = 78L;
    private static final short EPOCH = 2;

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(START_MS);
    private final List<PartitionLog> opened = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        for (final PartitionLog l : opened) {
            l.close();
        }
    }

    private PartitionLog open(final Path dir) throws IOException {
        final PartitionLog log = PartitionLog.open(dir, TP, LogConfig.defaults(), clock);
        opened.add(log);
        return log;
    }

    private static MemoryRecords txn(final long pid, final short epoch, final int seq, final int count) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(START_MS + i, "t" + pid + "-" + (seq + i), "v");
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq, records);
    }

    private static int committedCount(final PartitionLog log) {
        return recordsOf(log.read(0, 1 << 20, true, true).records()).size();
    }

    @Test
    void shouldHoldTheLastStableOffsetAtAnOpenTransactionUntilItsMarker() throws IOException {
        final PartitionLog log = open(tmp.resolve("topic-0"));
        log.append(batch(START_MS, "plain", 2), 0);                 // 0..1
        log.append(txn(PID, EPOCH, 0, 3), 0);                       // 2..4
        log.append(batch(START_MS, "after", 1), 0);                 // 5
        assertThat(log.highWatermark()).isEqualTo(6);
        assertThat(log.lastStableOffset()).isEqualTo(2);
        assertThat(committedCount(log)).isEqualTo(2);
        assertThat(recordsOf(log.read(0, 1 << 20, true, false).records())).hasSize(6);

        log.appendTxnMarker(PID, EPOCH, 0, true, 0);                // 6
        assertThat(log.lastStableOffset()).isEqualTo(7);
        assertThat(log.abortedTransactions(0, 7)).isEmpty();
        // Data records only: the marker is a control batch, which recordsOf reads as one record.
        assertThat(committedCount(log)).isEqualTo(7);
    }

    @Test
    void shouldIndexAnAbortedTransactionAndKeepItAcrossCleanAndUncleanRestarts() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final PartitionLog log = open(dir);
        log.append(txn(PID, EPOCH, 0, 2), 0);                       // 0..1
        log.append(txn(OTHER, EPOCH, 0, 2), 0);                     // 2..3
        log.appendTxnMarker(PID, EPOCH, 0, false, 0);               // 4: abort
        assertThat(log.lastStableOffset()).isEqualTo(2);
        assertThat(log.abortedTransactions(0, 10)).containsExactly(new PartitionLog.AbortedTxn(PID, 0));

        final Path crashed = tmp.resolve("crashed");
        copyDir(dir, crashed.resolve("topic-0"));
        log.close();
        opened.remove(log);

        final PartitionLog reopened = open(dir);
        assertThat(reopened.lastStableOffset()).isEqualTo(2);
        assertThat(reopened.producers()).contains(new PartitionLog.ProducerInfo(OTHER, EPOCH, 1, START_MS + 1, 2));
        assertThat(reopened.abortedTransactions(0, 10)).containsExactly(new PartitionLog.AbortedTxn(PID, 0));

        final PartitionLog recovered = open(crashed.resolve("topic-0"));
        assertThat(recovered.lastStableOffset()).isEqualTo(2);
        assertThat(recovered.producers()).contains(new PartitionLog.ProducerInfo(OTHER, EPOCH, 1, START_MS + 1, 2));
        assertThat(recovered.abortedTransactions(0, 10)).containsExactly(new PartitionLog.AbortedTxn(PID, 0));
        recovered.appendTxnMarker(OTHER, EPOCH, 0, true, 0);
        assertThat(recovered.lastStableOffset()).isEqualTo(recovered.highWatermark());
    }

    @Test
    void shouldFenceTheOldEpochAfterAnAbortWithABumpedEpoch() throws IOException {
        final PartitionLog log = open(tmp.resolve("topic-0"));
        log.append(txn(PID, EPOCH, 0, 2), 0);
        log.appendTxnMarker(PID, (short) (EPOCH + 1), 0, false, 0);
        assertThatThrownBy(() -> log.append(txn(PID, EPOCH, 2, 1), 0)).isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.appendTxnMarker(PID, EPOCH, 0, true, 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        log.append(txn(PID, (short) (EPOCH + 1), 0, 1), 0);
        assertThat(log.lastStableOffset()).isEqualTo(3);
    }
}
