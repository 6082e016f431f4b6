package dev.fjord.storage.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset in one segment: an entry is added only when the segment's largest
 * timestamp so far grows, so timestamps increase strictly along the file.
 *
 * <pre>
 *  entry (12 bytes):  | timestamp int64 (largest so far, ms) | relative offset int32 (where it was reached) |
 * </pre>
 *
 * Every record before an entry's offset has a timestamp at most the entry's: a search for the first
 * record at or after time T can start at the last entry whose timestamp is below T.
 */
final class TimeIndex extends MappedIndex {
    static final int ENTRY_SIZE = 12;

    TimeIndex(final Path file, final long baseOffset, final int maxBytes) throws IOException {
        super(file, baseOffset, ENTRY_SIZE, maxBytes);
    }

    /** Appends (timestamp, offset) if the timestamp is larger than the last entry's. */
    void maybeAppend(final long timestamp, final long offset) {
        if (isFull() || (entries() > 0 && timestamp <= lastTimestamp())) {
            return;
        }
        final int rel = relative(offset);
        appendEntry((map, at) -> {
            map.putLong(at, timestamp);
            map.putInt(at + 8, rel);
        });
    }

    /** The largest timestamp indexed, or -1. */
    long lastTimestamp() {
        final int n = entries();
        return n == 0 ? -1 : longAt(n - 1, 0);
    }

    long lastTimestampOffset() {
        final int n = entries();
        return n == 0 ? baseOffset() : baseOffset() + intAt(n - 1, 8);
    }

    /** The offset to start scanning from for the first record with timestamp at or after {@code timestamp}. */
    long startOffsetFor(final long timestamp) {
        final int entry = floorEntry(timestamp - 1, n -> longAt(n, 0));
        return entry < 0 ? baseOffset() : baseOffset() + intAt(entry, 8);
    }

    boolean isSane() {
        long lastTs = Long.MIN_VALUE;
        for (int n = 0; n < entries(); n++) {
            final long ts = longAt(n, 0);
            if (ts <= lastTs || intAt(n, 8) < 0) {
                return false;
            }
            lastTs = ts;
        }
        return true;
    }
}
