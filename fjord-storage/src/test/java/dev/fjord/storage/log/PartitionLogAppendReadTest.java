package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.concat;
import static dev.fjord.storage.log.LogTestSupport.expected;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PartitionLogAppendReadTest {
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(START_MS);
    private PartitionLog log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    private PartitionLog open(final LogConfig config) throws IOException {
        log = PartitionLog.open(dir.resolve("topic-0"), TP, config, clock);
        return log;
    }

    static Stream<Arguments> codecs() {
        return Stream.of(
                Arguments.of("none", Compression.NONE),
                Arguments.of("gzip", Compression.gzip().build()),
                Arguments.of("snappy", Compression.snappy().build()),
                Arguments.of("lz4", Compression.lz4().build()),
                Arguments.of("zstd", Compression.zstd().build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void shouldReadBackIdenticalRecordsWithConsecutiveOffsetsWhenBatchesAreAppended(final String name,
                                                                                    final Compression compression)
            throws IOException {
        open(LogConfig.defaults());
        final List<Rec> want = new ArrayList<>();
        long next = 0;
        for (int b = 0; b < 5; b++) {
            final MemoryRecords batch = batch(compression, START_MS + b * 100L, name + b, 1 + b * 3);
            final List<Rec> exp = expected(batch, next);
            final PartitionLog.AppendResult result = log.append(batch, 7);
            assertThat(result.firstOffset()).isEqualTo(next);
            assertThat(result.lastOffset()).isEqualTo(next + exp.size() - 1);
            assertThat(result.logAppendTimeMs()).isEqualTo(-1);
            want.addAll(exp);
            next += exp.size();
        }
        assertThat(log.logEndOffset()).isEqualTo(next);
        assertThat(log.highWatermark()).isEqualTo(next);
        assertThat(readAll(log, 0)).containsExactlyElementsOf(want);

        final Records all = log.read(0, Integer.MAX_VALUE, false).records();
        for (final RecordBatch b : all.batches()) {
            assertThat(b.compressionType()).isEqualTo(compression.type());
            assertThat(b.partitionLeaderEpoch()).isEqualTo(7);
        }
        assertThat(recordsOf(all)).containsExactlyElementsOf(want);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void shouldReturnTheWholeBatchWhenFetchOffsetIsInTheMiddleOfIt(final String name, final Compression compression)
            throws IOException {
        open(LogConfig.defaults());
        log.append(batch(compression, START_MS, "a", 3), 0);   // 0..2
        log.append(batch(compression, START_MS, "b", 10), 0);  // 3..12
        log.append(batch(compression, START_MS, "c", 2), 0);   // 13..14

        final Records records = log.read(7, Integer.MAX_VALUE, false).records();
        final List<RecordBatch> batches = new ArrayList<>();
        records.batches().forEach(batches::add);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).baseOffset()).isEqualTo(3);
        assertThat(batches.get(0).lastOffset()).isEqualTo(12);
        assertThat(batches.get(1).baseOffset()).isEqualTo(13);
    }

    @Test
    void shouldBoundTheSliceByMaxBytesWhenSeveralBatchesFollow() throws IOException {
        open(LogConfig.defaults());
        final int one = batch(START_MS, "x0", 4).sizeInBytes();
        for (int i = 0; i < 10; i++) {
            log.append(batch(START_MS, "x" + i, 4), 0); // all the same size
        }
        final PartitionLog.ReadResult r = log.read(0, one * 3 + one / 2, false);
        assertThat(r.records().sizeInBytes()).isLessThanOrEqualTo(one * 3 + one / 2);
        final List<Rec> recs = recordsOf(r.records()); // whole batches only: the cut one is not iterated
        assertThat(recs).hasSize(12);
        assertThat(recs.get(0).offset()).isZero();
        assertThat(recs.get(11).offset()).isEqualTo(11);
        assertThat(r.highWatermark()).isEqualTo(40);
        assertThat(r.logEndOffset()).isEqualTo(40);
        assertThat(r.logStartOffset()).isZero();
    }

    @Test
    void shouldReturnTheWholeFirstBatchWhenItIsLargerThanMaxBytesAndMinOneMessage() throws IOException {
        open(LogConfig.defaults());
        final MemoryRecords big = batch(START_MS, "big", 50);
        final int bigSize = big.sizeInBytes();
        log.append(big, 0);
        log.append(batch(START_MS, "small", 1), 0);

        final Records r = log.read(10, 100, true).records();
        assertThat(r.sizeInBytes()).isEqualTo(bigSize);
        final List<Rec> recs = recordsOf(r);
        assertThat(recs).hasSize(50);
        assertThat(recs.get(49).offset()).isEqualTo(49);

        final Records notMin = log.read(10, 100, false).records();
        assertThat(notMin.sizeInBytes()).isLessThanOrEqualTo(100);
        assertThat(recordsOf(notMin)).isEmpty();
    }

    @Test
    void shouldReturnEmptyWhenReadingAtTheLogEnd() throws IOException {
        open(LogConfig.defaults());
        assertThat(log.read(0, 1000, true).records().sizeInBytes()).isZero();
        log.append(batch(START_MS, "a", 3), 0);
        final PartitionLog.ReadResult r = log.read(3, 1000, true);
        assertThat(r.records().sizeInBytes()).isZero();
        assertThat(r.logEndOffset()).isEqualTo(3);
    }

    @Test
    void shouldThrowOffsetOutOfRangeWhenReadingBelowStartOrAboveEnd() throws IOException {
        open(LogConfig.defaults());
        log.append(batch(START_MS, "a", 3), 0);
        assertThatThrownBy(() -> log.read(4, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    // ---- rejections write nothing ----

    @Test
    void shouldRejectAndWriteNothingWhenABatchHasACorruptCrc() throws IOException {
        open(LogConfig.defaults());
        log.append(batch(START_MS, "ok", 2), 0);
        final MemoryRecords bad = batch(START_MS, "bad", 3);
        final ByteBuffer buf = bad.buffer();
        final int at = buf.limit() - 3; // inside the last record's bytes, covered by the CRC
        buf.put(at, (byte) (buf.get(at) ^ 0x5a));
        final long sizeBefore = segmentBytes();

        assertThatThrownBy(() -> log.append(MemoryRecords.readableRecords(buf), 0))
                .isInstanceOf(CorruptRecordException.class);
        assertUnchanged(2, sizeBefore);
    }

    @Test
    void shouldRejectAndWriteNothingWhenAGoodBatchIsFollowedByACorruptOne() throws IOException {
        open(LogConfig.defaults());
        final MemoryRecords bad = batch(START_MS, "bad", 3);
        bad.buffer().put(bad.buffer().limit() - 2, (byte) 0x7f);
        final MemoryRecords request = concat(batch(START_MS, "good", 2), bad);
        assertThatThrownBy(() -> log.append(request, 0)).isInstanceOf(CorruptRecordException.class);
        assertUnchanged(0, 0);
    }

    @Test
    void shouldRejectAndWriteNothingWhenABatchIsLargerThanMaxMessageBytes() throws IOException {
        final MemoryRecords small = batch(START_MS, "s", 1);
        open(LogConfig.defaults().withMaxMessageBytes(small.sizeInBytes() + 50));
        log.append(small, 0);
        final long sizeBefore = segmentBytes();
        assertThatThrownBy(() -> log.append(batch(START_MS, "large", 20), 0))
                .isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> log.append(concat(batch(START_MS, "s2", 1), batch(START_MS, "large", 20)), 0))
                .isInstanceOf(RecordTooLargeException.class);
        assertUnchanged(1, sizeBefore);
    }

    @Test
    void shouldRejectAndWriteNothingWhenTheLastBatchOfTheBufferIsTruncated() throws IOException {
        open(LogConfig.defaults());
        log.append(batch(START_MS, "ok", 1), 0);
        final long sizeBefore = segmentBytes();
        final MemoryRecords whole = concat(batch(START_MS, "a", 2), batch(START_MS, "b", 3));
        final ByteBuffer cut = whole.buffer().duplicate();
        cut.limit(cut.limit() - 10);
        assertThatThrownBy(() -> log.append(MemoryRecords.readableRecords(cut.slice()), 0))
                .isInstanceOf(CorruptRecordException.class);
        // Only a fragment of a batch header.
        final ByteBuffer stub = batch(START_MS, "c", 1).buffer().duplicate();
        stub.limit(8);
        assertThatThrownBy(() -> log.append(MemoryRecords.readableRecords(stub.slice()), 0))
                .isInstanceOf(CorruptRecordException.class);
        assertUnchanged(1, sizeBefore);
    }

    @Test
    void shouldRejectWhenTheBufferIsEmpty() throws IOException {
        open(LogConfig.defaults());
        assertThatThrownBy(() -> log.append(MemoryRecords.EMPTY, 0)).isInstanceOf(CorruptRecordException.class);
        assertUnchanged(0, 0);
    }

    private long segmentBytes() throws IOException {
        return java.nio.file.Files.size(dir.resolve("topic-0").resolve(Segment.fileName(0, Segment.LOG_SUFFIX)));
    }

    private void assertUnchanged(final long end, final long bytes) throws IOException {
        assertThat(log.logEndOffset()).isEqualTo(end);
        assertThat(segmentBytes()).isEqualTo(bytes);
        // The next good append still lands right after.
        assertThat(log.append(batch(START_MS, "after", 1), 0).firstOffset()).isEqualTo(end);
        assertThat(readAll(log, 0)).hasSize((int) end + 1);
    }
}
