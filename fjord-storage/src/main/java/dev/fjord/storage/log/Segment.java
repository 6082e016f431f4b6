package dev.fjord.storage.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a partition log: the {@code .log} file of batches as they came off the wire (offsets
 * patched in), and its sparse {@link OffsetIndex} and {@link TimeIndex}. Files are named after the
 * segment's base offset, 20 digits: {@code 00000000000000000000.log}, {@code .index}, {@code .timeindex},
 * and {@code .txnindex} ({@link TxnIndex}, only once a transaction is aborted in it).
 *
 * <p>Owns its three files. Does not own offsets assignment, validation or visibility: {@link PartitionLog}
 * decides what is appended and how far readers may read. Appends, truncation and closing run under the
 * log's lock; reads run concurrently and are bounded by a position the log publishes.
 */
final class Segment implements AutoCloseable {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TxnIndex txnIndex;
    private final int indexIntervalBytes;
    private final long createdMs;
    private int bytesSinceLastIndexEntry;
    /** Largest record timestamp in the segment and the last offset of the batch holding it; -1 when empty. */
    private volatile long maxTimestamp = -1;
    private volatile long maxTimestampBatchLastOffset = -1;

    private Segment(final long baseOffset, final FileRecords log, final OffsetIndex offsetIndex, final TimeIndex timeIndex,
                    final TxnIndex txnIndex, final int indexIntervalBytes, final long createdMs) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdMs = createdMs;
    }

    static String fileName(final long offset, final String suffix) {
        return String.format("%020d%s", offset, suffix);
    }

    /**
     * Opens an existing segment or creates an empty one. The age {@code segment.ms} is measured from is,
     * for a new segment, now; for an existing one, the timestamp of its first batch, as Kafka measures it
     * (not the file's modification time, which every append moves: a broker restarted more often than
     * {@code segment.ms} would never roll by time, and retention, which deletes only rolled segments,
     * would stop); the modification time only when the first batch has no timestamp.
     */
    static Segment open(final Path dir, final long baseOffset, final LogConfig config, final long nowMs) throws IOException {
        final Path logFile = dir.resolve(fileName(baseOffset, LOG_SUFFIX));
        final boolean exists = Files.exists(logFile);
        final FileRecords records = FileRecords.open(logFile.toFile(), exists, 0, false);
        long created = nowMs;
        if (exists) {
            created = Files.getLastModifiedTime(logFile).toMillis();
            try {
                final java.util.Iterator<FileChannelRecordBatch> batches = records.batches().iterator();
                if (batches.hasNext()) {
                    final long first = batches.next().maxTimestamp();
                    if (first >= 0) {
                        created = first;
                    }
                }
            } catch (RuntimeException torn) {
                // A damaged first batch: recovery deals with it; the modification time will do meanwhile.
            }
        }
        return new Segment(baseOffset, records,
                new OffsetIndex(dir.resolve(fileName(baseOffset, INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes()),
                new TimeIndex(dir.resolve(fileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, config.segmentIndexBytes()),
                new TxnIndex(dir.resolve(fileName(baseOffset, TxnIndex.SUFFIX))), config.indexIntervalBytes(), created);
    }

    long baseOffset() {
        return baseOffset;
    }

    /** The aborted transactions whose ABORT marker is in this segment. */
    TxnIndex txnIndex() {
        return txnIndex;
    }

    int sizeInBytes() {
        return log.sizeInBytes();
    }

    long createdMs() {
        return createdMs;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long maxTimestampBatchLastOffset() {
        return maxTimestampBatchLastOffset;
    }

    /** Whether this segment can take an append whose offsets reach {@code lastOffset}. */
    boolean canHold(final long lastOffset) {
        return offsetIndex.canHold(lastOffset) && !offsetIndex.isFull() && !timeIndex.isFull();
    }

    /**
     * Appends batches whose offsets were already assigned, adding index entries at batch starts while the
     * index has room (a full index only gets sparser: lookups scan forward; the log rolls at the next append).
     * Called under the log's lock.
     */
    void append(final MemoryRecords records) throws IOException {
        final int start = log.sizeInBytes();
        final int offsetEntries = offsetIndex.entries();
        final int timeEntries = timeIndex.entries();
        final long maxTimestampBefore = maxTimestamp;
        final long maxTimestampOffsetBefore = maxTimestampBatchLastOffset;
        final int sinceIndexBefore = bytesSinceLastIndexEntry;
        try {
            // The log bytes first: an index entry never points past what is in the log.
            log.append(records);
            int position = start;
            for (final MutableRecordBatch batch : records.batches()) {
                if ((bytesSinceLastIndexEntry >= indexIntervalBytes || offsetIndex.entries() == 0 && position == 0)
                        && !offsetIndex.isFull()) {
                    offsetIndex.append(batch.baseOffset(), position);
                    sealTimeIndex();
                    bytesSinceLastIndexEntry = 0;
                }
                trackTimestamp(batch.maxTimestamp(), batch.lastOffset());
                position += batch.sizeInBytes();
                bytesSinceLastIndexEntry += batch.sizeInBytes();
            }
        } catch (IOException | UncheckedIOException e) {
            // A failed write (a full disk, say) must leave no trace: the next append goes where this one began.
            offsetIndex.truncateToEntries(offsetEntries);
            timeIndex.truncateToEntries(timeEntries);
            maxTimestamp = maxTimestampBefore;
            maxTimestampBatchLastOffset = maxTimestampOffsetBefore;
            bytesSinceLastIndexEntry = sinceIndexBefore;
            log.truncateTo(start);
            throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
        }
    }

    private void trackTimestamp(final long timestamp, final long batchLastOffset) {
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
            maxTimestampBatchLastOffset = batchLastOffset;
        }
    }

    /**
     * Position of the first batch whose last offset is at least {@code offset}, looking only at batches
     * that end at or before {@code maxPosition}; -1 if there is none.
     */
    FileChannelRecordBatch batchAtOrAfter(final long offset, final int maxPosition) {
        final int start = offsetIndex.lookup(offset);
        for (final FileChannelRecordBatch batch : log.batchesFrom(start)) {
            if (batch.position() + batch.sizeInBytes() > maxPosition) {
                return null;
            }
            if (batch.lastOffset() >= offset) {
                return batch;
            }
        }
        return null;
    }

    /**
     * A zero-copy slice from the batch holding {@code offset}: at most {@code maxBytes}, never past
     * {@code maxPosition}; the whole first batch when it alone is bigger and {@code minOneMessage}.
     * Null when no batch at or after {@code offset} ends before {@code maxPosition}.
     */
    FileRecords read(final long offset, final int maxBytes, final int maxPosition, final boolean minOneMessage) {
        final FileChannelRecordBatch first = batchAtOrAfter(offset, maxPosition);
        if (first == null) {
            return null;
        }
        final int position = first.position();
        int size = Math.min(maxBytes, maxPosition - position);
        if (minOneMessage && size < first.sizeInBytes()) {
            size = first.sizeInBytes();
        }
        return log.slice(position, size);
    }

    Iterable<FileChannelRecordBatch> batchesFrom(final int position) {
        return log.batchesFrom(position);
    }

    /** Start position for scanning for the first record at or after {@code timestamp}. */
    int timestampScanStart(final long timestamp) {
        return offsetIndex.lookup(timeIndex.startOffsetFor(timestamp));
    }

    /**
     * Validates every batch from the start, rebuilds both indexes, and cuts the file at the first batch
     * that is torn, fails its CRC, or breaks offset order.
     *
     * @return the offset after the last valid batch (the base offset if none), and how many bytes were cut
     */
    long[] recover(final long expectedFirstOffset) throws IOException {
        offsetIndex.reset();
        timeIndex.reset();
        maxTimestamp = -1;
        maxTimestampBatchLastOffset = -1;
        bytesSinceLastIndexEntry = 0;
        long next = expectedFirstOffset;
        int validBytes = 0;
        try {
            for (final FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2 || batch.baseOffset() < next
                        || batch.lastOffset() < batch.baseOffset()) {
                    break;
                }
                batch.ensureValid();
                if ((bytesSinceLastIndexEntry >= indexIntervalBytes || offsetIndex.entries() == 0) && !offsetIndex.isFull()) {
                    offsetIndex.append(batch.baseOffset(), validBytes);
                    sealTimeIndex();
                    bytesSinceLastIndexEntry = 0;
                }
                trackTimestamp(batch.maxTimestamp(), batch.lastOffset());
                validBytes += batch.sizeInBytes();
                bytesSinceLastIndexEntry += batch.sizeInBytes();
                next = batch.lastOffset() + 1;
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            // The batch at validBytes is damaged: everything from there is cut.
        }
        final int cut = log.sizeInBytes() - validBytes;
        if (cut > 0) {
            log.truncateTo(validBytes);
        }
        return new long[] {next, cut};
    }

    /**
     * Loads what a clean shutdown left: indexes as they are (rebuilt by {@link #recover} when they do not
     * fit the log), the largest timestamp from the time index, and the next offset from the tail.
     *
     * @return the offset after the last batch, or the base offset when empty
     */
    long load() throws IOException {
        if (!offsetIndex.isSane(log.sizeInBytes()) || !timeIndex.isSane()) {
            return recover(baseOffset)[0];
        }
        maxTimestamp = timeIndex.lastTimestamp();
        maxTimestampBatchLastOffset = timeIndex.entries() == 0 ? -1 : timeIndex.lastTimestampOffset();
        long next = baseOffset;
        int position = offsetIndex.lastPosition();
        for (final FileChannelRecordBatch batch : log.batchesFrom(position)) {
            trackTimestamp(batch.maxTimestamp(), batch.lastOffset());
            next = batch.lastOffset() + 1;
            position = batch.position() + batch.sizeInBytes();
        }
        bytesSinceLastIndexEntry = position - offsetIndex.lastPosition();
        if (position != log.sizeInBytes()) {
            return recover(baseOffset)[0];
        }
        return next;
    }

    /** Prepares a loaded segment to take appends again (re-grows its trimmed indexes). */
    void reopenForAppend(final LogConfig config) throws IOException {
        offsetIndex.expand(config.segmentIndexBytes());
        timeIndex.expand(config.segmentIndexBytes());
    }

    /** Records the largest timestamp so far in the time index (also so that a reopen knows it without scanning). */
    void sealTimeIndex() {
        if (maxTimestamp >= 0) {
            timeIndex.maybeAppend(maxTimestamp, maxTimestampBatchLastOffset);
        }
    }

    void flush() throws IOException {
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Seals, flushes and trims the indexes of a segment that will take no more appends. */
    void seal() throws IOException {
        seal(true);
    }

    /** Seals and trims the indexes of a segment that will take no more appends; fsyncs it if asked. */
    void seal(final boolean fsync) throws IOException {
        sealTimeIndex();
        if (fsync) {
            flush();
        }
        offsetIndex.trimToEntries();
        timeIndex.trimToEntries();
    }

    @Override
    public void close() throws IOException {
        sealTimeIndex();
        log.flush();
        log.close();
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
    }

    void deleteFiles(final Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(fileName(baseOffset, LOG_SUFFIX)));
        Files.deleteIfExists(offsetIndex.file());
        Files.deleteIfExists(timeIndex.file());
        Files.deleteIfExists(txnIndex.file());
    }
}
