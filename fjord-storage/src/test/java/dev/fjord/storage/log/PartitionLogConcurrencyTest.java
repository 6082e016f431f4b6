package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogConcurrencyTest {
    private static final int BATCHES = 2_000;

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void shouldNeverShowAPartialBatchOrAGapWhenReadersRunDuringAppends() throws Exception {
        final ManualClock clock = new ManualClock(START_MS);
        // Small segments so that rolls happen under the readers' feet.
        final PartitionLog log = PartitionLog.open(tmp.resolve("topic-0"), TP,
                LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(512), clock);
        final AtomicBoolean done = new AtomicBoolean();
        final ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            final Future<Long> appender = pool.submit(() -> {
                final Random random = new Random(2024);
                long expected = 0;
                try {
                    for (int i = 0; i < BATCHES; i++) {
                        final int n = 1 + random.nextInt(8);
                        final Compression c = random.nextBoolean() ? Compression.NONE : Compression.lz4().build();
                        final PartitionLog.AppendResult r = log.append(batch(c, START_MS + i, "b" + i, n), 0);
                        assertThat(r.firstOffset()).isEqualTo(expected);
                        expected = r.lastOffset() + 1;
                        if (i % 97 == 0) {
                            clock.advanceMillis(1);
                        }
                    }
                } finally {
                    done.set(true);
                }
                return expected;
            });
            final List<Future<Long>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                final int seed = t;
                readers.add(pool.submit(() -> {
                    final Random random = new Random(seed);
                    long next = 0;
                    long reads = 0;
                    while (true) {
                        final boolean finished = done.get();
                        final int maxBytes = 64 + random.nextInt(4096);
                        final PartitionLog.ReadResult r = log.read(next, maxBytes, true);
                        reads++;
                        for (final RecordBatch b : r.records().batches()) {
                            b.ensureValid(); // a partial or half-written batch would fail here
                            assertThat(b.baseOffset()).as("batch after offset %d", next - 1).isLessThanOrEqualTo(next);
                            assertThat(b.lastOffset()).isLessThan(r.highWatermark());
                            long expectedOffset = b.baseOffset();
                            for (final Record rec : b) {
                                assertThat(rec.offset()).isEqualTo(expectedOffset++);
                            }
                            assertThat(expectedOffset - 1).isEqualTo(b.lastOffset());
                            next = Math.max(next, b.lastOffset() + 1);
                        }
                        if (finished && next == log.logEndOffset()) {
                            return reads;
                        }
                    }
                }));
            }
            final long end = appender.get(60, TimeUnit.SECONDS);
            for (final Future<Long> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            }
            assertThat(log.logEndOffset()).isEqualTo(end);
        } finally {
            done.set(true);
            pool.shutdownNow();
            log.close();
        }
    }
}
