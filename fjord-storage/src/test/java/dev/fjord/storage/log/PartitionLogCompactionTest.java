package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.bytes;
import static dev.fjord.storage.log.LogTestSupport.copyDir;
import static dev.fjord.storage.log.LogTestSupport.fileNames;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.recordsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Log compaction on real segment files, with time moved by hand. */
class PartitionLogCompactionTest {
    private static final long MINUTE = 60_000L;
    private static final long DAY = 24 * 60 * MINUTE;
    /** Clean whenever anything is dirty; tombstones stay one day. */
    private static final LogCompactor.Settings EAGER = new LogCompactor.Settings(DAY, 0.0, 0, Long.MAX_VALUE, 0);

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(START_MS);
    private PartitionLog log;

    @AfterEach
    void closeLog() {
        LogCompactor.stepHook = step -> { };
        if (log != null) {
            log.close();
        }
    }

    private Path dir() {
        return tmp.resolve("topic-0");
    }

    /** A compacted log whose segments roll every {@code batchesPerSegment} single-record batches. */
    private PartitionLog open(final Path dir, final int batchesPerSegment) throws IOException {
        final int batchBytes = one("key-00", "v00").sizeInBytes();
        return PartitionLog.open(dir, TP, LogConfig.defaults().withSegmentBytes(batchBytes * batchesPerSegment + 1)
                .withCompact(true), clock);
    }

    private MemoryRecords one(final String key, final String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(clock.wallMillis(), bytes(key), bytes(value)));
    }

    private void put(final String key, final String value) {
        log.append(one(key, value), 0);
    }

    /** Writes {@code rounds} updates of keys k0..k{keys-1}, one record per batch. */
    private void writeRounds(final int keys, final int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < keys; k++) {
                put("key-0" + k, String.format("v%02d", r));
            }
        }
    }

    private long activeBase() {
        return log.compactionView(0).activeBase();
    }

    /**
     * What compaction must leave of {@code before}: below {@code cleanableEnd}, the last record of each key there
     * (tombstones too, while they are kept); everything from {@code cleanableEnd} on as it was.
     */
    private static List<Rec> model(final List<Rec> before, final long cleanableEnd) {
        final Map<String, Long> last = new HashMap<>();
        for (final Rec r : before) {
            if (r.offset() < cleanableEnd) {
                last.put(r.key(), r.offset());
            }
        }
        final List<Rec> out = new ArrayList<>();
        for (final Rec r : before) {
            if (r.offset() >= cleanableEnd || last.get(r.key()) == r.offset()) {
                out.add(r);
            }
        }
        return out;
    }

    private static Map<String, String> latestValues(final List<Rec> records) {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final Rec r : records) {
            out.put(r.key(), r.value());
        }
        return out;
    }

    @Test
    void shouldKeepTheLatestRecordOfEachKeyAtItsOriginalOffset() throws IOException {
        log = open(dir(), 4);
        writeRounds(5, 10);
        final List<Rec> before = readAll(log, 0);
        final long end = activeBase();

        final LogCompactor.Result result = log.compact(EAGER);

        assertThat(result.cleaned()).isTrue();
        assertThat(result.cleanedUpTo()).isEqualTo(end);
        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
        final List<Rec> after = readAll(log, 0);
        assertThat(after).isEqualTo(model(before, end));
        assertThat(latestValues(after)).isEqualTo(latestValues(before));
        // Reads at any offset still work, also inside the gaps compaction left.
        for (long o = 0; o < log.logEndOffset(); o++) {
            final long from = o;
            assertThat(readAll(log, o)).isEqualTo(model(before, end).stream().filter(r -> r.offset() >= from).toList());
        }
        // Nothing dirty any more: a second pass does nothing.
        assertThat(log.compact(EAGER).cleaned()).isFalse();
    }

    @Test
    void shouldKeepTheCompactedLogAcrossARestartWithWorkingIndexes() throws IOException {
        log = open(dir(), 4);
        writeRounds(5, 10);
        final List<Rec> before = readAll(log, 0);
        final long end = activeBase();
        log.compact(EAGER);
        log.close();
        log = open(dir(), 4);
        assertThat(readAll(log, 0)).isEqualTo(model(before, end));
        assertThat(log.logEndOffset()).isEqualTo(50);
        assertThat(fileNames(dir(), ".cleaned")).isEmpty();
        assertThat(fileNames(dir(), ".swap")).isEmpty();
    }

    @Test
    void shouldNotCleanTheActiveSegmentAndCleanItLaterOnceSealed() throws IOException {
        log = open(dir(), 4);
        writeRounds(5, 3);
        final long firstEnd = activeBase();
        log.compact(EAGER);
        writeRounds(5, 3);
        final List<Rec> before = readAll(log, 0);
        final long end = activeBase();
        assertThat(end).isGreaterThan(firstEnd);

        assertThat(log.compact(EAGER).cleaned()).isTrue();

        assertThat(readAll(log, 0)).isEqualTo(model(before, end));
    }

    @Test
    void shouldLetRetentionDeleteSegmentsThatCompactionEmptied() throws IOException {
        // compact,delete: compaction empties the first segments, and retention by time still removes them later.
        log = open(dir(), 4);
        writeRounds(4, 4); // segments 0, 4, 8 sealed at START; active 12
        clock.advanceMillis(10 * MINUTE);
        writeRounds(4, 1); // rolls: segment 12 sealed, active 16 at START+10min
        log.compact(EAGER);
        assertThat(readAll(log, 0)).hasSize(8);
        clock.advanceMillis(5 * MINUTE);
        assertThat(log.deleteRetainedSegments(12 * MINUTE, -1, 0)).isEqualTo(4);
        assertThat(log.logStartOffset()).isEqualTo(16);
        assertThat(readAll(log, 16)).extracting(Rec::offset).containsExactly(16L, 17L, 18L, 19L);
    }

    @Test
    void shouldLetAFetchThatStartedOnAReplacedSegmentFinish() throws IOException {
        log = open(dir(), 4);
        writeRounds(5, 4);
        final Records inFlight = log.read(0, 1 << 20, true).records();
        final List<Rec> seen = recordsOf(inFlight);

        log.compact(EAGER);

        assertThat(readAll(log, 0)).hasSizeLessThan(20);
        assertThat(recordsOf(inFlight)).isEqualTo(seen);
    }

    @Test
    void shouldRemoveTombstonesOnlyDeleteRetentionMsAfterTheyWereFirstCleaned() throws IOException {
        log = open(dir(), 4);
        writeRounds(3, 2);
        log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(clock.wallMillis(), bytes("key-01"), null)), 0);
        writeRounds(1, 6); // key-00 only: seals the segment holding the tombstone
        final long end = activeBase();

        log.compact(EAGER);
        // key-01's values are gone, its tombstone is kept.
        List<Rec> after = readAll(log, 0);
        assertThat(after.stream().filter(r -> r.key().equals("key-01")).toList())
                .singleElement().satisfies(r -> assertThat(r.value()).isNull())
                // The batch now carries a delete horizon; the record's own timestamp is unchanged.
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(START_MS))
                .satisfies(r -> assertThat(batchesAt(r.offset()).get(0).deleteHorizonMs()).hasValue(START_MS + DAY));

        clock.advanceMillis(DAY - 1);
        log.compact(EAGER);
        assertThat(readAll(log, 0).stream().filter(r -> r.key().equals("key-01"))).hasSize(1);

        clock.advanceMillis(1);
        final LogCompactor.Result result = log.compact(EAGER);
        assertThat(result.cleaned()).isTrue();
        after = readAll(log, 0);
        assertThat(after.stream().filter(r -> r.key().equals("key-01"))).isEmpty();
        assertThat(latestValues(after)).containsOnlyKeys("key-00", "key-02");
        assertThat(result.cleanedUpTo()).isEqualTo(end);
    }

    @Test
    void shouldKeepTheNextDeleteHorizonAcrossARestartInsteadOfPassingOverEverything() throws IOException {
        log = open(dir(), 4);
        writeRounds(3, 2);
        log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(clock.wallMillis(), bytes("key-01"), null)), 0);
        writeRounds(1, 6);
        assertThat(log.compact(EAGER).cleaned()).isTrue(); // keeps the tombstone until START_MS + DAY
        log.close();

        log = open(dir(), 4);
        assertThat(log.compact(EAGER).cleaned()).as("nothing dirty and no horizon due after the restart").isFalse();
        clock.advanceMillis(DAY);
        assertThat(log.compact(EAGER).cleaned()).as("the kept horizon is due").isTrue();
        assertThat(readAll(log, 0).stream().filter(r -> r.key().equals("key-01"))).isEmpty();
    }

    @Test
    void shouldCleanOnlyWhenTheDirtyRatioIsReached() throws IOException {
        log = open(dir(), 4);
        writeRounds(10, 4); // 40 records, 10 distinct keys
        final LogCompactor.Settings half = new LogCompactor.Settings(DAY, 0.5, 0, Long.MAX_VALUE, 0);
        assertThat(log.compact(half).cleaned()).isTrue();
        // A little more: one sealed dirty segment against the cleaned ones.
        writeRounds(1, 3);
        final LogCompactor.Result small = log.compact(half);
        assertThat(small.cleaned()).isFalse();
        assertThat(small.dirtyRatio()).isGreaterThan(0).isLessThan(0.5);
        writeRounds(1, 20);
        final LogCompactor.Result big = log.compact(half);
        assertThat(big.cleaned()).isTrue();
        assertThat(big.dirtyRatio()).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void shouldNotCleanRecordsYoungerThanMinCompactionLag() throws IOException {
        log = open(dir(), 4);
        final LogCompactor.Settings lag = new LogCompactor.Settings(DAY, 0.0, 10 * MINUTE, Long.MAX_VALUE, 0);
        writeRounds(2, 4); // segments 0 and 4 at START
        clock.advanceMillis(5 * MINUTE);
        writeRounds(2, 4); // segment 8 and the active one at 12, at START+5min
        final List<Rec> before = readAll(log, 0);

        clock.advanceMillis(6 * MINUTE); // the first two segments are 11 minutes old, the next two 6
        assertThat(log.compact(lag).cleanedUpTo()).isEqualTo(8);
        assertThat(readAll(log, 0)).isEqualTo(model(before, 8));

        clock.advanceMillis(5 * MINUTE);
        assertThat(log.compact(lag).cleanedUpTo()).isEqualTo(12);
        assertThat(readAll(log, 0)).isEqualTo(model(before, 12));
    }

    @Test
    void shouldForceCleaningOfRecordsOlderThanMaxCompactionLag() throws IOException {
        log = open(dir(), 4);
        final LogCompactor.Settings lazy = new LogCompactor.Settings(DAY, 1.0, 0, 30 * MINUTE, 0);
        writeRounds(10, 4);
        assertThat(log.compact(new LogCompactor.Settings(DAY, 0.0, 0, Long.MAX_VALUE, 0)).cleaned()).isTrue();
        writeRounds(1, 8);
        assertThat(log.compact(lazy).cleaned()).isFalse();
        clock.advanceMillis(30 * MINUTE);
        assertThat(log.compact(lazy).cleaned()).isTrue();
    }

    private MemoryRecords txn(final long pid, final int seq, final String key, final String value) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, (short) 0, seq,
                new SimpleRecord(clock.wallMillis(), bytes(key), bytes(value)));
    }

    /** Where {@link #writeTransactions} put its three markers. */
    private record Markers(long abortAt, long commitAt, long emptyCommitAt) {
    }

    /**
     * An aborted transaction (a, b), a committed one (c), a committed one whose only key is overwritten later (d),
     * each ended by its marker, then plain records that seal their segments.
     */
    private Markers writeTransactions() {
        put("a", "plain-1");
        log.append(txn(7, 0, "a", "aborted"), 0);
        log.append(txn(7, 1, "b", "aborted"), 0);
        final long abortAt = log.appendTxnMarker(7, (short) 0, 0, false, 0).firstOffset();
        log.append(txn(8, 0, "c", "committed"), 0);
        final long commitAt = log.appendTxnMarker(8, (short) 0, 0, true, 0).firstOffset();
        log.append(txn(9, 0, "d", "committed-then-replaced"), 0);
        final long emptyCommitAt = log.appendTxnMarker(9, (short) 0, 0, true, 0).firstOffset();
        put("d", "plain-d");
        writeRounds(1, 6);
        return new Markers(abortAt, commitAt, emptyCommitAt);
    }

    @Test
    void shouldDropAbortedTransactionsAndMarkersOnceTheirTransactionIsEmpty() throws IOException {
        log = open(dir(), 3);
        final Markers m = writeTransactions();
        assertThat(log.abortedTransactions(0, Long.MAX_VALUE)).hasSize(1);

        log.compact(EAGER);
        List<Rec> after = readAll(log, 0);
        assertThat(after).extracting(Rec::value).doesNotContain("aborted", "committed-then-replaced");
        assertThat(after).extracting(Rec::value).contains("plain-1", "committed", "plain-d");
        // All markers still there: two empty transactions wait for delete.retention.ms, one has a record.
        assertThat(markerOffsets()).containsExactly(m.abortAt(), m.commitAt(), m.emptyCommitAt());

        clock.advanceMillis(DAY);
        log.compact(EAGER);
        assertThat(markerOffsets()).containsExactly(m.commitAt());
        // The aborted transaction's index entry went with its marker.
        assertThat(log.abortedTransactions(0, Long.MAX_VALUE)).isEmpty();
        assertThat(latestValues(readAll(log, 0))).containsEntry("c", "committed").containsEntry("a", "plain-1");
    }

    private List<Long> markerOffsets() {
        final List<Long> out = new ArrayList<>();
        long next = 0;
        while (next < log.logEndOffset()) {
            boolean progressed = false;
            for (final RecordBatch b : log.read(next, 1 << 20, true).records().batches()) {
                if (b.isControlBatch()) {
                    out.add(b.baseOffset());
                }
                next = b.lastOffset() + 1;
                progressed = true;
            }
            if (!progressed) {
                break;
            }
        }
        return out;
    }

    @Test
    void shouldNeverCleanRecordsOfAnOpenTransaction() throws IOException {
        log = open(dir(), 3);
        writeRounds(2, 3);
        final long lso = log.append(txn(5, 0, "key-00", "open"), 0).firstOffset();
        writeRounds(2, 6);
        final List<Rec> before = readAll(log, 0);
        assertThat(log.lastStableOffset()).isEqualTo(lso);

        final LogCompactor.Result result = log.compact(EAGER);

        assertThat(result.cleanedUpTo()).isLessThanOrEqualTo(lso);
        assertThat(readAll(log, 0)).isEqualTo(model(before, result.cleanedUpTo()));
        assertThat(readAll(log, 0).stream().filter(r -> r.offset() >= lso).toList())
                .isEqualTo(before.stream().filter(r -> r.offset() >= lso).toList());
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class)
    void shouldFilterCompressedBatchesAndKeepTheirCodec(final CompressionType type) throws IOException {
        final Compression codec = Compression.of(type).build();
        log = PartitionLog.open(dir(), TP, LogConfig.defaults().withSegmentBytes(1).withCompact(true), clock);
        // Each batch is its own segment (segment.bytes=1): keys k0..k3, batch 2 updates k1 and k2 only.
        log.append(MemoryRecords.withRecords(codec, rec("k0", "a0"), rec("k1", "a1"), rec("k2", "a2"), rec("k3", "a3")), 0);
        log.append(MemoryRecords.withRecords(codec, rec("k4", "b4"), rec("k5", "b5")), 0);
        log.append(MemoryRecords.withRecords(codec, rec("k1", "c1"), rec("k2", "c2")), 0);
        log.append(MemoryRecords.withRecords(codec, rec("x", "active")), 0);
        final List<RecordBatch> untouchedBefore = batchesAt(4);

        log.compact(EAGER);

        final List<Rec> after = readAll(log, 0);
        assertThat(after).extracting(Rec::offset).containsExactly(0L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(after).extracting(Rec::value).containsExactly("a0", "a3", "b4", "b5", "c1", "c2", "active");
        final RecordBatch filtered = batchesAt(0).get(0);
        assertThat(filtered.compressionType()).isEqualTo(type);
        assertThat(filtered.baseOffset()).isEqualTo(0);
        assertThat(filtered.lastOffset()).isEqualTo(3);
        // A batch whose records all stay is kept byte for byte.
        assertThat(batchesAt(4).get(0).checksum()).isEqualTo(untouchedBefore.get(0).checksum());
    }

    private SimpleRecord rec(final String key, final String value) {
        return new SimpleRecord(clock.wallMillis(), bytes(key), bytes(value));
    }

    private List<RecordBatch> batchesAt(final long offset) {
        final List<RecordBatch> out = new ArrayList<>();
        log.read(offset, 1 << 20, true).records().batches().forEach(out::add);
        return out;
    }

    @Test
    void shouldRejectRecordsWithoutKeyOnACompactedTopicOnly() throws IOException {
        log = open(dir(), 4);
        final MemoryRecords keyless = MemoryRecords.withRecords(Compression.lz4().build(),
                new SimpleRecord(START_MS, bytes("k"), bytes("v")), new SimpleRecord(START_MS, null, bytes("v")));
        assertThatThrownBy(() -> log.append(keyless, 0)).isInstanceOf(InvalidRecordException.class)
                .hasMessage("One or more records have been rejected due to 1 record errors in total, and only showing "
                        + "the first three errors at most: [RecordError(batchIndex=1, message='Compacted topic cannot "
                        + "accept message without key in topic partition topic-0')]")
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.type(KeylessRecordsException.class))
                .extracting(KeylessRecordsException::recordErrors).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .singleElement().hasFieldOrPropertyWithValue("batchIndex", 1);
        assertThat(log.logEndOffset()).isZero();
        log.updateConfig(log.config().withCompact(false));
        log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(START_MS, null, bytes("v"))), 0);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void shouldKeepDetectingDuplicatesOfAnIdempotentProducerWhoseBatchesWereCleaned() throws IOException {
        log = open(dir(), 3);
        final MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 0, 0,
                rec("key-00", "idem"));
        final long offset = log.append(first, 0).firstOffset();
        writeRounds(1, 8); // replaces key-00 everywhere
        log.compact(EAGER);
        assertThat(readAll(log, 0)).extracting(Rec::value).doesNotContain("idem");
        final MemoryRecords retry = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 0, 0,
                rec("key-00", "idem"));
        assertThat(log.append(retry, 0).firstOffset()).isEqualTo(offset);
        log.close();
        log = open(dir(), 3);
        final MemoryRecords retryAgain = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 0, 0,
                rec("key-00", "idem"));
        assertThat(log.append(retryAgain, 0).firstOffset()).isEqualTo(offset);
    }

    /** A crash at each step of the swap: the copy of the directory at that moment opens as a valid log. */
    @ParameterizedTest
    @ValueSource(strings = {"cleaned-written", "committed", "swap-half-done"})
    void shouldRecoverFromACrashAtAnyStepOfTheSwap(final String step) throws IOException {
        log = open(dir(), 4);
        writeRounds(5, 10);
        final List<Rec> before = readAll(log, 0);
        final long end = activeBase();
        final Path crashed = tmp.resolve("crashed-0");
        LogCompactor.stepHook = s -> {
            if (s.equals(step)) {
                try {
                    copyDir(dir(), crashed);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new IllegalStateException("crash at " + s);
            }
        };
        assertThatThrownBy(() -> log.compact(EAGER)).hasMessageContaining("crash at " + step);
        LogCompactor.stepHook = s -> { };

        final PartitionLog recovered = open(crashed, 4);
        try {
            final List<Rec> records = readAll(recovered, 0);
            // Before the commit point the first segment is as it was; after it, compacted.
            final List<Rec> firstSegmentCompacted = new ArrayList<>(model(before, end).stream().filter(r -> r.offset() < 4).toList());
            firstSegmentCompacted.addAll(before.stream().filter(r -> r.offset() >= 4).toList());
            assertThat(records).isEqualTo(step.equals("cleaned-written") ? before : firstSegmentCompacted);
            assertThat(fileNames(crashed, ".cleaned")).isEmpty();
            assertThat(fileNames(crashed, ".swap")).isEmpty();
            recovered.compact(EAGER);
            assertThat(readAll(recovered, 0)).isEqualTo(model(before, end));
        } finally {
            recovered.close();
        }
    }

    // ---------------------------------------------------------------- a key map smaller than the dirty part

    /** Writes {@code rounds} updates of keys key-000..key-{keys-1} to {@code target}, one record per batch. */
    private void writeManyKeys(final PartitionLog target, final int keys, final int rounds) {
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < keys; k++) {
                target.append(one(String.format("key-%03d", k), String.format("v%02d", r)), 0);
            }
        }
    }

    /** One batch of {@code count} records, keys {@code tag}-k0.., all with {@code value}. */
    private MemoryRecords keys(final String tag, final int count, final String value) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = rec(tag + "-k" + i, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** Passes until one does nothing; each must move the checkpoint on (or, once clean, hold it). */
    private List<Long> compactFully(final LogCompactor.Settings settings) {
        final List<Long> ends = new ArrayList<>();
        LogCompactor.Result result;
        while ((result = log.compact(settings)).cleaned()) {
            if (!ends.isEmpty()) {
                assertThat(result.cleanedUpTo()).isGreaterThanOrEqualTo(ends.get(ends.size() - 1));
            }
            ends.add(result.cleanedUpTo());
            assertThat(ends).hasSizeLessThan(1000);
        }
        return ends;
    }

    @Test
    void shouldConvergeOverPassesOfATinyMapToWhatOnePassOfTheDefaultMapLeaves() throws IOException {
        final PartitionLog roomy = open(tmp.resolve("roomy-0"), 30);
        log = open(dir(), 30);
        try {
            writeManyKeys(log, 100, 5);
            writeManyKeys(roomy, 100, 5);
            final List<Rec> before = readAll(log, 0);
            final long end = activeBase();
            assertThat(end).isGreaterThan(400);
            assertThat(roomy.compact(EAGER).cleanedUpTo()).isEqualTo(end);

            final LogCompactor.Settings tiny = EAGER.withMaxMapEntries(10);
            long checkpoint = 0;
            int passes = 0;
            LogCompactor.Result result;
            while ((result = log.compact(tiny)).cleaned()) {
                // Ten single-record batches of ten distinct keys per pass; the rest waits, untouched.
                assertThat(result.cleanedUpTo()).isEqualTo(Math.min(checkpoint + 10, end));
                checkpoint = result.cleanedUpTo();
                assertThat(readAll(log, 0)).isEqualTo(model(before, checkpoint));
                assertThat(++passes).isLessThan(1000);
            }
            assertThat(checkpoint).isEqualTo(end);
            assertThat(passes).isEqualTo((int) ((end + 9) / 10));
            assertThat(readAll(log, 0)).isEqualTo(readAll(roomy, 0)).isEqualTo(model(before, end));
            assertThat(latestValues(readAll(log, 0))).hasSize(100);
        } finally {
            roomy.close();
        }
    }

    @Test
    void shouldMakeProgressPassAfterPassInsideASegmentWithMoreKeysThanTheMapTakes() throws IOException {
        log = PartitionLog.open(dir(), TP, LogConfig.defaults().withSegmentMs(MINUTE).withCompact(true), clock);
        // One segment: ten batches of 4 new keys (0..39), one of 15 (40..54), five updating the first ones (55..74).
        for (int b = 0; b < 10; b++) {
            log.append(keys("b" + b, 4, "old"), 0);
        }
        log.append(keys("big", 15, "v"), 0);
        for (int b = 0; b < 5; b++) {
            log.append(keys("b" + b, 4, "new"), 0);
        }
        clock.advanceMillis(MINUTE);
        put("tail", "t"); // rolls: the segment is sealed
        assertThat(activeBase()).isEqualTo(75);
        final List<Rec> before = readAll(log, 0);

        final List<Long> ends = new ArrayList<>();
        LogCompactor.Result result;
        while ((result = log.compact(EAGER.withMaxMapEntries(10))).cleaned()) {
            ends.add(result.cleanedUpTo());
            assertThat(readAll(log, 0)).isEqualTo(model(before, result.cleanedUpTo()));
            assertThat(ends).hasSizeLessThan(20);
        }

        // Two batches of 4 fit in 10 keys, a third does not; the batch of 15 goes in alone, beyond the bound.
        assertThat(ends).containsExactly(8L, 16L, 24L, 32L, 40L, 55L, 63L, 71L, 75L);
        // b0..b4's old values (offsets 0..19) are gone, b5..b9's stay.
        assertThat(readAll(log, 0)).filteredOn(r -> r.value().equals("old")).extracting(Rec::offset)
                .hasSize(20).allMatch(o -> o >= 20 && o < 40);
    }

    @Test
    void shouldKeepTheTombstoneRulesWithATinyMap() throws IOException {
        log = open(dir(), 4);
        writeRounds(3, 2);
        final long tombstone = log.append(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(clock.wallMillis(), bytes("key-01"), null)), 0).firstOffset();
        writeRounds(1, 6);
        final long end = activeBase();
        final LogCompactor.Settings tiny = EAGER.withMaxMapEntries(1);

        final List<Long> ends = new ArrayList<>();
        LogCompactor.Result result;
        while ((result = log.compact(tiny)).cleaned()) {
            ends.add(result.cleanedUpTo());
            if (result.cleanedUpTo() <= tombstone) {
                // Not cleaned yet: no delete horizon.
                assertThat(batchesAt(tombstone).get(0).deleteHorizonMs()).isEmpty();
            }
            assertThat(ends).hasSizeLessThan(100);
        }
        assertThat(ends).hasSizeGreaterThan(1).last().isEqualTo(end);
        assertThat(readAll(log, 0).stream().filter(r -> r.key().equals("key-01")).toList())
                .singleElement().satisfies(r -> assertThat(r.value()).isNull())
                .satisfies(r -> assertThat(batchesAt(r.offset()).get(0).deleteHorizonMs()).hasValue(START_MS + DAY));

        clock.advanceMillis(DAY - 1);
        compactFully(tiny);
        assertThat(readAll(log, 0).stream().filter(r -> r.key().equals("key-01"))).hasSize(1);

        clock.advanceMillis(1);
        assertThat(compactFully(tiny)).isNotEmpty();
        final List<Rec> after = readAll(log, 0);
        assertThat(after.stream().filter(r -> r.key().equals("key-01"))).isEmpty();
        assertThat(latestValues(after)).containsOnlyKeys("key-00", "key-02");
    }

    @Test
    void shouldKeepTheTransactionRulesWithATinyMap() throws IOException {
        log = open(dir(), 3);
        final Markers m = writeTransactions();
        final LogCompactor.Settings tiny = EAGER.withMaxMapEntries(1);

        assertThat(compactFully(tiny)).hasSizeGreaterThan(1).last().isEqualTo(activeBase());
        final List<Rec> after = readAll(log, 0);
        assertThat(after).extracting(Rec::value).doesNotContain("aborted", "committed-then-replaced");
        assertThat(after).extracting(Rec::value).contains("plain-1", "committed", "plain-d");
        assertThat(markerOffsets()).containsExactly(m.abortAt(), m.commitAt(), m.emptyCommitAt());

        clock.advanceMillis(DAY);
        compactFully(tiny);
        assertThat(markerOffsets()).containsExactly(m.commitAt());
        assertThat(log.abortedTransactions(0, Long.MAX_VALUE)).isEmpty();
        assertThat(latestValues(readAll(log, 0))).containsEntry("c", "committed").containsEntry("a", "plain-1");
    }
}
