package dev.fjord.storage.log;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The key map of one compaction pass: key &rarr; the offset of its latest record, in a constant 24 bytes per slot
 * whatever the size of the key. A key is stored as its 128-bit MD5 hash (as Kafka's {@code SkimpyOffsetMap} does);
 * two keys with the same hash would be taken for one key, which at 128 bits does not happen in practice.
 *
 * <p>Open addressing with linear probing over three parallel arrays; slot {@code i} is
 * <pre>
 *   hashHigh[i]  8 bytes  the first 8 bytes of the key's MD5, big-endian
 *   hashLow[i]   8 bytes  the last 8 bytes
 *   offsets[i]   8 bytes  the offset + 1; 0 marks an empty slot (a fresh array needs no fill)
 * </pre>
 * The map holds at most {@link #capacity()} entries, which is {@code slots * loadFactor}. It starts small and
 * {@link #ensureCapacity} doubles it as keys come (rehashing the stored hashes; the keys are not needed), so its
 * memory follows the number of distinct keys, not the configured maximum.
 *
 * <p>Not thread-safe: one pass, one thread.
 */
final class OffsetMap {
    /** Memory per slot: two hash halves and an offset. */
    static final int BYTES_PER_SLOT = 24;
    /** Arrays stay below the JVM's array length limit. */
    private static final int MAX_SLOTS = Integer.MAX_VALUE - 8;

    private final double loadFactor;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private final ByteBuffer digestView = ByteBuffer.wrap(digest);
    private long[] hashHigh;
    private long[] hashLow;
    private long[] offsets;
    private int capacity;
    private int size;
    // The hash of the key last passed to hash(): read by put/get right after.
    private long high;
    private long low;

    /**
     * @param entries how many entries the map must hold without growing
     * @param loadFactor the share of slots that may be used, in (0, 1]
     */
    OffsetMap(final int entries, final double loadFactor) {
        if (!(loadFactor > 0 && loadFactor <= 1)) {
            throw new IllegalArgumentException("load factor must be in (0, 1]: " + loadFactor);
        }
        this.loadFactor = loadFactor;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
        allocate(entries);
    }

    /** The number of slots to hold {@code entries} at {@code loadFactor}: at least one more than the entries. */
    private int slotsFor(final int entries) {
        final long slots = Math.max((long) entries + 1, (long) Math.ceil(entries / loadFactor));
        if (slots > MAX_SLOTS) {
            throw new IllegalArgumentException("an offset map of " + entries + " entries at load factor " + loadFactor
                    + " needs more than " + MAX_SLOTS + " slots");
        }
        return (int) slots;
    }

    private void allocate(final int entries) {
        final int slots = slotsFor(entries);
        hashHigh = new long[slots];
        hashLow = new long[slots];
        offsets = new long[slots];
        // Rounding may leave slots * loadFactor a hair below entries; entries < slots always holds.
        capacity = (int) Math.max(entries, Math.min(slots - 1, (long) (slots * loadFactor)));
    }

    /** Entries held. */
    int size() {
        return size;
    }

    /** Entries the map holds before {@link #put} throws; {@link #ensureCapacity} raises it. */
    int capacity() {
        return capacity;
    }

    int slots() {
        return offsets.length;
    }

    /** Heap held by the three arrays. */
    long memoryBytes() {
        return (long) slots() * BYTES_PER_SLOT;
    }

    /**
     * Grows the arrays, if needed, so that {@code entries} entries fit: to twice the capacity, or to
     * {@code ceiling} if that is less, or to {@code entries} if that is more. A growth holds the old and the new
     * arrays for the time of the rehash.
     */
    void ensureCapacity(final int entries, final int ceiling) {
        if (entries <= capacity) {
            return;
        }
        final long[] oldHigh = hashHigh;
        final long[] oldLow = hashLow;
        final long[] oldOffsets = offsets;
        allocate((int) Math.max(entries, Math.min(2L * capacity, ceiling)));
        for (int i = 0; i < oldOffsets.length; i++) {
            if (oldOffsets[i] != 0) {
                final int slot = probe(oldHigh[i], oldLow[i]);
                hashHigh[slot] = oldHigh[i];
                hashLow[slot] = oldLow[i];
                offsets[slot] = oldOffsets[i];
            }
        }
    }

    /**
     * Records {@code offset} as the latest of {@code key} (replacing an earlier one).
     *
     * @throws IllegalStateException if the key is new and the map already holds {@link #capacity()} entries
     */
    void put(final ByteBuffer key, final long offset) {
        hash(key);
        final int slot = probe(high, low);
        if (offsets[slot] == 0) {
            if (size >= capacity) {
                throw new IllegalStateException("offset map full: " + size + " entries");
            }
            size++;
            hashHigh[slot] = high;
            hashLow[slot] = low;
        }
        offsets[slot] = offset + 1;
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(final ByteBuffer key) {
        hash(key);
        return offsets[probe(high, low)] - 1;
    }

    /**
     * The slot holding this hash, or the empty slot where it would go. Terminates: at least one slot is always
     * empty (capacity &lt; slots).
     */
    private int probe(final long h, final long l) {
        final int slots = offsets.length;
        // Multiply-shift maps the top 31 bits of the hash onto [0, slots) without a division or a power-of-two size.
        int slot = (int) (((h >>> 33) * slots) >>> 31);
        while (offsets[slot] != 0 && (hashHigh[slot] != h || hashLow[slot] != l)) {
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
        return slot;
    }

    private void hash(final ByteBuffer key) {
        final int position = key.position();
        md5.update(key);
        key.position(position);
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        high = digestView.getLong(0);
        low = digestView.getLong(8);
    }
}
