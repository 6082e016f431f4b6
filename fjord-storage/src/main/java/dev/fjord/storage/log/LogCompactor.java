package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction pass over a {@link PartitionLog} whose {@code cleanup.policy} includes {@code compact}.
 *
 * <p><b>What is cleaned.</b> The <i>cleanable</i> part of the log is the run of whole sealed segments from the
 * first one up to (not including) the first segment that reaches the active segment, the last stable offset
 * (records of open transactions are never touched), or holds a record newer than {@code min.compaction.lag.ms}.
 * Its <i>dirty</i> part starts at the cleaner checkpoint ({@code cleaner-offset-checkpoint}: where the last pass
 * stopped). A pass runs when dirty bytes / cleanable bytes reaches {@code min.cleanable.dirty.ratio}, or when the
 * first dirty segment holds a record older than {@code max.compaction.lag.ms}.
 *
 * <p><b>Rules.</b> A map of key to its latest offset is built from the dirty part (records of aborted transactions
 * and markers do not count; see <i>Bounded memory</i> below for a dirty part with more keys than the map takes).
 * Then every cleanable segment is filtered up to the end of the map, batch by batch, keeping each record's
 * offset (a batch keeps its base and last offset, so producer sequence ranges stay whole; a batch left empty
 * vanishes; a compressed batch is decompressed, filtered and recompressed with its own codec, or kept byte for
 * byte when all its records stay):
 * <ul>
 *   <li>a record whose key has a later offset in the map is dropped;</li>
 *   <li>records of aborted transactions (from the {@code .txnindex} files) are dropped;</li>
 *   <li>a tombstone (null value), and a COMMIT/ABORT marker whose transaction has no record left, is kept the
 *       first time it is cleaned and stamped with a delete horizon of now + {@code delete.retention.ms} (the
 *       record-batch field Kafka uses for this, so the horizon survives restarts); a later pass after that
 *       horizon drops it. A marker whose transaction still has records is kept (replay needs it).</li>
 * </ul>
 *
 * <p><b>Idempotent producers.</b> Producer state lives in memory and in the {@code .snapshot} files; the newest
 * snapshot is always at or after the active segment's base (one is written at every roll and at close), and only
 * segments below the active one are cleaned, so rebuilding producer state after a restart never replays a cleaned
 * batch: removing the batches of a producer does not lose its sequence or duplicate detection. (Kafka instead keeps
 * the header of a producer's last batch; a recovery that cuts the log below the active segment would replay older
 * snapshots over cleaned segments here and forget producers whose batches were all removed; they are then treated
 * as new producers, which is what Kafka does with expired producers.)
 *
 * <p><b>Swap protocol</b> (crash-safe; {@link #recoverInterruptedSwaps} runs at every load). For a segment
 * {@code B}: (1) write {@code B.log.cleaned} and {@code B.txnindex.cleaned}, fsync; (2) rename
 * {@code B.txnindex.cleaned} to {@code B.txnindex.swap}, then {@code B.log.cleaned} to {@code B.log.swap} and fsync
 * the directory: the existence of {@code B.log.swap} is the commit point; (3) delete {@code B.index} and
 * {@code B.timeindex}, rename {@code B.txnindex.swap} over {@code B.txnindex}, rename {@code B.log.swap} over
 * {@code B.log}; (4) open the new segment, rebuild its indexes, and replace the old one in the log. The old
 * segment's files stay open (unlinked) for {@code file.delete.delay.ms}, so a fetch already sending from it
 * finishes. At load: {@code *.cleaned} files are deleted (the pass never committed); a {@code B.log.swap} has step
 * (3) redone; a {@code B.txnindex.swap} without {@code B.log.swap} is deleted. Indexes are derived data and are
 * rebuilt from the log when missing.
 *
 * <p><b>Bounded memory.</b> The key map ({@link OffsetMap}) stores a 128-bit hash of each key, 24 bytes a slot
 * whatever the key's size, and holds at most {@link Settings#maxMapEntries()} keys (from
 * {@code log.cleaner.dedupe.buffer.size} and {@code log.cleaner.io.buffer.load.factor}, as in Kafka); unlike
 * Kafka's, its arrays start small and grow with the keys mapped. When the dirty part holds more keys, the map stops before
 * the first batch that might not fit; that batch's base offset, {@code mapEnd}, ends the pass: every batch from
 * {@code mapEnd} on is copied as it is (nothing dropped, no delete horizon stamped), the checkpoint becomes
 * {@code mapEnd}, and the next pass maps on from there (so a segment with more keys than the map takes is cleaned
 * over several passes).
 */
public final class LogCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(LogCompactor.class);
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    /** The key map's first size: 65536 keys, 1.7 MiB at load factor 0.9. */
    static final int INITIAL_MAP_ENTRIES = 1 << 16;

    /** Test hook: called with the name of each swap step reached; a test makes it throw to simulate a crash. */
    static volatile java.util.function.Consumer<String> stepHook = step -> { };

    /**
     * The topic settings one pass uses, and the broker's bound on its key map.
     *
     * @param deleteRetentionMs {@code delete.retention.ms}: how long tombstones and empty-transaction markers stay once cleaned
     * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}
     * @param minCompactionLagMs {@code min.compaction.lag.ms}: records younger than this are not cleaned
     * @param maxCompactionLagMs {@code max.compaction.lag.ms}: a dirty record older than this forces a pass
     * @param fileDeleteDelayMs {@code file.delete.delay.ms}: how long a replaced segment's files stay open
     * @param maxMapEntries the most distinct keys one pass maps (see {@link #maxMapEntries(long, double)}); a dirty
     *     part with more is cleaned over several passes
     * @param mapLoadFactor {@code log.cleaner.io.buffer.load.factor}: the share of the map's slots used, in (0, 1]
     */
    public record Settings(long deleteRetentionMs, double minCleanableDirtyRatio, long minCompactionLagMs,
                           long maxCompactionLagMs, long fileDeleteDelayMs, int maxMapEntries, double mapLoadFactor) {
        /** Kafka's default {@code log.cleaner.dedupe.buffer.size}: 128 MiB. */
        public static final long DEFAULT_DEDUPE_BUFFER_BYTES = 134_217_728L;
        /** Kafka's default {@code log.cleaner.io.buffer.load.factor}. */
        public static final double DEFAULT_MAP_LOAD_FACTOR = 0.9;

        public Settings {
            if (maxMapEntries < 1) {
                throw new IllegalArgumentException("maxMapEntries must be at least 1: " + maxMapEntries);
            }
            if (!(mapLoadFactor > 0 && mapLoadFactor <= 1)) {
                throw new IllegalArgumentException("mapLoadFactor must be in (0, 1]: " + mapLoadFactor);
            }
        }

        /** With the key map bounded as by Kafka's default {@code log.cleaner.dedupe.buffer.size}. */
        public Settings(final long deleteRetentionMs, final double minCleanableDirtyRatio, final long minCompactionLagMs,
                        final long maxCompactionLagMs, final long fileDeleteDelayMs) {
            this(deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs, fileDeleteDelayMs,
                    maxMapEntries(DEFAULT_DEDUPE_BUFFER_BYTES, DEFAULT_MAP_LOAD_FACTOR), DEFAULT_MAP_LOAD_FACTOR);
        }

        /** Kafka's topic defaults. */
        public static Settings defaults() {
            return new Settings(86_400_000L, 0.5, 0, Long.MAX_VALUE, 60_000L);
        }

        /** The same, with the key map bounded to {@code entries}. */
        public Settings withMaxMapEntries(final int entries) {
            return new Settings(deleteRetentionMs, minCleanableDirtyRatio, minCompactionLagMs, maxCompactionLagMs,
                    fileDeleteDelayMs, entries, mapLoadFactor);
        }

        /**
         * The most keys a map of {@code bufferBytes} holds at {@code loadFactor}, as Kafka counts it: 24 bytes a
         * slot, {@code loadFactor} of the slots used; the buffer is capped at 2 GiB (Kafka's cap per cleaner
         * thread; Fjord runs one). 134217728 bytes at 0.9: 5,033,164 keys.
         */
        public static int maxMapEntries(final long bufferBytes, final double loadFactor) {
            final long slots = Math.min(bufferBytes, Integer.MAX_VALUE) / OffsetMap.BYTES_PER_SLOT;
            return (int) Math.max(1, (long) (slots * loadFactor));
        }
    }

    /**
     * What a pass did.
     *
     * @param cleaned whether it cleaned (false: nothing cleanable, or not dirty enough)
     * @param segmentsRewritten segments replaced by a smaller (or re-stamped) copy
     * @param bytesBefore bytes of the cleanable segments before
     * @param bytesAfter and after
     * @param cleanedUpTo the end of the cleaned part: the new cleaner checkpoint
     * @param dirtyRatio the dirty ratio that was found
     */
    public record Result(boolean cleaned, int segmentsRewritten, long bytesBefore, long bytesAfter, long cleanedUpTo,
                         double dirtyRatio) {
        static Result none(final double ratio) {
            return new Result(false, 0, 0, 0, -1, ratio);
        }
    }

    private final PartitionLog log;
    private final Settings settings;

    LogCompactor(final PartitionLog log, final Settings settings) {
        this.log = log;
        this.settings = settings;
    }

    Result run() throws IOException {
        final PartitionLog.CompactionView view = log.compactionView(settings.fileDeleteDelayMs());
        if (view == null || view.sealed().isEmpty()) {
            return Result.none(0);
        }
        final long now = view.nowMs();
        final List<Segment> sealed = view.sealed();
        final long bound = Math.min(view.activeBase(), view.lastStable());
        final List<Segment> cleanable = new ArrayList<>();
        long cleanedUpTo = -1;
        for (int i = 0; i < sealed.size(); i++) {
            final Segment s = sealed.get(i);
            final long next = i + 1 < sealed.size() ? sealed.get(i + 1).baseOffset() : view.activeBase();
            if (next > bound) {
                break;
            }
            if (settings.minCompactionLagMs() > 0 && s.maxTimestamp() > now - settings.minCompactionLagMs()) {
                break;
            }
            cleanable.add(s);
            cleanedUpTo = next;
        }
        // Tombstones or markers kept by an earlier pass may be due for removal even when nothing is dirty.
        final boolean horizonDue = view.nextDeleteHorizonMs() <= now;
        if (cleanable.isEmpty() || view.firstDirty() >= cleanedUpTo && !horizonDue) {
            return Result.none(0);
        }
        long dirtyBytes = 0;
        long totalBytes = 0;
        Segment firstDirty = null;
        final List<Segment> dirty = new ArrayList<>();
        for (int i = 0; i < cleanable.size(); i++) {
            final Segment s = cleanable.get(i);
            final long next = i + 1 < cleanable.size() ? cleanable.get(i + 1).baseOffset() : cleanedUpTo;
            totalBytes += s.sizeInBytes();
            if (next > view.firstDirty()) {
                dirtyBytes += s.sizeInBytes();
                dirty.add(s);
                if (firstDirty == null) {
                    firstDirty = s;
                }
            }
        }
        final double ratio = totalBytes == 0 ? 0 : (double) dirtyBytes / totalBytes;
        final boolean forced = settings.maxCompactionLagMs() < Long.MAX_VALUE && firstDirty != null
                && earliestTimestamp(firstDirty) >= 0 && earliestTimestamp(firstDirty) <= now - settings.maxCompactionLagMs();
        if (totalBytes == 0 || ratio < settings.minCleanableDirtyRatio() && !forced && !horizonDue) {
            return Result.none(ratio);
        }

        final Map<Long, List<TxnIndex.Entry>> aborted = new HashMap<>();
        for (final TxnIndex.Entry e : view.aborted()) {
            aborted.computeIfAbsent(e.producerId(), k -> new ArrayList<>()).add(e);
        }
        final KeyMap keys = buildKeyMap(dirty, view.firstDirty(), cleanedUpTo, aborted);
        final long mapEnd = keys.end();

        final Filter filter = new Filter(now, settings.deleteRetentionMs(), keys.map(), aborted);
        int rewritten = 0;
        long after = 0;
        try (BufferSupplier buffers = BufferSupplier.create()) {
            for (final Segment s : cleanable) {
                // A segment wholly at or after mapEnd waits for the next pass.
                final long size = s.baseOffset() < mapEnd ? clean(s, filter, mapEnd, buffers, view.dir()) : -1;
                if (size >= 0) {
                    rewritten++;
                    after += size;
                } else {
                    after += s.sizeInBytes();
                }
            }
        }
        log.storeCleanerCheckpoint(mapEnd);
        // A pass that stopped at mapEnd did not read the segments after it: what was known of them still holds.
        log.nextDeleteHorizonMs(mapEnd < cleanedUpTo ? Math.min(filter.nextHorizon, view.nextDeleteHorizonMs())
                : filter.nextHorizon);
        (rewritten > 0 ? LOG.atInfo() : LOG.atDebug()).log("{}: compacted offsets up to {} (dirty ratio {}, {} keys mapped in {} KiB): {} of {} segment(s) rewritten, {} -> {} bytes",
                log.topicPartition(), mapEnd, String.format("%.2f", ratio), keys.map().size(), keys.map().memoryBytes() / 1024,
                rewritten, cleanable.size(), totalBytes, after);
        if (mapEnd < cleanedUpTo) {
            LOG.info("{}: the dirty part holds more keys than the cleaner's map takes ({}, log.cleaner.dedupe.buffer.size);"
                    + " offsets {} to {} are left for the next pass", log.topicPartition(), settings.maxMapEntries(), mapEnd,
                    cleanedUpTo);
        }
        return new Result(true, rewritten, totalBytes, after, mapEnd, ratio);
    }

    /**
     * The key map of a pass, and {@code end}: the map holds the latest offset of every key of the records from
     * {@code firstDirty} up to {@code end}; records from {@code end} on are not in it.
     */
    private record KeyMap(OffsetMap map, long end) {
    }

    /**
     * Maps the keys of the dirty part, from {@code firstDirty} on, batch by batch, until the next batch might not
     * fit in {@link Settings#maxMapEntries()} (its record count is taken as that many new keys); the map then ends
     * at that batch's base offset. The first batch always goes in, even beyond the bound, so that every pass makes
     * progress. The map starts at {@link #INITIAL_MAP_ENTRIES} (or the dirty offset span, if smaller) and doubles
     * as keys come, up to the bound: a compacted topic with few keys updated often (__consumer_offsets) keeps a
     * small map however long its dirty part. The doubling that reaches the bound holds the old arrays too for the
     * time of the rehash (up to 1.5 times the bound's memory, only in a pass that maps more than half the bound).
     */
    private KeyMap buildKeyMap(final List<Segment> dirty, final long firstDirty, final long dirtyEnd,
                               final Map<Long, List<TxnIndex.Entry>> aborted) {
        final int bound = settings.maxMapEntries();
        final OffsetMap map = new OffsetMap((int) Math.min(Math.min(bound, INITIAL_MAP_ENTRIES),
                Math.max(0, dirtyEnd - firstDirty)), settings.mapLoadFactor());
        for (final Segment s : dirty) {
            // Skips the part of the first dirty segment that an earlier pass already mapped.
            final FileChannelRecordBatch start = s.baseOffset() < firstDirty
                    ? s.batchAtOrAfter(firstDirty, Integer.MAX_VALUE) : null;
            final int position = start == null ? 0 : start.position();
            for (final FileChannelRecordBatch batch : s.batchesFrom(position)) {
                if (batch.lastOffset() < firstDirty || batch.isControlBatch() || isAborted(batch, aborted)) {
                    continue;
                }
                final Integer count = batch.countOrNull();
                final long mayAdd = count != null ? count : batch.lastOffset() - batch.baseOffset() + 1;
                if (map.size() > 0 && map.size() + mayAdd > bound) {
                    return new KeyMap(map, batch.baseOffset());
                }
                map.ensureCapacity((int) Math.min(Integer.MAX_VALUE - 8, map.size() + mayAdd), bound);
                for (final Record r : batch) {
                    if (r.hasKey()) {
                        map.put(r.key(), r.offset());
                    }
                }
            }
        }
        return new KeyMap(map, dirtyEnd);
    }

    /** The timestamp of the segment's first batch: an estimate of its oldest record; -1 when empty. */
    private static long earliestTimestamp(final Segment s) {
        for (final FileChannelRecordBatch batch : s.batchesFrom(0)) {
            return batch.maxTimestamp();
        }
        return -1;
    }

    static boolean isAborted(final RecordBatch batch, final Map<Long, List<TxnIndex.Entry>> aborted) {
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return false;
        }
        final List<TxnIndex.Entry> entries = aborted.get(batch.producerId());
        if (entries != null) {
            for (final TxnIndex.Entry e : entries) {
                if (batch.baseOffset() >= e.firstOffset() && batch.baseOffset() < e.lastOffset()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Filters one segment into {@code B.log.cleaned} and swaps it in if anything changed. Batches from
     * {@code mapEnd} on are copied as they are: the key map does not cover them.
     *
     * @return the new size, or -1 if the segment was left as it was
     */
    private long clean(final Segment segment, final Filter filter, final long mapEnd, final BufferSupplier buffers,
                       final Path dir) throws IOException {
        final long base = segment.baseOffset();
        final Path cleanedLog = dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX + CLEANED_SUFFIX));
        final Path cleanedTxn = dir.resolve(Segment.fileName(base, TxnIndex.SUFFIX + CLEANED_SUFFIX));
        final Set<Long> keptMarkers = new HashSet<>();
        boolean changed = false;
        long size = 0;
        try (FileChannel out = FileChannel.open(cleanedLog, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (final FileChannelRecordBatch batch : segment.batchesFrom(0)) {
                final ByteBuffer in = ByteBuffer.allocate(batch.sizeInBytes());
                batch.writeTo(in);
                in.flip();
                final ByteBuffer kept;
                if (batch.baseOffset() >= mapEnd) {
                    kept = in;
                } else {
                    kept = MemoryRecords.readableRecords(in).filterTo(filter, ByteBuffer.allocate(in.remaining() + 64),
                            buffers, Records.SOFT_MAX_ARRAY_LENGTH).outputBuffer();
                    kept.flip();
                }
                if (!kept.equals(in)) {
                    changed = true;
                }
                for (final MutableRecordBatch b : MemoryRecords.readableRecords(kept.duplicate()).batches()) {
                    if (b.isControlBatch()) {
                        keptMarkers.add(b.baseOffset());
                    }
                    if (b.deleteHorizonMs().isPresent()) {
                        filter.nextHorizon = Math.min(filter.nextHorizon, b.deleteHorizonMs().getAsLong());
                    }
                }
                size += kept.remaining();
                while (kept.hasRemaining()) {
                    out.write(kept);
                }
            }
            if (changed) {
                out.force(true);
            }
        }
        if (!changed) {
            Files.deleteIfExists(cleanedLog);
            return -1;
        }
        Files.deleteIfExists(cleanedTxn);
        try (TxnIndex txn = new TxnIndex(cleanedTxn)) {
            for (final TxnIndex.Entry e : segment.txnIndex().entries()) {
                if (keptMarkers.contains(e.lastOffset())) {
                    txn.append(e);
                }
            }
        }
        if (!Files.exists(cleanedTxn)) {
            Files.createFile(cleanedTxn);
        }
        // The copy keeps the segment's file time: retention falls back on it for a segment left without records.
        Files.setLastModifiedTime(cleanedLog, java.nio.file.attribute.FileTime.fromMillis(segment.createdMs()));
        stepHook.accept("cleaned-written");
        if (!log.swapInCleaned(segment)) {
            Files.deleteIfExists(cleanedLog);
            Files.deleteIfExists(cleanedTxn);
            return -1;
        }
        return size;
    }

    /** Step (2): the commit point. */
    static void commitSwap(final Path dir, final long base) throws IOException {
        Files.move(dir.resolve(Segment.fileName(base, TxnIndex.SUFFIX + CLEANED_SUFFIX)),
                dir.resolve(Segment.fileName(base, TxnIndex.SUFFIX + SWAP_SUFFIX)),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX + CLEANED_SUFFIX)),
                dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX + SWAP_SUFFIX)),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(dir);
    }

    /** Step (3): idempotent, so that a load redoes it after a crash. */
    static void completeSwap(final Path dir, final long base) throws IOException {
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.INDEX_SUFFIX)));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, Segment.TIME_INDEX_SUFFIX)));
        final Path txnSwap = dir.resolve(Segment.fileName(base, TxnIndex.SUFFIX + SWAP_SUFFIX));
        if (Files.exists(txnSwap)) {
            Files.move(txnSwap, dir.resolve(Segment.fileName(base, TxnIndex.SUFFIX)),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        stepHook.accept("swap-half-done");
        Files.move(dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX + SWAP_SUFFIX)),
                dir.resolve(Segment.fileName(base, Segment.LOG_SUFFIX)),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(dir);
    }

    /** At load: finishes committed swaps and throws away uncommitted ones (see the class comment). */
    static void recoverInterruptedSwaps(final Path dir) throws IOException {
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.toList();
        }
        final String logSwap = Segment.LOG_SUFFIX + SWAP_SUFFIX;
        for (final Path p : files) {
            final String name = p.getFileName().toString();
            if (name.endsWith(CLEANED_SUFFIX)) {
                Files.deleteIfExists(p);
            } else if (name.endsWith(logSwap) && name.length() == 20 + logSwap.length()) {
                final long base = Long.parseLong(name.substring(0, 20));
                LOG.warn("Finishing the interrupted replacement of segment {} in {} by its compacted copy", base, dir);
                completeSwap(dir, base);
            }
        }
        final String txnSwap = TxnIndex.SUFFIX + SWAP_SUFFIX;
        for (final Path p : files) {
            final String name = p.getFileName().toString();
            if (name.endsWith(txnSwap)) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void fsyncDir(final Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Not every file system can fsync a directory.
        }
    }

    /** Decides, batch by batch and record by record in offset order, what a pass keeps. */
    private static final class Filter extends MemoryRecords.RecordFilter {
        private final OffsetMap latest;
        private final Map<Long, List<TxnIndex.Entry>> aborted;
        /** Producers whose current transaction still has a record in the log. */
        private final Set<Long> txnHasRecords = new HashSet<>();
        private boolean markerOfEmptyTxn;
        /** The earliest delete horizon among the batches kept. */
        long nextHorizon = Long.MAX_VALUE;

        Filter(final long now, final long deleteRetentionMs, final OffsetMap latest,
               final Map<Long, List<TxnIndex.Entry>> aborted) {
            super(now, deleteRetentionMs);
            this.latest = latest;
            this.aborted = aborted;
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(final RecordBatch batch) {
            if (batch.isControlBatch()) {
                markerOfEmptyTxn = false;
                if (batch.hasProducerId() && isTxnMarker(batch)) {
                    markerOfEmptyTxn = !txnHasRecords.remove(batch.producerId());
                }
                return new BatchRetentionResult(BatchRetention.DELETE_EMPTY, markerOfEmptyTxn);
            }
            if (isAborted(batch, aborted)) {
                return new BatchRetentionResult(BatchRetention.DELETE, false);
            }
            return new BatchRetentionResult(BatchRetention.DELETE_EMPTY, false);
        }

        private static boolean isTxnMarker(final RecordBatch batch) {
            final java.util.Iterator<Record> it = batch.iterator();
            if (!it.hasNext()) {
                return false;
            }
            final ControlRecordType type = ControlRecordType.parse(it.next().key());
            return type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT;
        }

        private boolean horizonPassed(final RecordBatch batch) {
            return batch.deleteHorizonMs().isPresent() && currentTime >= batch.deleteHorizonMs().getAsLong();
        }

        @Override
        protected boolean shouldRetainRecord(final RecordBatch batch, final Record record) {
            if (batch.isControlBatch()) {
                return !(markerOfEmptyTxn && horizonPassed(batch));
            }
            if (record.hasKey()) {
                if (record.offset() < latest.get(record.key())) {
                    return false;
                }
                if (!record.hasValue() && horizonPassed(batch)) {
                    return false;
                }
            }
            if (batch.isTransactional()) {
                txnHasRecords.add(batch.producerId());
            }
            return true;
        }
    }
}
