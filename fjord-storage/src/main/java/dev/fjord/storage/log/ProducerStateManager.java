package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one partition remembers of each idempotent producer: its epoch and its last five batches, so that
 * a retried batch is recognised (and answered with its original offsets instead of being written
 * twice) and a gap in sequence numbers is refused; and, for a transactional producer, the first offset
 * of its open transaction here, which holds back the last stable offset (LSO) until a COMMIT or ABORT
 * marker ends it.
 *
 * <p>Persisted as snapshot files {@code <20-digit offset>.snapshot}: the state after every batch below
 * that offset. On open, the newest snapshot at or below the log end is loaded and the batch headers
 * after it are replayed; with no snapshot the whole log's headers are.
 *
 * <pre>
 *  snapshot:  | magic int32 = 0x464A5053 ("FJPS") | version int16 = 2 | crc32c int32 of what follows |
 *             | producer count int32 | producers... |
 *  producer:  | producer id int64 | epoch int16 | open transaction first offset int64 (-1: none) |
 *             | last timestamp int64 | batch count int8 | batches... |
 *  batch:     | first seq int32 | last seq int32 | first offset int64 | last offset int64 |
 * </pre>
 *
 * Version 1 (no transaction field) is still read.
 *
 * <p>Threading: used only under the owning log's lock.
 */
final class ProducerStateManager {
    static final String SUFFIX = ".snapshot";
    /** Kafka's producers keep at most five batches in flight per partition, so five are remembered. */
    static final int BATCHES_KEPT = 5;
    private static final int MAGIC = 0x464A5053;
    private static final short VERSION = 2;
    private static final short VERSION_WITHOUT_TXN = 1;

    /** One remembered batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
    }

    /** One producer's state. */
    static final class Entry {
        short epoch;
        /** The first offset of this producer's open transaction in this partition; -1 when none is open. */
        long txnFirstOffset = -1;
        /** The largest timestamp of the producer's last batch or marker here; -1 when unknown. */
        long lastTimestamp = -1;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_KEPT);

        Entry(final short epoch) {
            this.epoch = epoch;
        }

        Entry copy() {
            final Entry e = new Entry(epoch);
            e.txnFirstOffset = txnFirstOffset;
            e.lastTimestamp = lastTimestamp;
            e.batches.addAll(batches);
            return e;
        }

        void add(final BatchMetadata b) {
            if (batches.size() == BATCHES_KEPT) {
                batches.removeFirst();
            }
            batches.addLast(b);
        }
    }

    private final Map<Long, Entry> producers = new HashMap<>();
    /** Open transactions: first offset to producer id. Its first key is the LSO when not empty. */
    private final java.util.TreeMap<Long, Long> ongoing = new java.util.TreeMap<>();

    /**
     * Checks a batch against the producer's state (and any earlier batches of the same request, given in
     * {@code pending}).
     *
     * @return the original batch if this one is a retried duplicate, else null
     * @throws InvalidProducerEpochException if the producer's epoch is older than the one we know
     * @throws OutOfOrderSequenceException if the sequence does not follow the last one
     */
    BatchMetadata check(final RecordBatch batch, final Map<Long, Entry> pending) {
        final long producerId = batch.producerId();
        final Entry current = pending.containsKey(producerId) ? pending.get(producerId) : producers.get(producerId);
        if (current == null) {
            return null; // An unknown producer may start at any sequence (its state may have been removed).
        }
        final short epoch = batch.producerEpoch();
        if (epoch < current.epoch) {
            throw new InvalidProducerEpochException("Producer " + producerId + " has epoch " + epoch
                    + ", older than the current epoch " + current.epoch);
        }
        if (batch.baseSequence() == RecordBatch.NO_SEQUENCE) {
            return null; // Transactional offset commits carry no sequence: only the epoch is checked.
        }
        if (epoch > current.epoch) {
            if (batch.baseSequence() != 0) {
                throw new OutOfOrderSequenceException("Producer " + producerId + " started epoch " + epoch
                        + " with sequence " + batch.baseSequence() + " instead of 0");
            }
            return null;
        }
        for (final BatchMetadata b : current.batches) {
            if (b.firstSeq() == batch.baseSequence() && b.lastSeq() == batch.lastSequence()) {
                return b;
            }
        }
        final BatchMetadata last = current.batches.peekLast();
        if (last != null && batch.baseSequence() != nextSequence(last.lastSeq())) {
            throw new OutOfOrderSequenceException("Out of order sequence number for producer " + producerId
                    + ": expected " + nextSequence(last.lastSeq()) + ", got " + batch.baseSequence());
        }
        return null;
    }

    private static int nextSequence(final int sequence) {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }

    /** Records an appended batch in {@code pending}, to be applied with {@link #apply} once written. */
    void stage(final RecordBatch batch, final Map<Long, Entry> pending) {
        final long producerId = batch.producerId();
        Entry e = pending.get(producerId);
        if (e == null) {
            final Entry current = producers.get(producerId);
            e = current == null ? new Entry(batch.producerEpoch()) : current.copy();
            pending.put(producerId, e);
        }
        if (batch.producerEpoch() > e.epoch) {
            e.epoch = batch.producerEpoch();
            e.batches.clear();
        }
        e.lastTimestamp = batch.maxTimestamp();
        if (batch.isTransactional() && e.txnFirstOffset < 0) {
            e.txnFirstOffset = batch.baseOffset();
        }
        if (batch.baseSequence() != RecordBatch.NO_SEQUENCE) {
            e.add(new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset()));
        }
    }

    void apply(final Map<Long, Entry> pending) {
        for (final Map.Entry<Long, Entry> p : pending.entrySet()) {
            final Entry e = p.getValue();
            final Entry previous = producers.put(p.getKey(), e);
            if (e.txnFirstOffset >= 0 && (previous == null || previous.txnFirstOffset != e.txnFirstOffset)) {
                ongoing.put(e.txnFirstOffset, p.getKey());
            }
        }
    }

    /**
     * Checks a COMMIT or ABORT marker's epoch: the coordinator may have bumped it (fencing the producer),
     * never lowered it.
     *
     * @throws InvalidProducerEpochException if the marker's epoch is older than the producer's
     */
    void checkMarker(final long producerId, final short epoch) {
        final Entry current = producers.get(producerId);
        if (current != null && epoch < current.epoch) {
            throw new InvalidProducerEpochException("Transaction marker for producer " + producerId + " has epoch "
                    + epoch + ", older than the current epoch " + current.epoch);
        }
    }

    /**
     * Ends the producer's open transaction at a marker. A higher epoch (a fencing abort) replaces the
     * producer's epoch and forgets its batches: its next batch starts again at sequence 0.
     *
     * @return the first offset of the transaction that ended, or -1 if none was open here
     */
    long completeTxn(final long producerId, final short epoch, final long timestamp) {
        Entry e = producers.get(producerId);
        if (e == null) {
            e = new Entry(epoch);
            producers.put(producerId, e);
        }
        if (epoch > e.epoch) {
            e.epoch = epoch;
            e.batches.clear();
        }
        e.lastTimestamp = timestamp;
        final long first = e.txnFirstOffset;
        if (first >= 0) {
            ongoing.remove(first);
            e.txnFirstOffset = -1;
        }
        return first;
    }

    /** Every producer this partition remembers, for DescribeProducers. */
    java.util.List<PartitionLog.ProducerInfo> describe() {
        final java.util.List<PartitionLog.ProducerInfo> out = new java.util.ArrayList<>(producers.size());
        for (final Map.Entry<Long, Entry> p : producers.entrySet()) {
            final BatchMetadata last = p.getValue().batches.peekLast();
            out.add(new PartitionLog.ProducerInfo(p.getKey(), p.getValue().epoch, last == null ? -1 : last.lastSeq(),
                    p.getValue().lastTimestamp, p.getValue().txnFirstOffset));
        }
        return out;
    }

    /** The first offset of the producer's open transaction here, or -1 when none is open. */
    long openTxnFirstOffset(final long producerId) {
        final Entry e = producers.get(producerId);
        return e == null ? -1 : e.txnFirstOffset;
    }

    /** The first offset of the oldest open transaction once the one starting at {@code first} ends; MAX_VALUE if none. */
    long firstUnstableOffsetAfterEnding(final long first) {
        for (final long offset : ongoing.keySet()) {
            if (offset != first) {
                return offset;
            }
        }
        return Long.MAX_VALUE;
    }

    /** The first offset of the oldest open transaction, or -1 when none is open. */
    long firstUnstableOffset() {
        return ongoing.isEmpty() ? -1 : ongoing.firstKey();
    }

    /** Replays one data batch header already in the log (recovery); control batches go to {@link #completeTxn}. */
    void replay(final RecordBatch batch) {
        if (batch.hasProducerId()) {
            final Map<Long, Entry> one = new HashMap<>(1);
            stage(batch, one);
            apply(one);
        }
    }

    int producerCount() {
        return producers.size();
    }

    /**
     * Forgets producers without an open transaction here whose last batch or marker is at least
     * {@code expirationMs} old ({@code producer.id.expiration.ms}, as Kafka): a broker that runs for
     * months keeps state for the producers that are still writing, not every one it ever saw. A forgotten
     * producer that writes again is taken as new (any sequence accepted, duplicates of batches older than
     * the expiry no longer recognised).
     *
     * @return how many were removed
     */
    int removeExpired(final long nowMs, final long expirationMs) {
        int removed = 0;
        for (final Iterator<Map.Entry<Long, Entry>> it = producers.entrySet().iterator(); it.hasNext(); ) {
            final Entry e = it.next().getValue();
            if (e.txnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    void clear() {
        producers.clear();
        ongoing.clear();
    }

    static Path snapshotFile(final Path dir, final long offset) {
        return dir.resolve(Segment.fileName(offset, SUFFIX));
    }

    /** Writes the state as of {@code offset} and fsyncs it; keeps only the two newest snapshots. */
    void writeSnapshot(final Path dir, final long offset) throws IOException {
        writeSnapshot(dir, offset, true);
    }

    /**
     * Writes the state as of {@code offset}, fsynced or left to a later fsync (a snapshot torn by a power
     * loss fails its CRC and is skipped at load); keeps only the two newest snapshots.
     */
    void writeSnapshot(final Path dir, final long offset, final boolean fsync) throws IOException {
        int size = 4 + 4;
        for (final Entry e : producers.values()) {
            size += 8 + 2 + 8 + 8 + 1 + e.batches.size() * 24;
        }
        final ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(producers.size());
        for (final Map.Entry<Long, Entry> p : producers.entrySet()) {
            body.putLong(p.getKey()).putShort(p.getValue().epoch).putLong(p.getValue().txnFirstOffset)
                    .putLong(p.getValue().lastTimestamp)
                    .put((byte) p.getValue().batches.size());
            for (final BatchMetadata b : p.getValue().batches) {
                body.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset());
            }
        }
        body.flip();
        final CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        final ByteBuffer header = ByteBuffer.allocate(10).putInt(MAGIC).putShort(VERSION).putInt((int) crc.getValue());
        header.flip();
        final Path file = snapshotFile(dir, offset);
        final Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (header.hasRemaining() || body.hasRemaining()) {
                ch.write(new ByteBuffer[] {header, body});
            }
            if (fsync) {
                ch.force(true);
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        deleteSnapshotsExceptNewest(dir, 2);
    }

    /**
     * Loads the newest valid snapshot at or below {@code maxOffset}, deleting those above it (they
     * describe data that recovery cut off).
     *
     * @return the snapshot's offset, or -1 if none was loaded
     */
    long loadSnapshot(final Path dir, final long maxOffset) throws IOException {
        clear();
        final java.util.TreeMap<Long, Path> snapshots = listSnapshots(dir);
        for (final Map.Entry<Long, Path> e : snapshots.descendingMap().entrySet()) {
            if (e.getKey() > maxOffset) {
                Files.deleteIfExists(e.getValue());
                continue;
            }
            if (read(e.getValue())) {
                return e.getKey();
            }
            clear();
        }
        return -1;
    }

    private boolean read(final Path file) throws IOException {
        final ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        if (buf.remaining() < 14 || buf.getInt() != MAGIC) {
            return false;
        }
        final short version = buf.getShort();
        if (version != VERSION && version != VERSION_WITHOUT_TXN) {
            return false;
        }
        final int crc = buf.getInt();
        final CRC32C actual = new CRC32C();
        actual.update(buf.duplicate());
        if ((int) actual.getValue() != crc) {
            return false;
        }
        final int count = buf.getInt();
        for (int i = 0; i < count; i++) {
            final long id = buf.getLong();
            final Entry entry = new Entry(buf.getShort());
            entry.txnFirstOffset = version >= VERSION ? buf.getLong() : -1;
            entry.lastTimestamp = version >= VERSION ? buf.getLong() : -1;
            if (entry.txnFirstOffset >= 0) {
                ongoing.put(entry.txnFirstOffset, id);
            }
            final int batches = buf.get();
            for (int b = 0; b < batches; b++) {
                entry.add(new BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong()));
            }
            producers.put(id, entry);
        }
        return true;
    }

    static java.util.TreeMap<Long, Path> listSnapshots(final Path dir) throws IOException {
        final java.util.TreeMap<Long, Path> out = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (final Iterator<Path> it = files.iterator(); it.hasNext();) {
                final Path p = it.next();
                final String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX) && name.length() == 20 + SUFFIX.length()) {
                    out.put(Long.parseLong(name.substring(0, 20)), p);
                }
            }
        }
        return out;
    }

    private static void deleteSnapshotsExceptNewest(final Path dir, final int keep) throws IOException {
        final java.util.TreeMap<Long, Path> all = listSnapshots(dir);
        while (all.size() > keep) {
            Files.deleteIfExists(all.pollFirstEntry().getValue());
        }
    }
}
