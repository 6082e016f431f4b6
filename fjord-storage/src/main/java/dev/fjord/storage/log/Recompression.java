package dev.fjord.storage.log;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * Broker-side recompression for {@code compression.type} other than {@code producer}, as Kafka's log validator does
 * it: a produced batch whose codec differs from the topic's is decompressed and written again with the topic's
 * codec. The new batch keeps everything else the producer set: base offset and every record's offset delta (and
 * the batch's last offset delta, even past its last record), each record's key, value, headers and timestamp, the
 * producer id, epoch and base sequence and the transactional flag. So idempotence, transactions, duplicate
 * detection and LogAppendTime stamping, which all read batch headers, work on it as on the original.
 *
 * <p>Owns no state: a pure function from validated batches to the bytes to store, run by the appending thread
 * before it takes the log's lock (it is CPU work: decompression and compression).
 *
 * <p>Batches already in the target codec are kept byte for byte, and when no batch needs rewriting, which includes
 * every append with {@code compression.type=producer}, the request's own buffer is returned: no record is
 * decoded and nothing is copied. Control batches are kept as they are (producers do not send them).
 */
final class Recompression {
    /**
     * The first buffer for a compressed rewrite, as a multiple of the source batch's size: compressed sizes of
     * one payload under two codecs are usually within a factor of two. The builder grows the buffer past it.
     */
    private static final int COMPRESSED_CAPACITY_FACTOR = 2;
    /**
     * The same for an uncompressed rewrite: typical text and JSON payloads compress three to five times. Either
     * buffer is capped at {@code max.message.bytes}, as the result may not be larger.
     */
    private static final int UNCOMPRESSED_CAPACITY_FACTOR = 4;

    private Recompression() {
    }

    /** Whether {@code batch} would be rewritten for {@code target} (null: {@code compression.type=producer}). */
    static boolean needsRewrite(final RecordBatch batch, final Compression target) {
        return target != null && !batch.isControlBatch() && batch.compressionType() != target.type();
    }

    /** Whether any batch of {@code records} would be rewritten; reads batch headers only. */
    static boolean anyNeedsRewrite(final MemoryRecords records, final Compression target) {
        if (target == null) {
            return false;
        }
        for (final RecordBatch batch : records.batches()) {
            if (needsRewrite(batch, target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bytes to store for {@code batches} (validated, and all of {@code records}): {@code records} itself when no
     * batch needs rewriting, otherwise a new buffer holding every batch in order, the rewritten ones in
     * {@code target}'s codec.
     *
     * @throws RecordTooLargeException if a rewritten batch is larger than {@code maxMessageBytes}
     * @throws CorruptRecordException if a batch's records cannot be read back (its offsets do not increase)
     */
    static MemoryRecords apply(final MemoryRecords records, final List<MutableRecordBatch> batches,
                               final Compression target, final int maxMessageBytes) {
        if (target == null) {
            return records;
        }
        ByteBuffer[] rewritten = null;
        int size = 0;
        for (int i = 0; i < batches.size(); i++) {
            final MutableRecordBatch batch = batches.get(i);
            if (needsRewrite(batch, target)) {
                if (rewritten == null) {
                    rewritten = new ByteBuffer[batches.size()];
                }
                rewritten[i] = rewrite(batch, target, maxMessageBytes);
                size += rewritten[i].remaining();
            } else {
                size += batch.sizeInBytes();
            }
        }
        if (rewritten == null) {
            return records;
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        for (int i = 0; i < batches.size(); i++) {
            if (rewritten[i] != null) {
                out.put(rewritten[i]);
            } else {
                batches.get(i).writeTo(out);
            }
        }
        out.flip();
        return MemoryRecords.readableRecords(out);
    }

    /**
     * One batch written again with {@code target}; the result is a whole v2 batch with a valid CRC. Records are
     * streamed from the source into the builder, one at a time, and the rewrite stops as soon as the bytes written
     * so far pass {@code max.message.bytes}: a small compressed batch can expand to far more than that.
     */
    private static ByteBuffer rewrite(final RecordBatch batch, final Compression target, final int maxMessageBytes) {
        final int factor = target.type() == CompressionType.NONE ? UNCOMPRESSED_CAPACITY_FACTOR : COMPRESSED_CAPACITY_FACTOR;
        final int capacity = (int) Math.min(maxMessageBytes, (long) batch.sizeInBytes() * factor);
        // CreateTime: every record keeps its own timestamp; a LogAppendTime topic stamps the batch afterwards.
        final MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(capacity), RecordBatch.MAGIC_VALUE_V2,
                target, TimestampType.CREATE_TIME, batch.baseOffset(), RecordBatch.NO_TIMESTAMP, batch.producerId(),
                batch.producerEpoch(), batch.baseSequence(), batch.isTransactional(), false, batch.partitionLeaderEpoch());
        try {
            appendRecords(batch, builder, target, maxMessageBytes);
        } catch (RuntimeException e) {
            abortQuietly(builder, e); // closes the codec's stream: zstd holds native memory until then
            throw corruptUnlessApi(batch, e);
        }
        final ByteBuffer built = builder.build().buffer();
        if (built.remaining() > maxMessageBytes) {
            throw tooLarge(String.valueOf(built.remaining()), target, maxMessageBytes);
        }
        return built;
    }

    private static void appendRecords(final RecordBatch batch, final MemoryRecordsBuilder builder, final Compression target,
                                      final int maxMessageBytes) {
        long lastOffset = -1;
        try (CloseableIterator<Record> it = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (it.hasNext()) {
                final Record r = it.next();
                builder.appendWithOffset(r.offset(), r);
                lastOffset = r.offset();
                // What the codec has flushed so far (it may hold back one block): a lower bound of the result.
                if (builder.bufferStream().position() > maxMessageBytes) {
                    throw tooLarge("more than " + maxMessageBytes, target, maxMessageBytes);
                }
            }
        }
        if (lastOffset < batch.lastOffset()) {
            builder.overrideLastOffset(batch.lastOffset()); // The producer's last offset delta, kept as sent.
        }
    }

    private static void abortQuietly(final MemoryRecordsBuilder builder, final RuntimeException cause) {
        try {
            builder.abort();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** A failure to read a producer's batch back is the producer's: CORRUPT_MESSAGE, not an unknown server error. */
    private static RuntimeException corruptUnlessApi(final RecordBatch batch, final RuntimeException e) {
        if (e instanceof ApiException) {
            return e;
        }
        if (e instanceof IllegalArgumentException) {
            return new CorruptRecordException("The records of a batch do not have increasing offsets: " + e.getMessage());
        }
        if (e instanceof KafkaException) {
            // The CRC matched, so the producer compressed bytes its own codec cannot read back.
            return new CorruptRecordException("Could not decompress a " + batch.compressionType().name + " batch: "
                    + e.getMessage());
        }
        return e;
    }

    private static RecordTooLargeException tooLarge(final String bytes, final Compression target, final int maxMessageBytes) {
        return new RecordTooLargeException("The batch is " + bytes + " bytes once stored with compression.type "
                + target.type().name + ", larger than max.message.bytes (" + maxMessageBytes + ")");
    }
}
