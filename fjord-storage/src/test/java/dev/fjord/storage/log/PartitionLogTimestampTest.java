package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTimestampTest {
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

    private PartitionLog open(final LogConfig config) throws IOException {
        log = PartitionLog.open(tmp.resolve("topic-0"), TP, config, clock);
        return log;
    }

    private static MemoryRecords withTimestamps(final Compression c, final long... timestamps) {
        final SimpleRecord[] rs = new SimpleRecord[timestamps.length];
        for (int i = 0; i < timestamps.length; i++) {
            rs[i] = record(timestamps[i], "k" + timestamps[i], "v" + i);
        }
        return MemoryRecords.withRecords(c, rs);
    }

    /** The answer by brute force: the first record (by offset) whose timestamp is at least {@code t}. */
    private static Optional<Rec> firstAtOrAfter(final List<Rec> all, final long t) {
        return all.stream().filter(r -> r.timestamp() >= t).findFirst();
    }

    @Test
    void shouldFindTheFirstRecordAtOrAfterATimestampAcrossSegments() throws IOException {
        final int one = withTimestamps(Compression.NONE, START_MS, START_MS + 1, START_MS + 2).sizeInBytes();
        open(LogConfig.defaults().withSegmentBytes(one * 4).withIndexIntervalBytes(one));
        final Random random = new Random(11);
        long base = START_MS;
        for (int i = 0; i < 60; i++) {
            // Mostly increasing, with some records going back in time (producers' clocks differ).
            final long a = base + random.nextInt(50);
            final long b = base + random.nextInt(50) - 30;
            final long c = base + random.nextInt(50);
            log.append(withTimestamps(i % 3 == 0 ? Compression.lz4().build() : Compression.NONE, a, b, c), 0);
            base += 20;
        }
        assertThat(fileNames(tmp.resolve("topic-0"), ".log").size()).isGreaterThan(5);
        final List<Rec> all = readAll(log, 0);
        final long maxTs = all.stream().mapToLong(Rec::timestamp).max().orElseThrow();

        for (long t = START_MS - 40; t <= maxTs + 1; t += 3) {
            final Optional<Rec> want = firstAtOrAfter(all, t);
            final Optional<PartitionLog.TimestampAndOffset> got = log.offsetForTimestamp(t);
            if (want.isEmpty()) {
                assertThat(got).as("t=%d", t).isEmpty();
            } else {
                assertThat(got).as("t=%d", t).isPresent();
                assertThat(got.get().offset()).as("t=%d", t).isEqualTo(want.get().offset());
                assertThat(got.get().timestampMs()).as("t=%d", t).isEqualTo(want.get().timestamp());
            }
        }
        assertThat(log.offsetForTimestamp(maxTs + 1)).isEmpty();

        final Rec max = all.stream().filter(r -> r.timestamp() == maxTs).findFirst().orElseThrow();
        final PartitionLog.TimestampAndOffset maxGot = log.maxTimestampAndOffset().orElseThrow();
        assertThat(maxGot.timestampMs()).isEqualTo(maxTs);
        assertThat(maxGot.offset()).isEqualTo(max.offset());

        // The same answers after a clean restart (time indexes loaded from disk).
        log.close();
        open(LogConfig.defaults().withSegmentBytes(one * 4).withIndexIntervalBytes(one));
        for (long t = START_MS - 40; t <= maxTs + 1; t += 7) {
            final Optional<Rec> want = firstAtOrAfter(all, t);
            assertThat(log.offsetForTimestamp(t).map(PartitionLog.TimestampAndOffset::offset))
                    .as("t=%d after restart", t).isEqualTo(want.map(Rec::offset));
        }
        assertThat(log.maxTimestampAndOffset().orElseThrow().offset()).isEqualTo(max.offset());
    }

    @Test
    void shouldReturnTheFirstOfEqualMaxTimestampsWhenSeveralRecordsShareIt() throws IOException {
        open(LogConfig.defaults());
        log.append(withTimestamps(Compression.NONE, START_MS, START_MS + 5), 0);           // 0,1
        log.append(withTimestamps(Compression.gzip().build(), START_MS + 1, START_MS + 9, START_MS + 9), 0); // 2,3,4
        log.append(withTimestamps(Compression.NONE, START_MS + 9, START_MS + 2), 0);       // 5,6
        final PartitionLog.TimestampAndOffset max = log.maxTimestampAndOffset().orElseThrow();
        assertThat(max.timestampMs()).isEqualTo(START_MS + 9);
        assertThat(max.offset()).isEqualTo(3);
        assertThat(log.offsetForTimestamp(START_MS + 3).orElseThrow().offset()).isEqualTo(1);
    }

    @Test
    void shouldReturnNothingWhenTheLogIsEmpty() throws IOException {
        open(LogConfig.defaults());
        assertThat(log.offsetForTimestamp(0)).isEmpty();
        assertThat(log.maxTimestampAndOffset()).isEmpty();
    }

    @Test
    void shouldStampTheClockTimeWhenTheTopicUsesLogAppendTime() throws IOException {
        open(LogConfig.defaults().withTimestampType(TimestampType.LOG_APPEND_TIME));
        clock.advanceMillis(5_000);
        final long t1 = clock.wallMillis();
        final PartitionLog.AppendResult r1 = log.append(withTimestamps(Compression.NONE, 1L, 2L, 3L), 0);
        assertThat(r1.logAppendTimeMs()).isEqualTo(t1);
        clock.advanceMillis(1_000);
        final long t2 = clock.wallMillis();
        final PartitionLog.AppendResult r2 = log.append(withTimestamps(Compression.zstd().build(), 4L, 5L), 0);
        assertThat(r2.logAppendTimeMs()).isEqualTo(t2);

        final List<RecordBatch> batches = new ArrayList<>();
        log.read(0, Integer.MAX_VALUE, false).records().batches().forEach(batches::add);
        assertThat(batches).hasSize(2);
        for (final RecordBatch b : batches) {
            b.ensureValid();
            assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        }
        assertThat(batches.get(0).maxTimestamp()).isEqualTo(t1);
        assertThat(batches.get(1).maxTimestamp()).isEqualTo(t2);
        assertThat(readAll(log, 0)).extracting(Rec::timestamp).containsExactly(t1, t1, t1, t2, t2);

        assertThat(log.offsetForTimestamp(t1 + 1).orElseThrow().offset()).isEqualTo(3);
        assertThat(log.offsetForTimestamp(0).orElseThrow().offset()).isEqualTo(0);
        assertThat(log.maxTimestampAndOffset().orElseThrow()).extracting(PartitionLog.TimestampAndOffset::offset,
                PartitionLog.TimestampAndOffset::timestampMs).containsExactly(3L, t2);
    }
}
