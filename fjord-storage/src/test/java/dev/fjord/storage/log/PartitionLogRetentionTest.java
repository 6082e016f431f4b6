package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.copyDir;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention and DeleteRecords on real segment files, with time moved by hand. */
class PartitionLogRetentionTest {
    private static final long MINUTE = 60_000L;
    private static final int BATCH_BYTES = batch(START_MS, "b00", 5).sizeInBytes();

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(START_MS);
    private PartitionLog log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    private Path dir() {
        return tmp.resolve("topic-0");
    }

    /** Ten batches of five records, one minute apart, three batches per segment: segments at 0, 15, 30, 45. */
    private void openWithFourSegments() throws IOException {
        log = PartitionLog.open(dir(), TP, LogConfig.defaults().withSegmentBytes(BATCH_BYTES * 3), clock);
        for (int i = 0; i < 10; i++) {
            log.append(batch(clock.wallMillis(), String.format("b%02d", i), 5), 0);
            clock.advanceMillis(MINUTE);
        }
        assertThat(fileNames(dir(), ".log")).hasSize(4);
    }

    @Test
    void shouldDeleteWholeSegmentsOlderThanRetentionMsAndMoveTheLogStart() throws IOException {
        openWithFourSegments();
        // Now START+10min. Segment 0 holds timestamps up to START+2min+4ms, segment 15 up to START+5min+4ms.
        assertThat(log.deleteRetainedSegments(7 * MINUTE, -1, 0)).isEqualTo(1);

        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(15, ".log"),
                Segment.fileName(30, ".log"), Segment.fileName(45, ".log"));
        assertThat(log.logStartOffset()).isEqualTo(15);
        assertThatThrownBy(() -> log.read(14, 1 << 20, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(readAll(log, 15)).hasSize(35);

        clock.advanceMillis(60 * MINUTE);
        assertThat(log.deleteRetainedSegments(7 * MINUTE, -1, 0)).as("the active segment stays").isEqualTo(2);
        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(45, ".log"));
        assertThat(log.logStartOffset()).isEqualTo(45);
        assertThat(log.logEndOffset()).isEqualTo(50);
    }

    @Test
    void shouldKeepEverythingWhenRetentionIsUnlimitedOrNotYetReached() throws IOException {
        openWithFourSegments();
        assertThat(log.deleteRetainedSegments(-1, -1, 0)).isZero();
        assertThat(log.deleteRetainedSegments(60 * MINUTE, -1, 0)).isZero();
        assertThat(log.deleteRetainedSegments(-1, log.sizeInBytes(), 0)).isZero();
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void shouldDeleteTheOldestSegmentsWhileTheLogIsLargerThanRetentionBytes() throws IOException {
        openWithFourSegments();
        final long size = log.sizeInBytes(); // 10 batches
        // Keep at least 5 batches: dropping segment 0 (3 batches) leaves 7, dropping 15 too would leave 4.
        assertThat(log.deleteRetainedSegments(-1, 5L * BATCH_BYTES, 0)).isEqualTo(1);
        assertThat(log.sizeInBytes()).isEqualTo(size - 3L * BATCH_BYTES);
        assertThat(log.logStartOffset()).isEqualTo(15);
        assertThat(log.deleteRetainedSegments(-1, 4L * BATCH_BYTES, 0)).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(30);
    }

    @Test
    void shouldMoveTheLogStartOnDeleteRecordsAndKeepItAcrossACleanAndAnUncleanRestart() throws IOException {
        openWithFourSegments();

        assertThat(log.deleteRecordsBefore(20)).isEqualTo(20);
        assertThat(log.deleteRecordsBefore(7)).as("a lower offset changes nothing").isEqualTo(20);
        assertThat(fileNames(dir(), ".log")).as("segment 0 lies wholly below 20").hasSize(3);
        assertThatThrownBy(() -> log.read(19, 1 << 20, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(20, 1 << 20, true).logStartOffset()).isEqualTo(20);
        assertThat(log.offsetForTimestamp(0)).map(PartitionLog.TimestampAndOffset::offset).isEqualTo(Optional.of(20L));
        assertThatThrownBy(() -> log.deleteRecordsBefore(51)).isInstanceOf(OffsetOutOfRangeException.class);

        copyDir(dir(), tmp.resolve("crashed-0")); // as if the process died now: no clean-shutdown marker
        log.close();
        log = PartitionLog.open(dir(), TP, LogConfig.defaults(), clock);
        assertThat(log.logStartOffset()).isEqualTo(20);
        log.close();
        log = PartitionLog.open(tmp.resolve("crashed-0"), TP, LogConfig.defaults(), clock);
        assertThat(log.logStartOffset()).isEqualTo(20);
        assertThat(log.logEndOffset()).isEqualTo(50);
        assertThat(readAll(log, 20)).hasSize(30);
    }

    @Test
    void shouldLetAReaderFinishASliceOfASegmentDeletedUnderIt() throws IOException {
        openWithFourSegments();
        final PartitionLog.ReadResult before = log.read(0, 1 << 20, true);

        log.deleteRecordsBefore(50);
        assertThat(log.deleteRetainedSegments(-1, -1, MINUTE)).as("already gone by DeleteRecords").isZero();

        assertThat(recordsOf(before.records())).isNotEmpty().first().extracting(LogTestSupport.Rec::offset).isEqualTo(0L);
        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(45, ".log"));
        assertThat(log.logStartOffset()).isEqualTo(50);
        assertThat(readAll(log, 50)).isEmpty();
    }

    @Test
    void shouldNotAnswerAMaxTimestampBelowTheLogStart() throws IOException {
        log = PartitionLog.open(dir(), TP, LogConfig.defaults(), clock);
        log.append(batch(START_MS + 1000, "late", 5), 0);  // offsets 0-4 hold the largest timestamps
        log.append(batch(START_MS, "early", 5), 0);        // offsets 5-9

        assertThat(log.maxTimestampAndOffset()).map(PartitionLog.TimestampAndOffset::offset).isEqualTo(Optional.of(4L));
        log.deleteRecordsBefore(6);

        final PartitionLog.TimestampAndOffset max = log.maxTimestampAndOffset().orElseThrow();
        assertThat(max.offset()).isEqualTo(9);
        assertThat(max.timestampMs()).isEqualTo(START_MS + 4);
        log.deleteRecordsBefore(10);
        assertThat(log.maxTimestampAndOffset()).isEmpty();
    }
}
