package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.copyDir;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.idempotent;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogIdempotenceTest {
    private static final long PID = 4242L;
    private static final short EPOCH = 3;

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

    private PartitionLog open(final Path dir, final LogConfig config) throws IOException {
        final PartitionLog log = PartitionLog.open(dir, TP, config, clock);
        opened.add(log);
        return log;
    }

    private static long logBytes(final Path dir) throws IOException {
        long total = 0;
        for (final String name : fileNames(dir, ".log")) {
            total += Files.size(dir.resolve(name));
        }
        return total;
    }

    @Test
    void shouldReturnTheOriginalOffsetsAndWriteNothingWhenABatchIsRetried() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final PartitionLog log = open(dir, LogConfig.defaults());
        log.append(batch(START_MS, "plain", 2), 0);                           // 0..1
        final PartitionLog.AppendResult first = log.append(idempotent(PID, EPOCH, 0, 3), 0);  // 2..4
        final PartitionLog.AppendResult second = log.append(idempotent(PID, EPOCH, 3, 2), 0); // 5..6
        assertThat(first.firstOffset()).isEqualTo(2);
        assertThat(second.lastOffset()).isEqualTo(6);
        final long bytes = logBytes(dir);

        final PartitionLog.AppendResult retryLast = log.append(idempotent(PID, EPOCH, 3, 2), 0);
        final PartitionLog.AppendResult retryOlder = log.append(idempotent(PID, EPOCH, 0, 3), 0);
        assertThat(retryLast.firstOffset()).isEqualTo(5);
        assertThat(retryLast.lastOffset()).isEqualTo(6);
        assertThat(retryOlder.firstOffset()).isEqualTo(2);
        assertThat(retryOlder.lastOffset()).isEqualTo(4);
        assertThat(log.logEndOffset()).isEqualTo(7);
        assertThat(logBytes(dir)).isEqualTo(bytes);
        assertThat(readAll(log, 0)).hasSize(7);

        assertThat(log.append(idempotent(PID, EPOCH, 5, 1), 0).firstOffset()).isEqualTo(7);
    }

    @Test
    void shouldThrowOutOfOrderSequenceAndWriteNothingWhenThereIsAGap() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final PartitionLog log = open(dir, LogConfig.defaults());
        log.append(idempotent(PID, EPOCH, 0, 3), 0);
        final long bytes = logBytes(dir);
        assertThatThrownBy(() -> log.append(idempotent(PID, EPOCH, 4, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> log.append(idempotent(PID, EPOCH, 2, 2), 0)) // overlaps, not a retry
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(logBytes(dir)).isEqualTo(bytes);
        assertThat(log.append(idempotent(PID, EPOCH, 3, 1), 0).firstOffset()).isEqualTo(3);
    }

    @Test
    void shouldThrowInvalidProducerEpochWhenTheEpochIsOlder() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final PartitionLog log = open(dir, LogConfig.defaults());
        log.append(idempotent(PID, EPOCH, 0, 2), 0);
        assertThatThrownBy(() -> log.append(idempotent(PID, (short) (EPOCH - 1), 2, 1), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> log.append(idempotent(PID, (short) (EPOCH - 1), 0, 1), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void shouldRequireSequenceZeroWhenANewEpochStarts() throws IOException {
        final PartitionLog log = open(tmp.resolve("topic-0"), LogConfig.defaults());
        log.append(idempotent(PID, EPOCH, 0, 5), 0);
        final short next = (short) (EPOCH + 1);
        assertThatThrownBy(() -> log.append(idempotent(PID, next, 5, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.append(idempotent(PID, next, 0, 2), 0).firstOffset()).isEqualTo(5);
        // The old epoch is now fenced, and the new epoch's sequence continues.
        assertThatThrownBy(() -> log.append(idempotent(PID, EPOCH, 5, 1), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(log.append(idempotent(PID, next, 0, 2), 0).firstOffset()).isEqualTo(5); // retry
        assertThat(log.append(idempotent(PID, next, 2, 1), 0).firstOffset()).isEqualTo(7);
    }

    @Test
    void shouldKeepProducerStateWhenReopenedAfterACleanClose() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(400);
        final PartitionLog log = open(dir, config);
        for (int i = 0; i < 10; i++) {
            log.append(idempotent(PID, EPOCH, i * 2, 2), 0);
        }
        log.append(idempotent(PID + 1, (short) 0, 0, 1), 0);
        assertThat(fileNames(dir, ".log").size()).isGreaterThan(1);
        log.close();

        final PartitionLog reopened = open(dir, config);
        assertThat(reopened.append(idempotent(PID, EPOCH, 18, 2), 0).firstOffset()).isEqualTo(18);
        assertThat(reopened.append(idempotent(PID + 1, (short) 0, 0, 1), 0).firstOffset()).isEqualTo(20);
        assertThat(reopened.logEndOffset()).isEqualTo(21);
        assertThatThrownBy(() -> reopened.append(idempotent(PID, EPOCH, 21, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> reopened.append(idempotent(PID, (short) (EPOCH - 1), 20, 1), 0))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(reopened.append(idempotent(PID, EPOCH, 20, 1), 0).firstOffset()).isEqualTo(21);
    }

    @Test
    void shouldRebuildProducerStateFromBatchHeadersWhenStoppedUncleanlyWithoutASnapshot() throws IOException {
        final Path dir = tmp.resolve("a");
        final PartitionLog log = open(dir, LogConfig.defaults());
        for (int i = 0; i < 6; i++) {
            log.append(idempotent(PID, EPOCH, i * 3, 3), 0);
        }
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        assertThat(fileNames(crashed, ".snapshot")).isEmpty();

        final PartitionLog recovered = open(crashed, LogConfig.defaults());
        assertThat(recovered.append(idempotent(PID, EPOCH, 15, 3), 0).firstOffset()).isEqualTo(15);
        assertThat(recovered.append(idempotent(PID, EPOCH, 12, 3), 0).firstOffset()).isEqualTo(12);
        assertThatThrownBy(() -> recovered.append(idempotent(PID, EPOCH, 19, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(recovered.logEndOffset()).isEqualTo(18);
        assertThat(recovered.append(idempotent(PID, EPOCH, 18, 1), 0).firstOffset()).isEqualTo(18);
    }

    @Test
    void shouldCombineSnapshotAndTailWhenStoppedUncleanlyAfterARoll() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(300);
        final PartitionLog log = open(dir, config);
        for (int i = 0; i < 12; i++) {
            log.append(idempotent(PID, EPOCH, i * 2, 2), 0);
            log.append(idempotent(PID + 7, (short) 1, i, 1), 0);
        }
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        assertThat(fileNames(crashed, ".snapshot")).isNotEmpty();
        final long end = log.logEndOffset();

        final PartitionLog recovered = open(crashed, config);
        assertThat(recovered.logEndOffset()).isEqualTo(end);
        // The last batches of both producers are in the tail after the newest snapshot.
        assertThat(recovered.append(idempotent(PID, EPOCH, 22, 2), 0).lastOffset()).isEqualTo(end - 2);
        assertThat(recovered.append(idempotent(PID + 7, (short) 1, 11, 1), 0).firstOffset()).isEqualTo(end - 1);
        assertThatThrownBy(() -> recovered.append(idempotent(PID, EPOCH, 25, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(recovered.append(idempotent(PID, EPOCH, 24, 1), 0).firstOffset()).isEqualTo(end);
    }

    @Test
    void shouldForgetACutBatchWhenRecoveryTruncatesIt() throws IOException {
        final Path dir = tmp.resolve("a");
        final PartitionLog log = open(dir, LogConfig.defaults());
        for (int i = 0; i < 4; i++) {
            log.append(idempotent(PID, EPOCH, i * 2, 2), 0);
        }
        log.close(); // a snapshot at offset 8
        final PartitionLog reopened = open(dir, LogConfig.defaults());
        final int last = idempotent(PID, EPOCH, 8, 2).sizeInBytes();
        reopened.append(idempotent(PID, EPOCH, 8, 2), 0);   // 8..9
        reopened.append(idempotent(PID, EPOCH, 10, 2), 0);  // 10..11, will be torn
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        final Path seg = crashed.resolve(Segment.fileName(0, ".log"));
        try (var ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(seg) - last / 2);
        }

        final PartitionLog recovered = open(crashed, LogConfig.defaults());
        assertThat(recovered.logEndOffset()).isEqualTo(10);
        // Sequence 10 was cut with its batch: sending it again is a new append, not a duplicate.
        assertThat(recovered.append(idempotent(PID, EPOCH, 10, 2), 0).firstOffset()).isEqualTo(10);
        assertThat(recovered.logEndOffset()).isEqualTo(12);
        assertThat(recovered.append(idempotent(PID, EPOCH, 8, 2), 0).firstOffset()).isEqualTo(8);
    }

    @Test
    void shouldForgetIdleProducersAfterTheExpirationButNotOnesWithAnOpenTransaction() throws IOException {
        final long expiration = 60_000;
        final PartitionLog log = open(tmp.resolve("topic-0"), LogConfig.defaults());
        log.append(idempotent(PID, EPOCH, 0, 3), 0); // last timestamp START_MS + 2
        log.append(org.apache.kafka.common.record.internal.MemoryRecords.withTransactionalRecords(
                org.apache.kafka.common.compress.Compression.NONE, 77L, (short) 0, 0,
                new org.apache.kafka.common.record.internal.SimpleRecord(START_MS, "t".getBytes(), "v".getBytes())), 0);
        assertThatThrownBy(() -> log.append(idempotent(PID, EPOCH, 7, 1), 0)).isInstanceOf(OutOfOrderSequenceException.class);

        clock.advanceMillis(2 + expiration - 1);
        assertThat(log.removeExpiredProducers(expiration)).isZero();
        assertThat(log.producers()).hasSize(2);

        clock.advanceMillis(1);
        assertThat(log.removeExpiredProducers(expiration)).isEqualTo(1);
        assertThat(log.producers()).extracting(PartitionLog.ProducerInfo::producerId).containsExactly(77L);
        // Forgotten, the producer is new again: it may go on at any sequence.
        log.append(idempotent(PID, EPOCH, 7, 1), 0);
        assertThat(log.producers()).hasSize(2);
    }
}
