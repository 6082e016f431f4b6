package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static dev.fjord.storage.log.LogTestSupport.bytes;
import static dev.fjord.storage.log.LogTestSupport.concat;
import static dev.fjord.storage.log.LogTestSupport.expected;
import static dev.fjord.storage.log.LogTestSupport.readAll;
import static dev.fjord.storage.log.LogTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.ManualClock;
import dev.fjord.storage.log.LogTestSupport.Rec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compression.type other than producer: batches in another codec are stored recompressed, the rest as sent. */
class PartitionLogCompressionTest {
    private static final long PID = 777L;
    private static final short EPOCH = 2;

    @TempDir
    Path tmp;
    private final ManualClock clock = new ManualClock(START_MS);
    private PartitionLog log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    private PartitionLog open(final LogConfig config) throws IOException {
        log = PartitionLog.open(tmp.resolve("topic-0"), TP, config, clock);
        return log;
    }

    private static LogConfig storing(final Compression compression) {
        return LogConfig.defaults().withCompression(compression);
    }

    /** Every batch of the log, as stored, read through the normal read path. */
    private List<RecordBatch> storedBatches() {
        final List<RecordBatch> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            for (final RecordBatch b : log.read(next, 1 << 20, true).records().batches()) {
                b.ensureValid();
                out.add(b);
                next = b.lastOffset() + 1;
            }
        }
        return out;
    }

    private long logBytes() throws IOException {
        long total = 0;
        for (final String name : LogTestSupport.fileNames(log.dir(), ".log")) {
            total += Files.size(log.dir().resolve(name));
        }
        return total;
    }

    private static MemoryRecords idempotent(final Compression c, final int baseSequence, final int count) {
        return MemoryRecords.withIdempotentRecords(c, PID, EPOCH, baseSequence, records("s" + baseSequence, count));
    }

    private static SimpleRecord[] records(final String tag, final int count) {
        final SimpleRecord[] rs = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            rs[i] = record(START_MS + i, tag + "-k" + i, tag + "-v" + i);
        }
        return rs;
    }

    @Test
    void shouldStoreAGzipBatchAsLz4WithTheSameRecordsWhenTheTopicAsksForLz4() throws IOException {
        open(storing(Compression.lz4().build()));
        final MemoryRecords sent = batch(Compression.gzip().build(), START_MS, "g", 20);
        final List<Rec> want = expected(sent, 0);

        final PartitionLog.AppendResult result = log.append(sent, 0);

        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(19);
        final List<RecordBatch> stored = storedBatches();
        assertThat(stored).hasSize(1);
        assertThat(stored.get(0).compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(stored.get(0).timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(stored.get(0).maxTimestamp()).isEqualTo(START_MS + 19);
        assertThat(readAll(log, 0)).isEqualTo(want);
    }

    @Test
    void shouldStoreAZstdBatchUncompressedWhenTheTopicIsUncompressed() throws IOException {
        open(storing(Compression.NONE));
        log.append(batch(START_MS, "before", 2), 0);
        final MemoryRecords sent = batch(Compression.zstd().build(), START_MS, "z", 7);
        final List<Rec> want = expected(sent, 2);

        log.append(sent, 0);

        assertThat(storedBatches()).extracting(RecordBatch::compressionType)
                .containsExactly(CompressionType.NONE, CompressionType.NONE);
        assertThat(readAll(log, 2)).isEqualTo(want);
    }

    @Test
    void shouldStoreTheBytesAsSentWithoutACopyWhenTheTopicKeepsTheProducersCodec() throws IOException {
        open(LogConfig.defaults());
        assertThat(log.config().keepsProducerCompression()).isTrue();
        final MemoryRecords sent = batch(Compression.gzip().build(), START_MS, "p", 10);
        final byte[] asSent = new byte[sent.sizeInBytes()];
        sent.buffer().duplicate().get(asSent);

        log.append(sent, 7);

        final byte[] stored = Files.readAllBytes(log.dir().resolve(LogTestSupport.fileNames(log.dir(), ".log").get(0)));
        assertThat(stored).hasSize(asSent.length);
        // Base offset 0 and everything from the magic byte on are as sent; bytes 12..15 hold the leader epoch.
        assertThat(Arrays.copyOfRange(stored, 0, 12)).isEqualTo(Arrays.copyOfRange(asSent, 0, 12));
        assertThat(Arrays.copyOfRange(stored, 16, stored.length)).isEqualTo(Arrays.copyOfRange(asSent, 16, asSent.length));
        assertThat(ByteBuffer.wrap(stored).getInt(12)).isEqualTo(7);
        // The leader epoch was patched into the request's own buffer: what was written is that buffer, not a copy.
        assertThat(sent.batches().iterator().next().partitionLeaderEpoch()).isEqualTo(7);
    }

    @Test
    void shouldKeepBatchesAlreadyInTheTopicsCodecAndRewriteOnlyTheOthers() throws IOException {
        open(storing(Compression.zstd().build()));
        final MemoryRecords zstd = batch(Compression.zstd().build(), START_MS, "a", 3);
        final MemoryRecords snappy = batch(Compression.snappy().build(), START_MS, "b", 4);
        final long zstdChecksum = zstd.batches().iterator().next().checksum();
        final MemoryRecords sent = concat(zstd, snappy);
        final List<Rec> want = expected(sent, 0);

        log.append(sent, 0);

        final List<RecordBatch> stored = storedBatches();
        assertThat(stored).extracting(RecordBatch::compressionType).containsExactly(CompressionType.ZSTD, CompressionType.ZSTD);
        // The CRC covers the attributes and every record: the first batch is byte for byte the producer's.
        assertThat(stored.get(0).checksum()).isEqualTo(zstdChecksum);
        assertThat(stored.get(1).baseOffset()).isEqualTo(3);
        assertThat(readAll(log, 0)).isEqualTo(want);
    }

    @Test
    void shouldKeepTheSequenceOfARecompressedIdempotentBatchAndStillDetectARetry() throws IOException {
        open(storing(Compression.lz4().build()));
        log.append(idempotent(Compression.gzip().build(), 0, 3), 0);              // 0..2
        final PartitionLog.AppendResult second = log.append(idempotent(Compression.gzip().build(), 3, 2), 0); // 3..4
        final RecordBatch stored = storedBatches().get(1);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(stored.producerId()).isEqualTo(PID);
        assertThat(stored.producerEpoch()).isEqualTo(EPOCH);
        assertThat(stored.baseSequence()).isEqualTo(3);
        assertThat(stored.lastSequence()).isEqualTo(4);
        assertThat(stored.isTransactional()).isFalse();
        final long bytes = logBytes();

        final PartitionLog.AppendResult retry = log.append(idempotent(Compression.gzip().build(), 3, 2), 0);

        assertThat(retry.firstOffset()).isEqualTo(second.firstOffset());
        assertThat(retry.lastOffset()).isEqualTo(second.lastOffset());
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(logBytes()).isEqualTo(bytes);
        assertThatThrownBy(() -> log.append(idempotent(Compression.gzip().build(), 6, 1), 0))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.append(idempotent(Compression.gzip().build(), 5, 1), 0).firstOffset()).isEqualTo(5);
    }

    @Test
    void shouldKeepTheTransactionalFlagOfARecompressedBatch() throws IOException {
        open(storing(Compression.gzip().level(9).build()));
        log.append(batch(START_MS, "plain", 2), 0);                                       // 0..1
        log.append(MemoryRecords.withTransactionalRecords(Compression.zstd().build(), PID, EPOCH, 0,
                records("t", 3)), 0);                                                     // 2..4

        final RecordBatch stored = storedBatches().get(1);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.GZIP);
        assertThat(stored.isTransactional()).isTrue();
        assertThat(stored.producerId()).isEqualTo(PID);
        assertThat(stored.baseSequence()).isZero();
        assertThat(log.lastStableOffset()).isEqualTo(2); // the open transaction holds the LSO at its first offset

        log.appendTxnMarker(PID, EPOCH, 0, true, 0);
        assertThat(log.lastStableOffset()).isEqualTo(6);
        assertThat(readAll(log, 0)).hasSize(6); // five records and the COMMIT marker
    }

    @Test
    void shouldRefuseABatchTooLargeOnceRecompressedAndWriteNothing() throws IOException {
        open(storing(Compression.NONE).withMaxMessageBytes(4096));
        final SimpleRecord[] big = new SimpleRecord[40];
        for (int i = 0; i < big.length; i++) {
            big[i] = new SimpleRecord(START_MS, bytes("k" + i), new byte[512]); // zeros: compresses to almost nothing
        }
        final MemoryRecords sent = MemoryRecords.withRecords(Compression.zstd().build(), big);
        assertThat(sent.sizeInBytes()).isLessThan(4096);

        assertThatThrownBy(() -> log.append(sent, 0)).isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("max.message.bytes");

        assertThat(log.logEndOffset()).isZero();
        assertThat(logBytes()).isZero();
        assertThat(log.append(batch(Compression.zstd().build(), START_MS, "small", 2), 0).firstOffset()).isZero();
    }

    @Test
    void shouldRefuseABatchThatCompressionMakesLargerThanMaxMessageBytes() throws IOException {
        final byte[] noise = new byte[4000];
        new Random(42).nextBytes(noise); // incompressible: gzip adds its header, trailer and block framing
        final MemoryRecords sent = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(START_MS, bytes("k"), noise));
        open(storing(Compression.gzip().build()).withMaxMessageBytes(sent.sizeInBytes()));

        assertThatThrownBy(() -> log.append(sent, 0)).isInstanceOf(RecordTooLargeException.class)
                .hasMessageContaining("gzip");

        assertThat(log.logEndOffset()).isZero();
        assertThat(logBytes()).isZero();
    }

    @Test
    void shouldKeepOffsetDeltasAndTheLastOffsetDeltaOfARecompressedBatch() throws IOException {
        open(storing(Compression.snappy().build()));
        // A batch with gaps between its offsets and a last offset delta past its last record.
        final MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(1024), Compression.gzip().build(),
                TimestampType.CREATE_TIME, 0L);
        builder.appendWithOffset(0, record(START_MS, "k0", "v0"));
        builder.appendWithOffset(2, record(START_MS + 2, "k2", "v2"));
        builder.appendWithOffset(5, record(START_MS + 5, "k5", "v5"));
        builder.overrideLastOffset(7);

        log.append(builder.build(), 0);

        assertThat(log.logEndOffset()).isEqualTo(8);
        final RecordBatch stored = storedBatches().get(0);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.SNAPPY);
        assertThat(stored.lastOffset()).isEqualTo(7);
        assertThat(readAll(log, 0)).extracting(Rec::offset).containsExactly(0L, 2L, 5L);
        assertThat(log.append(batch(START_MS, "next", 1), 0).firstOffset()).isEqualTo(8);
    }

    @Test
    void shouldStampLogAppendTimeOnARecompressedBatch() throws IOException {
        open(storing(Compression.lz4().build()).withTimestampType(TimestampType.LOG_APPEND_TIME));
        clock.advanceMillis(5_000);

        final PartitionLog.AppendResult result = log.append(batch(Compression.gzip().build(), START_MS, "t", 3), 0);

        final RecordBatch stored = storedBatches().get(0);
        assertThat(stored.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.maxTimestamp()).isEqualTo(result.logAppendTimeMs());
        assertThat(readAll(log, 0)).extracting(Rec::timestamp).containsOnly(result.logAppendTimeMs());
    }

    @Test
    void shouldApplyAChangedCompressionTypeToTheNextAppend() throws IOException {
        open(LogConfig.defaults());
        log.append(batch(Compression.gzip().build(), START_MS, "a", 2), 0);
        log.updateConfig(log.config().withCompression(Compression.zstd().build()));
        log.append(batch(Compression.gzip().build(), START_MS, "b", 2), 0);
        log.updateConfig(log.config().withCompression(null));
        log.append(batch(Compression.gzip().build(), START_MS, "c", 2), 0);

        assertThat(storedBatches()).extracting(RecordBatch::compressionType)
                .containsExactly(CompressionType.GZIP, CompressionType.ZSTD, CompressionType.GZIP);
        assertThat(readAll(log, 0)).hasSize(6);
    }

    @Test
    void shouldKeepTheCompressionThroughEveryWithMethod() {
        final Compression zstd = Compression.zstd().level(7).build();
        final LogConfig config = LogConfig.defaults().withCompression(zstd).withSegmentBytes(1 << 20).withSegmentMs(1000)
                .withTimestampType(TimestampType.LOG_APPEND_TIME).withIndexIntervalBytes(128).withMaxMessageBytes(9999)
                .withCompact(true);
        assertThat(config.compression()).isEqualTo(zstd);
        assertThat(config.keepsProducerCompression()).isFalse();
        assertThat(LogConfig.defaults().compression()).isNull();
    }
}
