package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position in one segment: one entry per {@code index.interval.bytes}
 * of log, pointing at the start of a batch.
 *
 * <pre>
 *  entry (8 bytes):  | relative offset int32 (batch base offset - segment base offset) | file position int32 |
 * </pre>
 *
 * A lookup gives the position of the last indexed batch starting at or before the target; the caller
 * scans forward from there (at most {@code index.interval.bytes} plus one batch).
 */
final class OffsetIndex extends MappedIndex {
    static final int ENTRY_SIZE = 8;

    OffsetIndex(final Path file, final long baseOffset, final int maxBytes) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxBytes);
    }

    void append(final long offset, final int position) {
        final int rel = relative(offset);
        appendEntry((map, at) -> {
            map.putInt(at, rel);
            map.putInt(at + 4, position);
        });
    }

    long lastOffset() {
        final int n = entries();
        return n == 0 ? baseOffset() : baseOffset() + intAt(n - 1, 0);
    }

    int lastPosition() {
        final int n = entries();
        return n == 0 ? 0 : intAt(n - 1, 4);
    }

    /** Position of the last indexed batch starting at or before {@code offset}; 0 if none. */
    int lookup(final long offset) {
        final int entry = floorEntry(offset - baseOffset(), n -> intAt(n, 0));
        return entry < 0 ? 0 : intAt(entry, 4);
    }

    /** Whether entries are strictly increasing in offset and position and stay inside a log of {@code logBytes}. */
    boolean isSane(final int logBytes) {
        long lastOff = -1;
        long lastPos = -1;
        for (int n = 0; n < entries(); n++) {
            final int off = intAt(n, 0);
            final int pos = intAt(n, 4);
            if (off <= lastOff || pos <= lastPos || pos >= logBytes) {
                return false;
            }
            lastOff = off;
            lastPos = pos;
        }
        return true;
    }
}
