package dev.fjord.storage.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fixed-entry-size index file, memory-mapped and preallocated so that appends are plain memory writes.
 * Entries are sorted by their key; lookups are binary searches.
 *
 * <p>Derived data: an index can always be rebuilt from its segment's log, so it carries no checksum.
 * A cleanly closed index is trimmed to its entries; one still at its preallocated size after a crash is
 * rebuilt by the recovery pass.
 *
 * <p>Threading: appends and truncation happen under the owning log's lock. Readers take no lock: an
 * entry's bytes are written before {@link #entries} is raised (a volatile write), so a reader that sees
 * the count sees the entry.
 */
abstract class MappedIndex implements AutoCloseable {
    private static final int PAGE = 4096;

    private final Path file;
    private final int entrySize;
    private final long baseOffset;
    private RandomAccessFile raf;
    private MappedByteBuffer map;
    private int maxEntries;
    private volatile int entries;
    /**
     * Bytes from the start of the file known to have disk blocks behind them. The file is preallocated
     * sparse; a page is written through the channel before its first entry, so that a full disk shows up
     * as an IOException there rather than as a SIGBUS on a write to the mapping.
     */
    private long reserved;

    MappedIndex(final Path file, final long baseOffset, final int entrySize, final int maxBytes) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        final boolean existed = Files.exists(file);
        this.raf = new RandomAccessFile(file.toFile(), "rw");
        final long length = existed ? raf.length() : 0;
        // A trimmed (cleanly closed) file holds exactly its entries; anything else is checked by the caller.
        this.entries = (int) (length / entrySize);
        final int capacity = Math.max(maxBytes - maxBytes % entrySize, entrySize);
        raf.setLength(Math.max(capacity, entries * (long) entrySize));
        this.maxEntries = (int) (raf.length() / entrySize);
        this.map = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, raf.length());
        this.reserved = roundUpToPage((long) entries * entrySize);
    }

    private static long roundUpToPage(final long bytes) {
        return (bytes + PAGE - 1) / PAGE * PAGE;
    }

    final long baseOffset() {
        return baseOffset;
    }

    final int entries() {
        return entries;
    }

    final boolean isFull() {
        return entries >= maxEntries;
    }

    final Path file() {
        return file;
    }

    /** Whether an absolute offset fits the 4-byte relative offsets of this segment's indexes. */
    final boolean canHold(final long offset) {
        final long relative = offset - baseOffset;
        return relative >= 0 && relative <= Integer.MAX_VALUE;
    }

    final int relative(final long offset) {
        return (int) (offset - baseOffset);
    }

    /** Reads the int at {@code byteOffset} inside entry {@code n}. */
    final int intAt(final int n, final int byteOffset) {
        return map.getInt(n * entrySize + byteOffset);
    }

    final long longAt(final int n, final int byteOffset) {
        return map.getLong(n * entrySize + byteOffset);
    }

    /** Writes one entry (the subclass puts its fields at {@code position}) and publishes it. */
    final void appendEntry(final EntryWriter writer) {
        if (isFull()) {
            throw new IllegalStateException("Index " + file + " is full (" + maxEntries + " entries)");
        }
        final int n = entries;
        final long end = (long) (n + 1) * entrySize;
        if (end > reserved) {
            reservePagesUpTo(end);
        }
        writer.write(map, n * entrySize);
        entries = n + 1;
    }

    private void reservePagesUpTo(final long end) {
        final long upTo = Math.min(roundUpToPage(end), (long) maxEntries * entrySize);
        try {
            final ByteBuffer zeros = ByteBuffer.allocate((int) (upTo - reserved));
            long at = reserved;
            while (zeros.hasRemaining()) {
                at += raf.getChannel().write(zeros, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not extend index " + file + ": " + e.getMessage(), e);
        }
        reserved = upTo;
    }

    interface EntryWriter {
        void write(MappedByteBuffer map, int position);
    }

    /** Keeps only the first {@code n} entries. */
    final void truncateToEntries(final int n) {
        entries = Math.min(n, entries);
    }

    /** Largest entry index whose key (as given by {@code key}) is at most {@code target}, or -1. */
    final int floorEntry(final long target, final KeyReader key) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            final int mid = (lo + hi) >>> 1;
            if (key.key(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    interface KeyReader {
        long key(int entry);
    }

    final void flush() {
        map.force();
    }

    /** Shrinks the file to its entries, so that a clean reopen knows the count from the length. */
    final void trimToEntries() throws IOException {
        map.force();
        raf.setLength((long) entries * entrySize);
        maxEntries = entries;
    }

    /** Deletes every entry: the recovery pass rebuilds the index from the log. */
    final void reset() {
        entries = 0;
    }

    @Override
    public void close() throws IOException {
        if (raf != null) {
            trimToEntries();
            raf.close();
            raf = null;
            map = null;
        }
    }

    /** Re-opens a trimmed index for appending (the active segment after a clean restart). */
    final void expand(final int maxBytes) throws IOException {
        final int capacity = Math.max(maxBytes - maxBytes % entrySize, entrySize);
        if (raf.length() < capacity) {
            raf.setLength(capacity);
            map = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, raf.length());
            maxEntries = (int) (raf.length() / entrySize);
        }
    }
}
