package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.copyDir;
import static dev.fjord.storage.log.LogTestSupport.expected;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogRecoveryTest {
    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(START_MS);
    private final List<PartitionLog> opened = new ArrayList<>();
    private final List<Rec> written = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();

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

    /** Appends {@code n} batches (alternating codecs, 1..4 records) and remembers what was written. */
    private void fill(final PartitionLog log, final int n) {
        for (int i = 0; i < n; i++) {
            final Compression c = i % 2 == 0 ? Compression.NONE : Compression.gzip().build();
            final MemoryRecords b = batch(c, START_MS + written.size(), "r" + written.size(), 1 + i % 4);
            written.addAll(expected(b, log.logEndOffset()));
            batchSizes.add(b.sizeInBytes());
            log.append(b, 3);
        }
    }

    private static Path lastSegment(final Path dir) throws IOException {
        final List<String> logs = fileNames(dir, ".log");
        return dir.resolve(logs.get(logs.size() - 1));
    }

    /** Offset the log should end at after losing its last batch. */
    private long endWithoutLastBatch() {
        final Rec last = written.get(written.size() - 1);
        long first = last.offset();
        while (first > 0 && written.get((int) first - 1).key().startsWith(last.key().substring(0, last.key().indexOf('-')) + "-")) {
            first--;
        }
        return first;
    }

    // ---- clean shutdown ----

    @Test
    void shouldKeepEverythingAndContinueWhenReopenedAfterACleanClose() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(600);
        final PartitionLog log = open(dir, config);
        fill(log, 30);
        final long end = log.logEndOffset();
        final List<String> segments = fileNames(dir, ".log");
        assertThat(segments.size()).isGreaterThan(2);
        log.close();
        assertThat(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).exists();

        final PartitionLog reopened = open(dir, config);
        assertThat(dir.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).doesNotExist();
        assertThat(fileNames(dir, ".log")).isEqualTo(segments);
        assertThat(reopened.logStartOffset()).isZero();
        assertThat(reopened.logEndOffset()).isEqualTo(end);
        assertThat(reopened.highWatermark()).isEqualTo(end);
        assertThat(readAll(reopened, 0)).containsExactlyElementsOf(written);
        fill(reopened, 10);
        assertThat(readAll(reopened, 0)).containsExactlyElementsOf(written);
        assertThat(reopened.read(end, 1 << 20, true).records().batches().iterator().next().baseOffset()).isEqualTo(end);
    }

    @Test
    void shouldReopenAnEmptyLogWhenClosedWithoutAppends() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        open(dir, LogConfig.defaults()).close();
        final PartitionLog log = open(dir, LogConfig.defaults());
        assertThat(log.logEndOffset()).isZero();
        fill(log, 2);
        assertThat(readAll(log, 0)).containsExactlyElementsOf(written);
    }

    // ---- unclean stop: a copy of the directory of a log that is still open ----

    @Test
    void shouldRecoverEverythingWhenStoppedUncleanlyWithIntactFiles() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(700);
        final PartitionLog log = open(dir, config);
        fill(log, 40);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        assertThat(crashed.resolve(PartitionLog.CLEAN_SHUTDOWN_FILE)).doesNotExist();

        final PartitionLog recovered = open(crashed, config);
        assertThat(recovered.logEndOffset()).isEqualTo(log.logEndOffset());
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written);
        final long end = recovered.logEndOffset();
        assertThat(recovered.append(batch(START_MS, "next", 2), 0).firstOffset()).isEqualTo(end);
    }

    @Test
    void shouldCutToTheLastWholeBatchWhenTheTailIsTornMidBatch() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(700);
        fill(open(dir, config), 25);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        final Path tail = lastSegment(crashed);
        final long size = Files.size(tail);
        try (FileChannel ch = FileChannel.open(tail, StandardOpenOption.WRITE)) {
            ch.truncate(size - batchSizes.get(batchSizes.size() - 1) / 2);
        }

        final long expectedEnd = endWithoutLastBatch();
        final PartitionLog recovered = open(crashed, config);
        assertThat(recovered.logEndOffset()).isEqualTo(expectedEnd);
        assertThat(Files.size(tail)).isEqualTo(size - batchSizes.get(batchSizes.size() - 1));
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written.subList(0, (int) expectedEnd));

        final PartitionLog.AppendResult next = recovered.append(batch(START_MS, "after", 3), 0);
        assertThat(next.firstOffset()).isEqualTo(expectedEnd);
        final List<Rec> all = readAll(recovered, 0);
        assertThat(all).hasSize((int) expectedEnd + 3);
        assertThat(all.get((int) expectedEnd).key()).isEqualTo("after-k0");
    }

    @Test
    void shouldCutTheLastBatchWhenAByteInsideItIsFlipped() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults();
        fill(open(dir, config), 12);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        final Path tail = lastSegment(crashed);
        final long size = Files.size(tail);
        try (FileChannel ch = FileChannel.open(tail, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final ByteBuffer one = ByteBuffer.allocate(1);
            final long at = size - 5; // in the last record of the last batch
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
            ch.write(one, at);
        }

        final long expectedEnd = endWithoutLastBatch();
        final PartitionLog recovered = open(crashed, config);
        assertThat(recovered.logEndOffset()).isEqualTo(expectedEnd);
        assertThat(Files.size(tail)).isEqualTo(size - batchSizes.get(batchSizes.size() - 1));
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written.subList(0, (int) expectedEnd));
        assertThat(recovered.append(batch(START_MS, "after", 1), 0).firstOffset()).isEqualTo(expectedEnd);
    }

    @Test
    void shouldCutGarbageWhenItFollowsTheLastBatch() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults();
        final PartitionLog log = open(dir, config);
        fill(log, 12);
        final long end = log.logEndOffset();
        final Random random = new Random(42);
        for (final int garbageBytes : new int[] {3, 61, 4096}) {
            final Path crashed = tmp.resolve("g" + garbageBytes);
            copyDir(dir, crashed);
            final Path tail = lastSegment(crashed);
            final long size = Files.size(tail);
            final byte[] garbage = new byte[garbageBytes];
            random.nextBytes(garbage);
            Files.write(tail, garbage, StandardOpenOption.APPEND);

            final PartitionLog recovered = open(crashed, config);
            assertThat(recovered.logEndOffset()).as("%d bytes of garbage", garbageBytes).isEqualTo(end);
            assertThat(Files.size(tail)).isEqualTo(size);
            assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written);
            assertThat(recovered.append(batch(START_MS, "after", 1), 0).firstOffset()).isEqualTo(end);
        }
    }

    @Test
    void shouldCutAZeroFilledTailWhenTheFileGrewButTheDataNeverReachedIt() throws IOException {
        final Path dir = tmp.resolve("a");
        final PartitionLog log = open(dir, LogConfig.defaults());
        fill(log, 5);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        final Path tail = lastSegment(crashed);
        final long size = Files.size(tail);
        Files.write(tail, new byte[300], StandardOpenOption.APPEND);
        final PartitionLog recovered = open(crashed, LogConfig.defaults());
        assertThat(recovered.logEndOffset()).isEqualTo(log.logEndOffset());
        assertThat(Files.size(tail)).isEqualTo(size);
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written);
    }

    @Test
    void shouldRebuildIndexesWhenTheyAreNonsenseAfterACleanClose() throws IOException {
        final Path dir = tmp.resolve("topic-0");
        final int one = batch(START_MS, "r0", 1).sizeInBytes();
        final LogConfig config = LogConfig.defaults().withSegmentBytes(2000).withIndexIntervalBytes(one);
        final PartitionLog log = open(dir, config);
        fill(log, 60);
        log.close();
        final Random random = new Random(7);
        for (final String suffix : new String[] {".index", ".timeindex"}) {
            for (final String name : fileNames(dir, suffix)) {
                final byte[] nonsense = new byte[96];
                random.nextBytes(nonsense);
                Files.write(dir.resolve(name), nonsense);
            }
        }

        final PartitionLog reopened = open(dir, config);
        assertThat(reopened.logEndOffset()).isEqualTo(written.size());
        assertThat(readAll(reopened, 0)).containsExactlyElementsOf(written);
        for (final Rec r : written) {
            assertThat(readAll(reopened, r.offset()).get(0)).isEqualTo(r);
            assertThat(reopened.offsetForTimestamp(r.timestamp()).orElseThrow().offset()).isEqualTo(r.offset());
        }
    }

    @Test
    void shouldRebuildTheIndexWhenItIsNonsenseAfterAnUncleanStop() throws IOException {
        final Path dir = tmp.resolve("a");
        final int one = batch(START_MS, "r0", 1).sizeInBytes();
        final LogConfig config = LogConfig.defaults().withIndexIntervalBytes(one);
        fill(open(dir, config), 30);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        final byte[] nonsense = new byte[4000];
        new Random(3).nextBytes(nonsense);
        Files.write(crashed.resolve(Segment.fileName(0, ".index")), nonsense);
        Files.write(crashed.resolve(Segment.fileName(0, ".timeindex")), nonsense);

        final PartitionLog recovered = open(crashed, config);
        for (final Rec r : written) {
            assertThat(readAll(recovered, r.offset()).get(0)).isEqualTo(r);
        }
        assertThat(recovered.offsetForTimestamp(written.get(40).timestamp()).orElseThrow().offset()).isEqualTo(40);
    }

    @Test
    void shouldRecoverWhenADamagedIndexIsRebuiltWithASmallerIndexThanTheLogWasWrittenWith() throws IOException {
        final Path dir = tmp.resolve("a");
        final int one = batch(START_MS, "r0", 1).sizeInBytes();
        fill(open(dir, LogConfig.defaults().withIndexIntervalBytes(one)), 30);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        // A short, damaged index file (so its old preallocated length does not set the capacity).
        Files.write(crashed.resolve(Segment.fileName(0, ".index")), new byte[] {9, 9, 9, 9, 0, 0, 0, 0});

        // 3 offset-index entries where the rebuild would want 30.
        final LogConfig small = new LogConfig(1 << 20, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1 << 20,
                TimestampType.CREATE_TIME, 1, 24);
        final PartitionLog recovered = open(crashed, small);
        assertThat(recovered.logEndOffset()).isEqualTo(written.size());
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written);
        for (final Rec r : written) {
            assertThat(readAll(recovered, r.offset()).get(0)).isEqualTo(r);
        }
        fill(recovered, 3);
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written);
    }

    @Test
    void shouldDropLaterSegmentsWhenARecoveredSegmentIsCutShort() throws IOException {
        final Path dir = tmp.resolve("a");
        final LogConfig config = LogConfig.defaults().withSegmentBytes(500);
        final PartitionLog log = open(dir, config);
        fill(log, 20);
        final Path crashed = tmp.resolve("b");
        copyDir(dir, crashed);
        // Nothing was fsynced by a flush: pretend the recovery point is the start, so every segment is checked.
        Files.writeString(crashed.resolve(PartitionLog.RECOVERY_POINT_FILE), "0\n");
        final List<String> segments = fileNames(crashed, ".log");
        assertThat(segments.size()).isGreaterThanOrEqualTo(3);
        final Path second = crashed.resolve(segments.get(1));
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(second) - 1);
        }
        final long secondBase = Long.parseLong(segments.get(1).substring(0, 20));
        final long thirdBase = Long.parseLong(segments.get(2).substring(0, 20));

        final PartitionLog recovered = open(crashed, config);
        assertThat(fileNames(crashed, ".log")).containsExactly(segments.get(0), segments.get(1));
        assertThat(recovered.logEndOffset()).isGreaterThanOrEqualTo(secondBase).isLessThan(thirdBase);
        final long end = recovered.logEndOffset();
        assertThat(readAll(recovered, 0)).containsExactlyElementsOf(written.subList(0, (int) end));
        assertThat(recovered.append(batch(START_MS, "after", 1), 0).firstOffset()).isEqualTo(end);
    }
}
