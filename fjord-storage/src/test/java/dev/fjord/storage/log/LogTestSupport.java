package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Shared helpers for the partition-log tests: building batches, reading them back, copying directories. */
final class LogTestSupport {
    static final TopicPartition TP = new TopicPartition("topic", 0);
    static final long START_MS = 1_700_000_000_000L;

    private LogTestSupport() {
    }

    static SimpleRecord record(final long timestamp, final String key, final String value) {
        return new SimpleRecord(timestamp, bytes(key), bytes(value),
                new Header[] {new RecordHeader("h-" + key, bytes("hv-" + value))});
    }

    static byte[] bytes(final String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    /** A batch of {@code count} records with keys/values derived from {@code tag}. */
    static MemoryRecords batch(final Compression compression, final long timestamp, final String tag, final int count) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(timestamp + i, tag + "-k" + i, tag + "-v" + i);
        }
        return MemoryRecords.withRecords(compression, records);
    }

    static MemoryRecords batch(final long timestamp, final String tag, final int count) {
        return batch(Compression.NONE, timestamp, tag, count);
    }

    static MemoryRecords idempotent(final long producerId, final short epoch, final int baseSequence, final int count) {
        final SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = record(START_MS + i, "p" + producerId + "-s" + (baseSequence + i), "v" + i);
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
    }

    /** Several separately built batches concatenated into one buffer, as in one produce request. */
    static MemoryRecords concat(final MemoryRecords... parts) {
        int size = 0;
        for (final MemoryRecords p : parts) {
            size += p.sizeInBytes();
        }
        final ByteBuffer buf = ByteBuffer.allocate(size);
        for (final MemoryRecords p : parts) {
            buf.put(p.buffer().duplicate());
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    /** A record as read back: offset plus everything the producer set. */
    record Rec(long offset, long timestamp, String key, String value, List<String> headers) {
        static Rec of(final Record r) {
            final List<String> hs = new ArrayList<>();
            for (final Header h : r.headers()) {
                hs.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8));
            }
            return new Rec(r.offset(), r.timestamp(), str(r.key()), str(r.value()), hs);
        }

        private static String str(final ByteBuffer b) {
            if (b == null) {
                return null;
            }
            final byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            return new String(a, StandardCharsets.UTF_8);
        }
    }

    static List<Rec> recordsOf(final Records records) {
        final List<Rec> out = new ArrayList<>();
        for (final RecordBatch b : records.batches()) {
            b.ensureValid();
            for (final Record r : b) {
                out.add(Rec.of(r));
            }
        }
        return out;
    }

    /** What {@code records} should look like once appended at {@code firstOffset}. */
    static List<Rec> expected(final MemoryRecords records, final long firstOffset) {
        final List<Rec> out = new ArrayList<>();
        long offset = firstOffset;
        for (final RecordBatch b : records.batches()) {
            for (final Record r : b) {
                final Rec rec = Rec.of(r);
                out.add(new Rec(offset++, rec.timestamp(), rec.key(), rec.value(), rec.headers()));
            }
        }
        return out;
    }

    /** Every record from {@code from} to the log end, reading batch after batch. */
    static List<Rec> readAll(final PartitionLog log, final long from) {
        final List<Rec> out = new ArrayList<>();
        long next = from;
        while (next < log.logEndOffset()) {
            final Records slice = log.read(next, 1 << 20, true).records();
            boolean progressed = false;
            for (final RecordBatch b : slice.batches()) {
                b.ensureValid();
                for (final Record r : b) {
                    if (r.offset() >= next) {
                        out.add(Rec.of(r));
                    }
                }
                next = b.lastOffset() + 1;
                progressed = true;
            }
            if (!progressed) {
                throw new AssertionError("read at " + next + " returned no batch before the log end " + log.logEndOffset());
            }
        }
        return out;
    }

    /** Copies a log directory (as a crash would leave it: whatever is in the page cache). */
    static void copyDir(final Path from, final Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (final Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    static List<String> fileNames(final Path dir, final String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
        }
    }
}
