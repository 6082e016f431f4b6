package dev.fjord.storage.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;

/**
 * The settings of one partition log, named after Kafka's topic-level keys.
 *
 * @param segmentBytes {@code segment.bytes}: a segment is rolled before it would grow past this
 * @param segmentMs {@code segment.ms}: a non-empty segment older than this is rolled at the next append
 * @param flushIntervalMessages {@code flush.messages}: fsync after this many messages (Long.MAX_VALUE: leave it to the OS)
 * @param flushIntervalMs {@code flush.ms}: fsync when this long has passed since the last fsync
 * @param maxMessageBytes {@code max.message.bytes}: the largest batch accepted
 * @param timestampType {@code message.timestamp.type}
 * @param indexIntervalBytes {@code index.interval.bytes}: log bytes between two offset-index entries
 * @param segmentIndexBytes {@code segment.index.bytes}: the preallocated size of each index file
 * @param compact whether {@code cleanup.policy} includes {@code compact}: every appended record must then have a key
 * @param compression {@code compression.type} with its {@code compression.*.level}: the codec every appended batch is
 *        stored with; a batch sent with another codec is recompressed to it ({@link Compression#NONE} for
 *        {@code uncompressed}). {@code null} for {@code producer}: batches are stored as sent, the default. See
 *        {@link #keepsProducerCompression()}.
 */
public record LogConfig(int segmentBytes, long segmentMs, long flushIntervalMessages, long flushIntervalMs,
                        int maxMessageBytes, TimestampType timestampType, int indexIntervalBytes, int segmentIndexBytes,
                        boolean compact, Compression compression) {

    /** A log that stores batches with the producer's codec ({@code compression.type=producer}). */
    public LogConfig(final int segmentBytes, final long segmentMs, final long flushIntervalMessages, final long flushIntervalMs,
                     final int maxMessageBytes, final TimestampType timestampType, final int indexIntervalBytes,
                     final int segmentIndexBytes, final boolean compact) {
        this(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, compact, null);
    }

    /** A log without compaction that stores batches with the producer's codec. */
    public LogConfig(final int segmentBytes, final long segmentMs, final long flushIntervalMessages, final long flushIntervalMs,
                     final int maxMessageBytes, final TimestampType timestampType, final int indexIntervalBytes,
                     final int segmentIndexBytes) {
        this(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, false);
    }

    /** Kafka's defaults. */
    public static LogConfig defaults() {
        return new LogConfig(1024 * 1024 * 1024, 7L * 24 * 3600 * 1000, Long.MAX_VALUE, Long.MAX_VALUE, 1048588,
                TimestampType.CREATE_TIME, 4096, 10 * 1024 * 1024);
    }

    public LogConfig withSegmentBytes(final int bytes) {
        return new LogConfig(bytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, compact, compression);
    }

    public LogConfig withSegmentMs(final long ms) {
        return new LogConfig(segmentBytes, ms, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, compact, compression);
    }

    public LogConfig withTimestampType(final TimestampType type) {
        return new LogConfig(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, type,
                indexIntervalBytes, segmentIndexBytes, compact, compression);
    }

    public LogConfig withIndexIntervalBytes(final int bytes) {
        return new LogConfig(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                bytes, segmentIndexBytes, compact, compression);
    }

    public LogConfig withMaxMessageBytes(final int bytes) {
        return new LogConfig(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, bytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, compact, compression);
    }

    public LogConfig withCompact(final boolean on) {
        return new LogConfig(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, on, compression);
    }

    /** @param target the codec to store batches with, or {@code null} for {@code compression.type=producer} */
    public LogConfig withCompression(final Compression target) {
        return new LogConfig(segmentBytes, segmentMs, flushIntervalMessages, flushIntervalMs, maxMessageBytes, timestampType,
                indexIntervalBytes, segmentIndexBytes, compact, target);
    }

    /** Whether batches are stored as the producer sent them ({@code compression.type=producer}): never recompressed. */
    public boolean keepsProducerCompression() {
        return compression == null;
    }
}
