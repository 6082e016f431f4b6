package dev.fjord.storage.log;

import dev.fjord.common.Clock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered list of {@link Segment}s in one directory, the offsets it
 * assigns, the idempotent-producer state, and how far readers may read (the high watermark).
 *
 * <p><b>Appends</b> are serialized by this log's lock. A produce request's batches are checked (magic,
 * size, CRC, producer sequence) before anything is written, offsets are patched into the batches in
 * place, and the bytes go to the active segment in one write: no record is decoded. The exception is a topic
 * whose {@code compression.type} is not {@code producer}: a batch in another codec is first rewritten in that codec
 * ({@link Recompression}), as Kafka does.
 *
 * <p><b>Reads</b> take no lock. After each append the log publishes an immutable (offset, segment,
 * file position) high watermark through a volatile field; a read slices segment files only up to that
 * position, so it never sees a half-written batch. On one node the high watermark is the log end.
 *
 * <p><b>Durability and fsync order.</b> Appended bytes are in the page cache when {@code append}
 * returns, which survives a killed process. fsync happens every {@code flush.messages} messages, when
 * {@code flush.ms} has passed ({@link #maybeFlush}), at every segment roll and at close; by default only
 * the last two (Kafka's default: the OS decides). Order: segment data, then its indexes, then the
 * {@code recovery-point} file (the offset below which everything is fsynced); on a roll also a
 * producer-state snapshot and the directory. A clean close writes {@code .clean-shutdown} last.
 *
 * <p><b>Recovery.</b> Without the clean-shutdown marker, every segment from the one holding the
 * recovery point onward is re-validated batch by batch (CRC, offset order); the first torn or damaged
 * batch and everything after it are cut, and those segments' indexes are rebuilt. Producer state is
 * then rebuilt from the newest snapshot plus the batch headers after it.
 *
 * <p><b>Log start.</b> DeleteRecords ({@link #deleteRecordsBefore}) and retention
 * ({@link #deleteRetainedSegments}) move the log start offset forward; it is stored in
 * {@code log-start-offset} before readers see it, so it survives any restart. Segments wholly below it
 * are removed from the log and unlinked at once, but their files stay open for
 * {@code file.delete.delay.ms} so that a fetch already sending from them completes (Kafka instead renames
 * them to {@code .deleted}; unlinking leaves nothing to clean up after a crash). The active segment is
 * never removed.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    static final String CLEAN_SHUTDOWN_FILE = ".clean-shutdown";
    static final String RECOVERY_POINT_FILE = "recovery-point";
    /**
     * The log start offset when DeleteRecords or retention moved it past the first segment's base:
     * one line of ASCII decimal, replaced atomically (write .tmp, fsync, rename). Missing means "the first
     * segment's base offset"; at load the larger of the two wins.
     */
    static final String LOG_START_OFFSET_FILE = "log-start-offset";

    /** A segment taken out of the log whose files stay open until readers holding slices of it are done. */
    private record Retired(Segment segment, long retiredAtMs) {
    }

    /**
     * Where readers may read up to: an offset and the byte position just after it in a segment, and the
     * last stable offset (LSO) at that moment: the first offset of the oldest open transaction, or the
     * high watermark when none is open. Published together so that a reader never sees LSO &gt; HW.
     */
    private record Position(long offset, Segment segment, int bytes, long lastStable) {
    }

    /** What the partition remembers of one producer; {@code txnStartOffset} is -1 without an open transaction. */
    public record ProducerInfo(long producerId, short epoch, int lastSequence, long lastTimestamp, long txnStartOffset) {
    }

    /** An aborted transaction overlapping a read_committed fetch: its producer and first offset. */
    public record AbortedTxn(long producerId, long firstOffset) {
    }

    /** Log directories whose writes are failing, so that the failure is logged once, not once per request. */
    private static final java.util.Set<Path> FAILING_DIRS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void reportWriteFailure(final IOException e) {
        final Path logDir = dir.toAbsolutePath().getParent();
        if (FAILING_DIRS.add(logDir)) {
            LOG.error("Cannot write to log directory {} ({}). Produce requests for its partitions are answered "
                    + "KAFKA_STORAGE_ERROR while reads go on; free space on that disk or fix its permissions, and writes "
                    + "resume by themselves.", logDir, e.getMessage());
        }
    }

    private void reportWriteSuccess() {
        if (!FAILING_DIRS.isEmpty() && FAILING_DIRS.remove(dir.toAbsolutePath().getParent())) {
            LOG.info("Writes to log directory {} work again", dir.toAbsolutePath().getParent());
        }
    }

    public record AppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset) {
    }

    public record ReadResult(Records records, long highWatermark, long logStartOffset, long logEndOffset,
                             long lastStableOffset) {
    }

    public record TimestampAndOffset(long timestampMs, long offset, int leaderEpoch) {
    }

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Clock clock;
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateManager producers = new ProducerStateManager();
    private final Object lock = new Object();
    /** Segments already removed from {@link #segments} and unlinked, closed once {@code file.delete.delay.ms} passed. */
    private final List<Retired> retired = new ArrayList<>();
    /** The first offset readers may read; at or after the first segment's base. Written under the lock. */
    private volatile long logStartOffset;
    private volatile LogConfig config;
    private volatile Position highWatermark;
    /** Written under the lock; volatile so that {@link #appendMayFsync} may look without it. */
    private volatile Segment active;
    private long unflushedMessages;
    private long lastFlushMs;
    private boolean closed;
    /**
     * Sealed segments a roll left to fsync, oldest first; their fsync earns the recovery point at the base of
     * the segment after the last of them. Guarded by the lock; fsynced outside it by {@link #maybeFlush}.
     */
    private final List<Segment> rolledUnflushed = new ArrayList<>();

    private PartitionLog(final Path dir, final TopicPartition tp, final LogConfig config, final Clock clock) {
        this.dir = dir;
        this.topicPartition = tp;
        this.config = config;
        this.clock = clock;
        this.lastFlushMs = clock.millis();
    }

    /** Opens (creating if needed) the log in {@code dir}, recovering it if it was not closed cleanly. */
    public static PartitionLog open(final Path dir, final TopicPartition tp, final LogConfig config, final Clock clock)
            throws IOException {
        Files.createDirectories(dir);
        final PartitionLog log = new PartitionLog(dir, tp, config, clock);
        log.load();
        return log;
    }

    private void load() throws IOException {
        nextDeleteHorizonMs = readCheckpoint(CLEANER_HORIZON_FILE, 0);
        final Path marker = dir.resolve(CLEAN_SHUTDOWN_FILE);
        LogCompactor.recoverInterruptedSwaps(dir);
        final List<Long> bases = listSegmentBases();
        // A new log has nothing to recover.
        final boolean clean = bases.isEmpty() || Files.exists(marker);
        if (bases.isEmpty()) {
            bases.add(0L);
        }
        final long recoveryPoint = clean ? Long.MAX_VALUE : readRecoveryPoint();
        long next = bases.get(0);
        for (int i = 0; i < bases.size(); i++) {
            final long base = bases.get(i);
            final Segment segment = Segment.open(dir, base, config, clock.wallMillis());
            segments.put(base, segment);
            final boolean last = i == bases.size() - 1;
            final boolean mustRecover = !clean && (last || bases.get(i + 1) > recoveryPoint);
            if (mustRecover) {
                final long[] recovered = segment.recover(base);
                next = recovered[0];
                if (recovered[1] > 0) {
                    LOG.warn("Recovered {}: cut {} bytes of a torn or damaged batch in segment {}; the log now ends at offset {}",
                            topicPartition, recovered[1], base, next);
                }
                // Compaction may have removed a segment's last batches, so it can end below the next base.
                if (!last && (recovered[1] > 0 || next > bases.get(i + 1))) {
                    deleteSegmentsAfter(bases.subList(i + 1, bases.size()));
                    break;
                }
            } else {
                next = segment.load();
            }
        }
        active = segments.lastEntry().getValue();
        active.reopenForAppend(config);
        Files.deleteIfExists(marker);
        // A recovery cut can leave the log end below a stored start: never start past the end.
        logStartOffset = Math.min(Math.max(readCheckpoint(LOG_START_OFFSET_FILE, 0), segments.firstKey()), next);
        loadProducerState(next);
        highWatermark = new Position(next, active, active.sizeInBytes(), lastStable(next));
        if (!clean) {
            LOG.info("Loaded {} after an unclean shutdown: offsets {}..{}, {} segment(s), {} producer(s)", topicPartition,
                    logStartOffset(), next, segments.size(), producers.producerCount());
        }
    }

    private void deleteSegmentsAfter(final List<Long> bases) throws IOException {
        for (final long base : bases) {
            LOG.warn("Recovered {}: deleting segment {}, which follows a cut", topicPartition, base);
            final Segment s = Segment.open(dir, base, config, clock.wallMillis());
            s.close();
            s.deleteFiles(dir);
        }
    }

    private List<Long> listSegmentBases() throws IOException {
        final List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (final Path p : (Iterable<Path>) files::iterator) {
                final String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(Segment.LOG_SUFFIX) && name.length() == 20 + Segment.LOG_SUFFIX.length()) {
                    bases.add(Long.parseLong(name.substring(0, 20)));
                }
            }
        }
        bases.sort(Comparator.naturalOrder());
        return bases;
    }

    private long readRecoveryPoint() {
        return readCheckpoint(RECOVERY_POINT_FILE, 0); // No trustworthy recovery point: validate everything.
    }

    private long readCheckpoint(final String name, final long fallback) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(name), StandardCharsets.UTF_8).trim());
        } catch (IOException | NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * Loads the newest producer snapshot and replays the batch headers after it. Aborted-transaction
     * index entries at or after the replay start are dropped and rebuilt from the replayed markers, so
     * they match the (possibly cut) log.
     */
    private void loadProducerState(final long logEnd) throws IOException {
        final long snapshot = producers.loadSnapshot(dir, logEnd);
        final long from = Math.max(snapshot, logStartOffset());
        for (final Segment segment : segments.tailMap(segments.floorKey(Math.min(from, logEnd))).values()) {
            segment.txnIndex().truncateFrom(from);
        }
        if (from >= logEnd) {
            return;
        }
        for (final Segment segment : segments.tailMap(segments.floorKey(from)).values()) {
            for (final FileChannelRecordBatch batch : segment.batchesFrom(0)) {
                if (batch.lastOffset() < from) {
                    continue;
                }
                if (batch.isControlBatch()) {
                    replayMarker(segment, batch);
                } else {
                    producers.replay(batch);
                }
            }
        }
    }

    private void replayMarker(final Segment segment, final RecordBatch batch) throws IOException {
        if (!batch.hasProducerId()) {
            return;
        }
        final java.util.Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return;
        }
        final ControlRecordType type = ControlRecordType.parse(records.next().key());
        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
            completeTxn(segment, batch.producerId(), batch.producerEpoch(), type == ControlRecordType.ABORT,
                    batch.baseOffset(), batch.maxTimestamp());
        }
    }

    /** Ends a producer's open transaction at a marker; an abort is recorded in the marker's segment's txn index. */
    private void completeTxn(final Segment segment, final long producerId, final short epoch, final boolean abort,
                             final long markerOffset, final long timestamp) throws IOException {
        final long first = producers.completeTxn(producerId, epoch, timestamp);
        if (abort && first >= 0) {
            segment.txnIndex().append(new TxnIndex.Entry(producerId, first, markerOffset, lastStable(markerOffset + 1)));
        }
    }

    /** The LSO for a log ending at {@code end}, from the producers' open transactions. */
    private long lastStable(final long end) {
        final long first = producers.firstUnstableOffset();
        return first < 0 ? end : Math.min(first, end);
    }

    /**
     * Validates and appends one produce request's batches for this partition.
     *
     * @throws CorruptRecordException if a batch is not a well-formed v2 batch with a valid CRC
     * @throws RecordTooLargeException if a batch is larger than {@code max.message.bytes}, as sent or once
     *         recompressed to the topic's {@code compression.type}
     * @throws OutOfOrderSequenceException if an idempotent producer skipped a sequence number
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if its epoch is stale
     * @throws KafkaStorageException if the write failed
     */
    public AppendResult append(final MemoryRecords received, final int leaderEpoch) {
        final LogConfig cfg = config;
        final List<MutableRecordBatch> validated = validate(received, cfg);
        if (cfg.compact()) {
            requireKeys(validated);
        }
        // compression.type other than producer: batches in another codec are rewritten (outside the lock, CPU work).
        final MemoryRecords records = Recompression.apply(received, validated, cfg.compression(), cfg.maxMessageBytes());
        final List<MutableRecordBatch> batches = records == received ? validated : batchesOf(records);
        long offsetCount = 0;
        for (final MutableRecordBatch b : batches) {
            offsetCount += b.lastOffset() - b.baseOffset() + 1;
        }
        synchronized (lock) {
            ensureOpen();
            final Map<Long, ProducerStateManager.Entry> pending = new HashMap<>();
            ProducerStateManager.BatchMetadata duplicate = null;
            for (final MutableRecordBatch batch : batches) {
                if (batch.hasProducerId()) {
                    final ProducerStateManager.BatchMetadata d = producers.check(batch, pending);
                    if (d != null) {
                        duplicate = d;
                    }
                }
            }
            if (duplicate != null) {
                if (batches.size() > 1) {
                    throw new OutOfOrderSequenceException("A retried batch was sent together with other batches");
                }
                return new AppendResult(duplicate.firstOffset(), duplicate.lastOffset(), -1, logStartOffset());
            }
            final long first = highWatermark.offset();
            maybeRoll(records.sizeInBytes(), first + offsetCount - 1, cfg);
            final long now = clock.wallMillis();
            final boolean logAppendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME;
            long next = first;
            for (final MutableRecordBatch batch : batches) {
                final long delta = batch.lastOffset() - batch.baseOffset();
                batch.setLastOffset(next + delta);
                batch.setPartitionLeaderEpoch(leaderEpoch);
                if (logAppendTime) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                }
                if (batch.hasProducerId()) {
                    producers.stage(batch, pending);
                }
                next += delta + 1;
            }
            try {
                active.append(records);
            } catch (IOException e) {
                reportWriteFailure(e);
                throw new KafkaStorageException("Could not append to " + topicPartition + " in " + dir + ": " + e.getMessage(), e);
            }
            reportWriteSuccess();
            producers.apply(pending);
            highWatermark = new Position(next, active, active.sizeInBytes(), lastStable(next));
            unflushedMessages += offsetCount;
            if (unflushedMessages >= cfg.flushIntervalMessages()) {
                flushLocked();
            }
            return new AppendResult(first, next - 1, logAppendTime ? now : -1, logStartOffset());
        }
    }

    /**
     * Whether an append of {@code bytes} would fsync: only when {@code flush.messages} is set (a roll then
     * fsyncs too; otherwise a roll leaves the fsync to {@link #maybeFlush}). Read without the lock, so a
     * hint for choosing a thread, not a promise.
     */
    public boolean appendMayFsync(final int bytes) {
        return config.flushIntervalMessages() != Long.MAX_VALUE;
    }

    /**
     * Whether an append of {@code records} would rewrite a batch into the topic's {@code compression.type}:
     * decompression and compression, so not work for a network thread. Reads batch headers only, and nothing at all
     * with {@code compression.type=producer}.
     */
    public boolean appendMayRecompress(final MemoryRecords records) {
        return Recompression.anyNeedsRewrite(records, config.compression());
    }

    private static List<MutableRecordBatch> batchesOf(final MemoryRecords records) {
        final List<MutableRecordBatch> batches = new ArrayList<>(1);
        for (final MutableRecordBatch batch : records.batches()) {
            batches.add(batch);
        }
        return batches;
    }

    /**
     * A compacted log keeps the latest record of each key, so a record without one is refused, as Kafka
     * does (INVALID_RECORD). The only per-record check of the append path, and only for compacted topics.
     */
    private void requireKeys(final List<MutableRecordBatch> batches) {
        final List<org.apache.kafka.common.requests.ProduceResponse.RecordError> errors = new ArrayList<>();
        for (final MutableRecordBatch batch : batches) {
            if (batch.isControlBatch()) {
                continue;
            }
            try (org.apache.kafka.common.utils.internals.CloseableIterator<Record> it = batch.streamingIterator(
                    org.apache.kafka.common.utils.internals.BufferSupplier.NO_CACHING)) {
                for (int index = 0; it.hasNext(); index++) {
                    if (!it.next().hasKey()) {
                        errors.add(new org.apache.kafka.common.requests.ProduceResponse.RecordError(index,
                                "Compacted topic cannot accept message without key in topic partition " + topicPartition));
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new KeylessRecordsException(errors);
        }
    }

    /** Checks every batch before anything is written; no per-record work (the CRC covers the records). */
    private static List<MutableRecordBatch> validate(final MemoryRecords records, final LogConfig cfg) {
        final List<MutableRecordBatch> batches = new ArrayList<>(1);
        int bytes = 0;
        for (final MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new CorruptRecordException("Only v2 record batches are accepted, not magic " + batch.magic());
            }
            if (batch.sizeInBytes() > cfg.maxMessageBytes()) {
                throw new RecordTooLargeException("The batch is " + batch.sizeInBytes()
                        + " bytes, larger than max.message.bytes (" + cfg.maxMessageBytes() + ")");
            }
            batch.ensureValid();
            final Integer count = batch.countOrNull();
            if (count == null || count <= 0 || batch.lastOffset() < batch.baseOffset()
                    || batch.lastOffset() - batch.baseOffset() + 1 < count) {
                throw new CorruptRecordException("Record batch header is inconsistent: " + count + " records, offset delta "
                        + (batch.lastOffset() - batch.baseOffset()));
            }
            bytes += batch.sizeInBytes();
            batches.add(batch);
        }
        if (batches.isEmpty() || bytes != records.sizeInBytes()) {
            throw new CorruptRecordException("The request's records are not a whole number of record batches ("
                    + bytes + " of " + records.sizeInBytes() + " bytes)");
        }
        return batches;
    }

    private void maybeRoll(final int appendBytes, final long lastOffset, final LogConfig cfg) {
        final int size = active.sizeInBytes();
        final boolean full = size > 0 && (long) size + appendBytes > cfg.segmentBytes();
        final boolean old = size > 0 && clock.wallMillis() - active.createdMs() >= cfg.segmentMs();
        if (full || old || !active.canHold(lastOffset)) {
            roll();
        }
    }

    /**
     * Starts a new active segment at the log end. With {@code flush.messages} set (every write fsynced as
     * asked), the old segment, the producer snapshot, the recovery point and the directory are fsynced
     * here, in the append that rolls. Otherwise that fsync, which may cover up to a segment of data, is
     * left to the next {@link #maybeFlush} (within a second on the broker) so that the append is not held
     * up by it, as Kafka flushes a rolled segment in the background; the recovery point moves only after.
     */
    private void roll() {
        final long base = highWatermark.offset();
        final boolean fsyncNow = config.flushIntervalMessages() != Long.MAX_VALUE;
        try {
            // The new segment first: if its files cannot be made (a full disk), the active one stays as it was.
            final Segment next = Segment.open(dir, base, config, clock.wallMillis());
            final Segment sealed = active;
            sealed.seal(fsyncNow);
            segments.put(base, next);
            active = next;
            producers.writeSnapshot(dir, base, fsyncNow);
            if (fsyncNow) {
                writeRecoveryPoint(base);
                fsyncDir();
                unflushedMessages = 0;
                lastFlushMs = clock.millis();
            } else {
                rolledUnflushed.add(sealed);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Could not roll a new segment of " + topicPartition + " at offset " + base
                    + ": " + e.getMessage(), e);
        }
        highWatermark = new Position(base, active, 0, highWatermark.lastStable());
    }

    /**
     * Appends a COMMIT or ABORT marker (a control batch) for a producer's transaction, written by the
     * transaction coordinator. It ends the producer's open transaction here, if any, which may move the
     * LSO; an abort is recorded in the aborted-transactions index.
     *
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException if the producer has a newer epoch
     * @throws KafkaStorageException if the write failed
     */
    public AppendResult appendTxnMarker(final long producerId, final short epoch, final int coordinatorEpoch,
                                        final boolean commit, final int leaderEpoch) {
        synchronized (lock) {
            ensureOpen();
            producers.checkMarker(producerId, epoch);
            final long offset = highWatermark.offset();
            final long now = clock.wallMillis();
            final MemoryRecords marker = MemoryRecords.withEndTransactionMarker(offset, now, leaderEpoch, producerId, epoch,
                    new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
            maybeRoll(marker.sizeInBytes(), offset, config);
            // The abort's index entry goes first and is taken back if the marker cannot be written, so a
            // failed append leaves no trace, as for data.
            final long first = producers.openTxnFirstOffset(producerId);
            final boolean indexed = !commit && first >= 0;
            try {
                if (indexed) {
                    active.txnIndex().append(new TxnIndex.Entry(producerId, first, offset,
                            Math.min(producers.firstUnstableOffsetAfterEnding(first), offset + 1)));
                }
                active.append(marker);
            } catch (IOException e) {
                reportWriteFailure(e);
                if (indexed) {
                    try {
                        active.txnIndex().truncateFrom(offset);
                    } catch (IOException ignored) {
                        // Recovery rebuilds the index from the log, where this marker is not.
                    }
                }
                throw new KafkaStorageException("Could not append a transaction marker to " + topicPartition + " in " + dir
                        + ": " + e.getMessage(), e);
            }
            reportWriteSuccess();
            producers.completeTxn(producerId, epoch, now);
            highWatermark = new Position(offset + 1, active, active.sizeInBytes(), lastStable(offset + 1));
            unflushedMessages++;
            if (unflushedMessages >= config.flushIntervalMessages()) {
                flushLocked();
            }
            return new AppendResult(offset, offset, -1, logStartOffset());
        }
    }

    /**
     * Reads from {@code fetchOffset}: whole batches (the last one possibly cut at {@code maxBytes}),
     * never past the high watermark, as a zero-copy slice of the segment file.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     */
    public ReadResult read(final long fetchOffset, final int maxBytes, final boolean minOneMessage) {
        return read(fetchOffset, maxBytes, minOneMessage, false);
    }

    /**
     * As {@link #read(long, int, boolean)}; with {@code committedOnly} (read_committed) never past the
     * last stable offset: the batch at the LSO starts the first open transaction, so the read stops at
     * its file position.
     */
    public ReadResult read(final long fetchOffset, final int maxBytes, final boolean minOneMessage,
                           final boolean committedOnly) {
        final Position hw = highWatermark;
        final long start = logStartOffset();
        if (fetchOffset < start || fetchOffset > hw.offset()) {
            throw new OffsetOutOfRangeException("Offset " + fetchOffset + " is out of range for " + topicPartition
                    + ": the log holds " + start + ".." + hw.offset());
        }
        final long upper = committedOnly ? hw.lastStable() : hw.offset();
        Records records = MemoryRecords.EMPTY;
        if (fetchOffset < upper) {
            Segment limitSegment = hw.segment();
            int limitBytes = hw.bytes();
            final Map.Entry<Long, Segment> atUpper = segments.floorEntry(upper);
            if (upper < hw.offset() && atUpper == null) {
                // The segment holding the LSO is gone (its records were deleted): nothing stable to read.
                return new ReadResult(records, hw.offset(), start, hw.offset(), hw.lastStable());
            }
            if (upper < hw.offset()) {
                limitSegment = atUpper.getValue();
                final int max = limitSegment == hw.segment() ? hw.bytes() : limitSegment.sizeInBytes();
                final FileChannelRecordBatch atLso = limitSegment.batchAtOrAfter(upper, max);
                limitBytes = atLso == null ? max : atLso.position();
            }
            Map.Entry<Long, Segment> e = segments.floorEntry(fetchOffset);
            while (e != null) {
                final Segment s = e.getValue();
                final int maxPosition = s == limitSegment ? limitBytes : s.sizeInBytes();
                final Records slice = s.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
                if (slice != null) {
                    records = slice;
                    break;
                }
                if (s == limitSegment) {
                    break;
                }
                e = segments.higherEntry(e.getKey());
            }
        }
        return new ReadResult(records, hw.offset(), start, hw.offset(), hw.lastStable());
    }

    /**
     * The aborted transactions a read_committed reader of {@code [fetchOffset, upperOffset)} must know:
     * those whose marker is at or after {@code fetchOffset} and whose first offset is below {@code upperOffset},
     * ordered by first offset.
     */
    public List<AbortedTxn> abortedTransactions(final long fetchOffset, final long upperOffset) {
        final List<AbortedTxn> out = new ArrayList<>();
        final Long floor = segments.floorKey(fetchOffset);
        for (final Segment s : (floor == null ? segments : segments.tailMap(floor)).values()) {
            for (final TxnIndex.Entry e : s.txnIndex().entries()) {
                if (e.lastOffset() >= fetchOffset && e.firstOffset() < upperOffset) {
                    out.add(new AbortedTxn(e.producerId(), e.firstOffset()));
                }
            }
        }
        out.sort(Comparator.comparingLong(AbortedTxn::firstOffset));
        return out;
    }

    /** The producers this partition remembers, with their open transactions (DescribeProducers). */
    public List<ProducerInfo> producers() {
        synchronized (lock) {
            return producers.describe();
        }
    }

    /**
     * Forgets the producers whose last write here is at least {@code expirationMs} before the log clock's
     * wall time and that have no open transaction ({@code producer.id.expiration.ms}).
     *
     * @return how many were forgotten
     */
    public int removeExpiredProducers(final long expirationMs) {
        synchronized (lock) {
            return producers.removeExpired(clock.wallMillis(), expirationMs);
        }
    }

    /** The last stable offset: below it every transaction is decided. */
    public long lastStableOffset() {
        return highWatermark.lastStable();
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /** The bytes of all segments of this log. */
    public long sizeInBytes() {
        long size = 0;
        for (final Segment s : segments.values()) {
            size += s.sizeInBytes();
        }
        return size;
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (records below it can no longer be
     * read) and drops the segments wholly below it. A lower offset than the current start changes nothing.
     *
     * @return the log start offset afterwards (the "low watermark")
     * @throws OffsetOutOfRangeException if {@code offset} is beyond the high watermark
     */
    public long deleteRecordsBefore(final long offset) {
        synchronized (lock) {
            ensureOpen();
            final long hw = highWatermark.offset();
            if (offset > hw || offset < 0) {
                throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                        + offset + ": the log holds " + logStartOffset + ".." + hw);
            }
            if (offset > logStartOffset) {
                moveLogStart(offset);
                retireSegments(countSegmentsBelowStart());
            }
            return logStartOffset;
        }
    }

    /**
     * Retention: removes the oldest non-active segments that are wholly below the log start offset, older
     * than {@code retentionMs} (by their largest record timestamp, or file time when they hold none) or
     * beyond {@code retentionBytes}; then moves the log start offset to the new first segment. Segments go
     * in order, so a younger segment is never removed before an older one. Closes the files of segments
     * retired at least {@code fileDeleteDelayMs} ago.
     *
     * @param retentionMs -1: no time limit
     * @param retentionBytes -1: no size limit
     * @return the number of segments removed
     */
    public int deleteRetainedSegments(final long retentionMs, final long retentionBytes, final long fileDeleteDelayMs) {
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            final long now = clock.wallMillis();
            long excess = retentionBytes < 0 ? 0 : sizeInBytes() - retentionBytes;
            int count = 0;
            for (final Map.Entry<Long, Segment> e : segments.entrySet()) {
                final Segment s = e.getValue();
                if (s == active) {
                    break;
                }
                final boolean belowStart = segments.higherKey(e.getKey()) <= logStartOffset;
                final long newest = s.maxTimestamp() >= 0 ? s.maxTimestamp() : s.createdMs();
                final boolean expired = retentionMs >= 0 && now - newest > retentionMs;
                final boolean oversize = excess > 0 && excess >= s.sizeInBytes();
                if (!belowStart && !expired && !oversize) {
                    break;
                }
                excess -= s.sizeInBytes();
                count++;
            }
            retireSegments(count);
            closeRetired(now, fileDeleteDelayMs);
            return count;
        }
    }

    private int countSegmentsBelowStart() {
        int count = 0;
        for (final Map.Entry<Long, Segment> e : segments.entrySet()) {
            if (e.getValue() == active || segments.higherKey(e.getKey()) > logStartOffset) {
                break;
            }
            count++;
        }
        return count;
    }

    /**
     * Takes the first {@code count} segments out of the log and unlinks their files. Their file handles stay
     * open (a fetch may still be sending from them) until {@link #closeRetired}; Linux keeps unlinked
     * files readable while open, and a crash leaves nothing behind. Called under the lock.
     */
    private void retireSegments(final int count) {
        for (int i = 0; i < count; i++) {
            final Map.Entry<Long, Segment> first = segments.firstEntry();
            if (first.getValue() == active) {
                throw new IllegalStateException("Retiring the active segment of " + topicPartition);
            }
            // Move the start first, so no reader is sent to the segment being removed.
            if (segments.higherKey(first.getKey()) > logStartOffset) {
                moveLogStart(segments.higherKey(first.getKey()));
            }
            segments.remove(first.getKey());
            try {
                first.getValue().deleteFiles(dir);
            } catch (IOException e) {
                throw new KafkaStorageException("Could not delete segment " + first.getKey() + " of " + topicPartition
                        + ": " + e.getMessage(), e);
            }
            retired.add(new Retired(first.getValue(), clock.wallMillis()));
            LOG.info("{}: deleted segment {}; the log now starts at offset {}", topicPartition, first.getKey(), logStartOffset);
        }
    }

    private void closeRetired(final long now, final long delayMs) {
        retired.removeIf(r -> {
            if (now - r.retiredAtMs() < delayMs) {
                return false;
            }
            closeQuietly(r.segment());
            return true;
        });
    }

    private void closeQuietly(final Segment s) {
        try {
            s.close();
        } catch (IOException e) {
            LOG.warn("Error closing deleted segment {} of {}", s.baseOffset(), topicPartition, e);
        }
    }

    private void moveLogStart(final long offset) {
        try {
            writeCheckpoint(LOG_START_OFFSET_FILE, offset);
        } catch (IOException e) {
            throw new KafkaStorageException("Could not store the log start offset of " + topicPartition + ": "
                    + e.getMessage(), e);
        }
        logStartOffset = offset;
    }

    public long logEndOffset() {
        return highWatermark.offset();
    }

    public long highWatermark() {
        return highWatermark.offset();
    }

    /** The first record whose timestamp is at or after {@code timestampMs}, if any. */
    public Optional<TimestampAndOffset> offsetForTimestamp(final long timestampMs) {
        final Position hw = highWatermark;
        for (final Segment s : segments.values()) {
            if (s.maxTimestamp() < timestampMs) {
                continue;
            }
            final int maxPosition = s == hw.segment() ? hw.bytes() : s.sizeInBytes();
            for (final FileChannelRecordBatch batch : s.batchesFrom(s.timestampScanStart(timestampMs))) {
                if (batch.position() + batch.sizeInBytes() > maxPosition) {
                    break;
                }
                if (batch.maxTimestamp() >= timestampMs) {
                    for (final Record r : batch) {
                        if (r.timestamp() >= timestampMs && r.offset() >= logStartOffset) {
                            return Optional.of(new TimestampAndOffset(r.timestamp(), r.offset(), batch.partitionLeaderEpoch()));
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The record with the largest timestamp (the first one, if several share it). */
    public Optional<TimestampAndOffset> maxTimestampAndOffset() {
        Segment best = null;
        for (final Segment s : segments.values()) {
            if (s.maxTimestamp() >= 0 && (best == null || s.maxTimestamp() > best.maxTimestamp())) {
                best = s;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        final long target = best.maxTimestamp();
        final long start = logStartOffset;
        final FileChannelRecordBatch batch = best.batchAtOrAfter(best.maxTimestampBatchLastOffset(), Integer.MAX_VALUE);
        if (batch != null) {
            for (final Record r : batch) {
                if (r.timestamp() == target) {
                    return r.offset() >= start ? Optional.of(new TimestampAndOffset(target, r.offset(), batch.partitionLeaderEpoch()))
                            : scanMaxTimestampFrom(start);
                }
            }
        }
        if (best.maxTimestampBatchLastOffset() < start) {
            return scanMaxTimestampFrom(start);
        }
        return Optional.of(new TimestampAndOffset(target, best.maxTimestampBatchLastOffset(), RecordBatch.NO_PARTITION_LEADER_EPOCH));
    }

    /**
     * The record with the largest timestamp at or after {@code start}, by reading every batch from there.
     * Only needed when DeleteRecords cut into the segment holding the log's largest timestamp.
     */
    private Optional<TimestampAndOffset> scanMaxTimestampFrom(final long start) {
        final Position hw = highWatermark;
        TimestampAndOffset best = null;
        for (final Segment s : segments.tailMap(segments.floorKey(start)).values()) {
            final int maxPosition = s == hw.segment() ? hw.bytes() : s.sizeInBytes();
            for (final FileChannelRecordBatch batch : s.batchesFrom(0)) {
                if (batch.position() + batch.sizeInBytes() > maxPosition) {
                    break;
                }
                if (batch.lastOffset() < start || best != null && batch.maxTimestamp() <= best.timestampMs()) {
                    continue;
                }
                for (final Record r : batch) {
                    if (r.offset() >= start && (best == null || r.timestamp() > best.timestampMs())) {
                        best = new TimestampAndOffset(r.timestamp(), r.offset(), batch.partitionLeaderEpoch());
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The first offset the log cleaner has not cleaned yet (see {@link LogCompactor}); missing: the log start. */
    static final String CLEANER_CHECKPOINT_FILE = "cleaner-offset-checkpoint";

    /** What a compaction pass works on, taken under the lock. */
    record CompactionView(Path dir, List<Segment> sealed, long activeBase, long lastStable, long firstDirty,
                          List<TxnIndex.Entry> aborted, long nowMs, long nextDeleteHorizonMs) {
    }

    /** Where {@link #nextDeleteHorizonMs} is kept across restarts. */
    static final String CLEANER_HORIZON_FILE = "cleaner-delete-horizon";

    /**
     * The earliest delete horizon of a tombstone or marker the last compaction pass kept: a pass is due then even
     * if the log is not dirty. Kept in {@link #CLEANER_HORIZON_FILE}, so that a restart does not make every
     * compacted partition due for a full pass; 0 (unknown: no file yet): the first pass looks.
     */
    private volatile long nextDeleteHorizonMs;

    void nextDeleteHorizonMs(final long ms) throws IOException {
        synchronized (lock) {
            if (!closed && ms != nextDeleteHorizonMs) {
                writeCheckpoint(CLEANER_HORIZON_FILE, ms);
            }
            nextDeleteHorizonMs = ms;
        }
    }

    /**
     * One compaction pass (for {@code cleanup.policy=compact}): keeps the latest record of each key in the sealed
     * segments, if the log is dirty enough. Appends and reads go on meanwhile; only the swap of each rewritten
     * segment takes the lock. See {@link LogCompactor}.
     *
     * @throws KafkaStorageException if a file could not be written
     */
    public LogCompactor.Result compact(final LogCompactor.Settings settings) {
        try {
            return new LogCompactor(this, settings).run();
        } catch (IOException e) {
            throw new KafkaStorageException("Could not compact " + topicPartition + ": " + e.getMessage(), e);
        }
    }

    /** The sealed segments and the bounds of a pass; null when closed. Closes retired segments whose delay passed. */
    CompactionView compactionView(final long fileDeleteDelayMs) {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            final long now = clock.wallMillis();
            closeRetired(now, fileDeleteDelayMs);
            final List<Segment> sealed = new ArrayList<>();
            final List<TxnIndex.Entry> aborted = new ArrayList<>();
            for (final Segment s : segments.values()) {
                aborted.addAll(s.txnIndex().entries());
                if (s != active) {
                    sealed.add(s);
                }
            }
            final long start = logStartOffset;
            long firstDirty = readCheckpoint(CLEANER_CHECKPOINT_FILE, start);
            if (firstDirty < start || firstDirty > highWatermark.offset()) {
                firstDirty = start;
            }
            return new CompactionView(dir, sealed, active.baseOffset(), highWatermark.lastStable(), firstDirty, aborted, now,
                    nextDeleteHorizonMs);
        }
    }

    /**
     * Replaces {@code old} by the cleaned copy written next to it (steps 2 to 4 of {@link LogCompactor}'s swap
     * protocol). The old segment's files stay open for {@code file.delete.delay.ms} for readers still using it.
     *
     * @return false, changing nothing, if {@code old} is no longer in the log (retention or DeleteRecords removed it)
     */
    boolean swapInCleaned(final Segment old) throws IOException {
        synchronized (lock) {
            final long base = old.baseOffset();
            if (closed || segments.get(base) != old || old == active) {
                return false;
            }
            LogCompactor.commitSwap(dir, base);
            LogCompactor.stepHook.accept("committed");
            LogCompactor.completeSwap(dir, base);
            final Segment fresh = Segment.open(dir, base, config, clock.wallMillis());
            final long[] recovered = fresh.recover(base);
            if (recovered[1] > 0) {
                LOG.error("{}: the compacted copy of segment {} has {} bytes the recovery cut", topicPartition, base, recovered[1]);
            }
            fresh.seal();
            segments.put(base, fresh);
            retired.add(new Retired(old, clock.wallMillis()));
            return true;
        }
    }

    /** Stores where the last compaction pass stopped. */
    void storeCleanerCheckpoint(final long offset) throws IOException {
        synchronized (lock) {
            if (!closed) {
                writeCheckpoint(CLEANER_CHECKPOINT_FILE, offset);
            }
        }
    }

    /** Fsyncs if {@code flush.ms} has passed since the last fsync and something was appended since. */
    public void maybeFlush() {
        flushRolled();
        synchronized (lock) {
            if (!closed && unflushedMessages > 0 && clock.millis() - lastFlushMs >= config.flushIntervalMs()) {
                flushLocked();
            }
        }
    }

    /**
     * Fsyncs the segments rolls left unflushed, without holding the lock while the disk works (sealed
     * segments take no more writes), then the directory, then moves the recovery point past them.
     */
    void flushRolled() {
        final List<Segment> toFlush;
        final long point;
        synchronized (lock) {
            if (closed || rolledUnflushed.isEmpty()) {
                return;
            }
            toFlush = new ArrayList<>(rolledUnflushed);
            point = segments.higherKey(toFlush.get(toFlush.size() - 1).baseOffset());
        }
        try {
            flushSegments(toFlush);
            fsyncDir();
            synchronized (lock) {
                if (closed) {
                    return;
                }
                rolledUnflushed.removeAll(toFlush);
                if (rolledUnflushed.isEmpty()) { // else a roll came meanwhile: the next pass moves the point
                    writeRecoveryPoint(point);
                }
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Could not fsync the rolled segments of " + topicPartition + ": " + e.getMessage(), e);
        }
    }

    /** Fsyncs sealed segments; one that retention or the cleaner removed (and closed) meanwhile is skipped. */
    private static void flushSegments(final List<Segment> sealed) throws IOException {
        for (final Segment s : sealed) {
            try {
                s.flush();
            } catch (java.nio.channels.ClosedChannelException removed) {
                // Nothing of it to keep.
            }
        }
    }

    /** Fsyncs everything appended so far. */
    public void flush() {
        synchronized (lock) {
            ensureOpen();
            flushLocked();
        }
    }

    private void flushLocked() {
        try {
            // Segments a roll left unflushed first: the recovery point written below covers them too.
            if (!rolledUnflushed.isEmpty()) {
                flushSegments(rolledUnflushed);
                fsyncDir();
                rolledUnflushed.clear();
            }
            active.flush();
            writeRecoveryPoint(highWatermark.offset());
        } catch (IOException e) {
            throw new KafkaStorageException("Could not fsync " + topicPartition + ": " + e.getMessage(), e);
        }
        unflushedMessages = 0;
        lastFlushMs = clock.millis();
    }

    private void writeRecoveryPoint(final long offset) throws IOException {
        writeCheckpoint(RECOVERY_POINT_FILE, offset);
    }

    private void writeCheckpoint(final String name, final long offset) throws IOException {
        final Path tmp = dir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap((offset + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private void fsyncDir() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Not every file system can fsync a directory; the files themselves are fsynced.
        }
    }

    public void updateConfig(final LogConfig newConfig) {
        this.config = newConfig;
    }

    public LogConfig config() {
        return config;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path dir() {
        return dir;
    }

    private void ensureOpen() {
        if (closed) {
            throw new KafkaStorageException("The log of " + topicPartition + " is closed");
        }
    }

    /** Clean close: fsync, producer snapshot, recovery point, then the clean-shutdown marker. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            retired.forEach(r -> closeQuietly(r.segment()));
            retired.clear();
            try {
                // Their indexes too (closing fsyncs only the log): a clean shutdown's indexes are trusted at the next start.
                flushSegments(rolledUnflushed);
                rolledUnflushed.clear();
                for (final Segment s : segments.values()) {
                    s.close();
                }
                final long end = highWatermark.offset();
                producers.writeSnapshot(dir, end);
                writeRecoveryPoint(end);
                try (FileChannel ch = FileChannel.open(dir.resolve(CLEAN_SHUTDOWN_FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                fsyncDir();
            } catch (IOException e) {
                throw new KafkaStorageException("Could not close the log of " + topicPartition + " cleanly: " + e.getMessage(), e);
            }
        }
    }

    /** Closes the log and deletes its directory. */
    public void delete() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                retired.forEach(r -> closeQuietly(r.segment()));
                retired.clear();
                for (final Segment s : segments.values()) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        LOG.warn("Error closing a segment of deleted {}", topicPartition, e);
                    }
                }
            }
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new KafkaStorageException("Could not delete " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
