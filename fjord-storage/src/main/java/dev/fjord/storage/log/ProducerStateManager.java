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
 * twice) and a gap in sequence numbers is refused.
 *
 * <p>Persisted as snapshot files {@code <20-digit offset>.snapshot}: the state after every batch below
 * that offset. On open, the newest snapshot at or below the log end is loaded and the batch headers
 * after it are replayed; with no snapshot the whole log's headers are.
 *
 * <pre>
 *  snapshot:  | magic int32 = 0x464A5053 ("FJPS") | version int16 = 1 | crc32c int32 of what follows |
 *             | producer count int32 | producers... |
 *  producer:  | producer id int64 | epoch int16 | batch count int8 | batches... |
 *  batch:     | first seq int32 | last seq int32 | first offset int64 | last offset int64 |
 * </pre>
 *
 * <p>Threading: used only under the owning log's lock.
 */
final class ProducerStateManager {
    static final String SUFFIX = ".snapshot";
    /** Kafka's producers keep at most five batches in flight per partition, so five are remembered. */
    static final int BATCHES_KEPT = 5;
    private static final int MAGIC = 0x464A5053;
    private static final short VERSION = 1;

    /** One remembered batch. */
    record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
    }

    /** One producer's state. */
    static final class Entry {
        short epoch;
        final ArrayDeque<BatchMetadata> batches = new ArrayDeque<>(BATCHES_KEPT);

        Entry(final short epoch) {
            this.epoch = epoch;
        }

        Entry copy() {
            final Entry e = new Entry(epoch);
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
        e.add(new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset()));
    }

    void apply(final Map<Long, Entry> pending) {
        producers.putAll(pending);
    }

    /** Replays one batch header already in the log (recovery). */
    void replay(final RecordBatch batch) {
        if (batch.hasProducerId() && batch.baseSequence() != RecordBatch.NO_SEQUENCE) {
            final Map<Long, Entry> one = new HashMap<>(1);
            stage(batch, one);
            apply(one);
        }
    }

    int producerCount() {
        return producers.size();
    }

    void clear() {
        producers.clear();
    }

    static Path snapshotFile(final Path dir, final long offset) {
        return dir.resolve(Segment.fileName(offset, SUFFIX));
    }

    /** Writes the state as of {@code offset} and fsyncs it; keeps only the two newest snapshots. */
    void writeSnapshot(final Path dir, final long offset) throws IOException {
        int size = 4 + 4;
        for (final Entry e : producers.values()) {
            size += 8 + 2 + 1 + e.batches.size() * 24;
        }
        final ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(producers.size());
        for (final Map.Entry<Long, Entry> p : producers.entrySet()) {
            body.putLong(p.getKey()).putShort(p.getValue().epoch).put((byte) p.getValue().batches.size());
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
            ch.force(true);
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
        producers.clear();
        final java.util.TreeMap<Long, Path> snapshots = listSnapshots(dir);
        for (final Map.Entry<Long, Path> e : snapshots.descendingMap().entrySet()) {
            if (e.getKey() > maxOffset) {
                Files.deleteIfExists(e.getValue());
                continue;
            }
            if (read(e.getValue())) {
                return e.getKey();
            }
            producers.clear();
        }
        return -1;
    }

    private boolean read(final Path file) throws IOException {
        final ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        if (buf.remaining() < 14 || buf.getInt() != MAGIC || buf.getShort() != VERSION) {
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
