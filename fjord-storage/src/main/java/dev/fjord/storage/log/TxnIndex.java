package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The aborted transactions whose ABORT marker lies in one segment: file {@code <base offset>.txnindex}.
 * A read_committed fetch asks for the aborted transactions overlapping the range it returns, so the
 * consumer can drop their records.
 *
 * <pre>
 *  entry (34 bytes): | version int16 = 0 | producer id int64 | first offset int64 | last offset int64 |
 *                    | last stable offset int64 |
 * </pre>
 * {@code first offset} is the transaction's first record in this partition, {@code last offset} its
 * ABORT marker, {@code last stable offset} the partition's LSO just after the marker.
 *
 * <p>Derived data, like the offset index: not checksummed. Recovery drops every entry at or after the
 * offset it replays from and rebuilds them from the replayed batches; a trailing partial entry (a torn
 * write) is ignored. Appends run under the log's lock; reads take none (the entry list is copy-on-write,
 * and aborts are rare).
 */
final class TxnIndex implements AutoCloseable {
    static final String SUFFIX = ".txnindex";
    static final int ENTRY_BYTES = 34;
    private static final short VERSION = 0;

    /** One aborted transaction. */
    record Entry(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
    }

    private final Path file;
    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private FileChannel channel;

    TxnIndex(final Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            final ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
            while (buf.remaining() >= ENTRY_BYTES) {
                final short version = buf.getShort();
                final Entry e = new Entry(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
                if (version != VERSION) {
                    break;
                }
                entries.add(e);
            }
        }
    }

    Path file() {
        return file;
    }

    List<Entry> entries() {
        return entries;
    }

    void append(final Entry e) throws IOException {
        final ByteBuffer buf = ByteBuffer.allocate(ENTRY_BYTES).putShort(VERSION).putLong(e.producerId())
                .putLong(e.firstOffset()).putLong(e.lastOffset()).putLong(e.lastStableOffset());
        buf.flip();
        final FileChannel ch = channel();
        ch.position(ch.size());
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        entries.add(e);
    }

    /** Drops the entries whose marker is at or after {@code offset}, in memory and on disk. */
    void truncateFrom(final long offset) throws IOException {
        int keep = 0;
        while (keep < entries.size() && entries.get(keep).lastOffset() < offset) {
            keep++;
        }
        if (keep == entries.size()) {
            if (Files.exists(file) && Files.size(file) != (long) keep * ENTRY_BYTES) {
                channel().truncate((long) keep * ENTRY_BYTES);
            }
            return;
        }
        entries.subList(keep, entries.size()).clear();
        channel().truncate((long) keep * ENTRY_BYTES);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return channel;
    }

    void flush() throws IOException {
        if (channel != null) {
            channel.force(true);
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.force(true);
            channel.close();
            channel = null;
        }
    }
}
