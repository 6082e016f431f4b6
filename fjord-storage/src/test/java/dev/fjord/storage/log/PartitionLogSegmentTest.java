package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.concat;
import static dev.fjord.storage.log.LogTestSupport.expected;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogSegmentTest {
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

    private PartitionLog open(final LogConfig config) throws IOException {
        log = PartitionLog.open(dir(), TP, config, clock);
        return log;
    }

    @Test
    void shouldRollSegmentsBySizeWhenSegmentBytesIsSmall() throws IOException {
        final int batchBytes = batch(START_MS, "b00", 5).sizeInBytes();
        open(LogConfig.defaults().withSegmentBytes(batchBytes * 3)); // three batches per segment
        final List<Rec> want = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            final MemoryRecords b = batch(START_MS + i, String.format("b%02d", i), 5);
            want.addAll(expected(b, i * 5L));
            log.append(b, 0);
        }
        assertThat(fileNames(dir(), ".log")).containsExactly(
                Segment.fileName(0, ".log"), Segment.fileName(15, ".log"),
                Segment.fileName(30, ".log"), Segment.fileName(45, ".log"));
        assertThat(fileNames(dir(), ".index")).hasSize(4);
        assertThat(fileNames(dir(), ".timeindex")).hasSize(4);
        assertThat(log.logEndOffset()).isEqualTo(50);
        assertThat(readAll(log, 0)).containsExactlyElementsOf(want);
        // Reads starting inside every segment, and from the last offset of a segment.
        assertThat(readAll(log, 14)).containsExactlyElementsOf(want.subList(14, 50));
        assertThat(readAll(log, 16)).containsExactlyElementsOf(want.subList(16, 50));
        assertThat(readAll(log, 44)).containsExactlyElementsOf(want.subList(44, 50));
        assertThat(readAll(log, 49)).containsExactlyElementsOf(want.subList(49, 50));
    }

    @Test
    void shouldRollWithoutFsyncingAndMoveTheRecoveryPointOnlyOnceTheRolledSegmentIsFlushed() throws IOException {
        final int batchBytes = batch(START_MS, "b00", 5).sizeInBytes();
        open(LogConfig.defaults().withSegmentBytes(batchBytes * 2).withSegmentMs(60_000));
        log.append(batch(START_MS, "b00", 5), 0);
        log.append(batch(START_MS, "b01", 5), 0);
        final String before = recoveryPoint();
        assertThat(log.appendMayFsync(batchBytes)).as("a roll no longer fsyncs in the append").isFalse();

        log.append(batch(START_MS, "b02", 5), 0); // rolls at offset 10

        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(0, ".log"), Segment.fileName(10, ".log"));
        assertThat(recoveryPoint()).as("not yet fsynced").isEqualTo(before);
        log.maybeFlush();
        assertThat(recoveryPoint()).isEqualTo("10");
        assertThat(readAll(log, 0)).hasSize(15);
    }

    @Test
    void shouldSayAnAppendMayFsyncWhenFlushMessagesIsSetAndThenFsyncTheRollInTheAppend() throws IOException {
        final int batchBytes = batch(START_MS, "b00", 5).sizeInBytes();
        final LogConfig config = LogConfig.defaults().withSegmentBytes(batchBytes * 2);
        open(new LogConfig(config.segmentBytes(), config.segmentMs(), 1_000_000, config.flushIntervalMs(),
                config.maxMessageBytes(), config.timestampType(), config.indexIntervalBytes(), config.segmentIndexBytes()));
        assertThat(log.appendMayFsync(batchBytes)).isTrue();
        log.append(batch(START_MS, "b00", 5), 0);
        log.append(batch(START_MS, "b01", 5), 0);
        log.append(batch(START_MS, "b02", 5), 0); // rolls at offset 10, fsyncing
        assertThat(recoveryPoint()).isEqualTo("10");
    }

    private String recoveryPoint() throws IOException {
        final Path file = dir().resolve(PartitionLog.RECOVERY_POINT_FILE);
        return Files.exists(file) ? Files.readString(file).trim() : "none";
    }

    @Test
    void shouldPutAWholeBatchInItsOwnSegmentWhenItIsLargerThanSegmentBytes() throws IOException {
        open(LogConfig.defaults().withSegmentBytes(100));
        log.append(batch(START_MS, "a", 10), 0);
        log.append(batch(START_MS, "b", 10), 0);
        log.append(batch(START_MS, "c", 10), 0);
        assertThat(fileNames(dir(), ".log")).containsExactly(
                Segment.fileName(0, ".log"), Segment.fileName(10, ".log"), Segment.fileName(20, ".log"));
        assertThat(readAll(log, 0)).hasSize(30);
    }

    @Test
    void shouldRollSegmentsByTimeWhenSegmentMsHasPassed() throws IOException {
        open(LogConfig.defaults().withSegmentMs(60_000));
        log.append(batch(START_MS, "a", 2), 0);          // 0..1, segment created at START_MS
        clock.advanceMillis(59_999);
        log.append(batch(START_MS, "b", 2), 0);          // 2..3, still young enough
        assertThat(fileNames(dir(), ".log")).hasSize(1);
        clock.advanceMillis(1);
        log.append(batch(START_MS, "c", 2), 0);          // 4..5, rolls
        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(0, ".log"), Segment.fileName(4, ".log"));
        clock.advanceMillis(30_000);
        log.append(batch(START_MS, "d", 2), 0);          // 6..7, the new segment is 30 s old
        clock.advanceMillis(30_000);
        log.append(batch(START_MS, "e", 2), 0);          // 8..9, 60 s: rolls again
        assertThat(fileNames(dir(), ".log")).containsExactly(
                Segment.fileName(0, ".log"), Segment.fileName(4, ".log"), Segment.fileName(8, ".log"));
        assertThat(readAll(log, 0)).extracting(Rec::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void shouldNotRollAnEmptySegmentWhenSegmentMsHasPassed() throws IOException {
        open(LogConfig.defaults().withSegmentMs(1000));
        clock.advanceMillis(10_000);
        log.append(batch(START_MS, "a", 1), 0);
        assertThat(fileNames(dir(), ".log")).containsExactly(Segment.fileName(0, ".log"));
    }

    @Test
    void shouldFindEveryOffsetThroughTheIndexWhenThousandsOfSmallBatchesAreAppended() throws IOException {
        final int batchBytes = batch(START_MS, "k0000", 1).sizeInBytes();
        // ~1500 batches per segment, an index entry every ~3 batches.
        open(LogConfig.defaults().withSegmentBytes(batchBytes * 1500).withIndexIntervalBytes(batchBytes * 3 - 1));
        final int n = 5000;
        for (int i = 0; i < n; i++) {
            log.append(batch(START_MS + i, String.format("k%04d", i), 1), 0);
        }
        assertThat(fileNames(dir(), ".log")).containsExactly(
                Segment.fileName(0, ".log"), Segment.fileName(1500, ".log"),
                Segment.fileName(3000, ".log"), Segment.fileName(4500, ".log"));
        for (int offset = 0; offset < n; offset++) {
            final List<Rec> recs = recordsOf(log.read(offset, batchBytes, false).records());
            assertThat(recs).as("read at %d", offset).hasSize(1);
            assertThat(recs.get(0).offset()).isEqualTo(offset);
            assertThat(recs.get(0).key()).isEqualTo(String.format("k%04d-k0", offset));
        }
        // Same after a clean restart (indexes loaded from disk, not rebuilt).
        log.close();
        open(LogConfig.defaults().withSegmentBytes(batchBytes * 1500).withIndexIntervalBytes(batchBytes * 3 - 1));
        for (int offset = 0; offset < n; offset += 7) {
            final List<Rec> recs = recordsOf(log.read(offset, batchBytes, false).records());
            assertThat(recs).as("read at %d", offset).hasSize(1);
            assertThat(recs.get(0).offset()).isEqualTo(offset);
        }
    }

    @Test
    void shouldAcceptAMultiBatchAppendWhenTheOffsetIndexHasFewerFreeSlotsThanBatches() throws IOException {
        // A 24-byte offset index holds 3 entries (the time index 2); one entry per batch.
        final LogConfig config = new LogConfig(1 << 20, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1 << 20,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 1, 24);
        open(config);
        final MemoryRecords request = concat(batch(START_MS, "a", 1), batch(START_MS + 1, "b", 1),
                batch(START_MS + 2, "c", 1), batch(START_MS + 3, "d", 1), batch(START_MS + 4, "e", 1));
        final List<Rec> want = expected(request, 0);
        final PartitionLog.AppendResult result = log.append(request, 0);
        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(4);
        assertThat(readAll(log, 0)).containsExactlyElementsOf(want);
        for (int offset = 0; offset < 5; offset++) {
            final List<RecordBatch> batches = new ArrayList<>();
            log.read(offset, Integer.MAX_VALUE, false).records().batches().forEach(batches::add);
            assertThat(batches.get(0).baseOffset()).isEqualTo(offset);
        }
        log.append(batch(START_MS + 5, "f", 1), 0);
        assertThat(readAll(log, 0)).hasSize(6);
        log.close();
        open(config);
        assertThat(readAll(log, 0)).hasSize(6);
    }

    @Test
    void shouldMeasureSegmentAgeFromTheFirstBatchAfterARestartNotTheFileTime() throws IOException {
        final LogConfig config = LogConfig.defaults().withSegmentMs(3_600_000);
        open(config).append(batch(START_MS, "first", 2), 0);
        log.close();
        // Restarted half an hour later, written to again (which moves the file's modification time).
        clock.advanceMillis(1_800_000);
        open(config).append(batch(clock.wallMillis(), "second", 2), 0);
        log.close();

        clock.advanceMillis(1_800_001); // one hour after the first batch's newest record (START_MS + 1)
        open(config).append(batch(clock.wallMillis(), "third", 2), 0);

        assertThat(fileNames(dir(), ".log")).as("rolled an hour after the first batch")
                .containsExactly(Segment.fileName(0, ".log"), Segment.fileName(4, ".log"));
    }
}
