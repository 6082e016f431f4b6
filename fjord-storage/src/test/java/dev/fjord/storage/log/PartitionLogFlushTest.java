package dev.fjord.storage.log;

import static dev.fjord.storage.log.LogTestSupport.START_MS;
import static dev.fjord.storage.log.LogTestSupport.TP;
import static dev.fjord.storage.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.common.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogFlushTest {
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

    private static LogConfig flushing(final long messages, final long ms) {
        final LogConfig d = LogConfig.defaults();
        return new LogConfig(d.segmentBytes(), d.segmentMs(), messages, ms, d.maxMessageBytes(), TimestampType.CREATE_TIME,
                d.indexIntervalBytes(), d.segmentIndexBytes());
    }

    private Path dir() {
        return tmp.resolve("topic-0");
    }

    private long recoveryPoint() throws IOException {
        return Long.parseLong(Files.readString(dir().resolve(PartitionLog.RECOVERY_POINT_FILE)).trim());
    }

    private boolean hasRecoveryPoint() {
        return Files.exists(dir().resolve(PartitionLog.RECOVERY_POINT_FILE));
    }

    @Test
    void shouldMoveTheRecoveryPointWithTheLogEndWhenFlushingEveryMessage() throws IOException {
        log = PartitionLog.open(dir(), TP, flushing(1, Long.MAX_VALUE), clock);
        for (int i = 1; i <= 5; i++) {
            log.append(batch(START_MS, "b" + i, i), 0);
            assertThat(recoveryPoint()).isEqualTo(log.logEndOffset());
        }
    }

    @Test
    void shouldSayAnAppendMayFsyncOnlyWhenFlushMessagesIsSet() throws IOException {
        log = PartitionLog.open(dir(), TP, flushing(10, Long.MAX_VALUE), clock);
        assertThat(log.appendMayFsync(100)).isTrue();
        log.close();
        log = PartitionLog.open(tmp.resolve("topic-1"), TP, flushing(Long.MAX_VALUE, 1000), clock);
        assertThat(log.appendMayFsync(100)).isFalse(); // flush.ms flushes on the scheduler, not in the append
    }

    @Test
    void shouldFlushAfterEnoughMessagesWhenFlushMessagesIsLarger() throws IOException {
        log = PartitionLog.open(dir(), TP, flushing(10, Long.MAX_VALUE), clock);
        log.append(batch(START_MS, "a", 4), 0);
        log.append(batch(START_MS, "b", 4), 0);
        assertThat(hasRecoveryPoint()).isFalse();
        log.append(batch(START_MS, "c", 4), 0);
        assertThat(recoveryPoint()).isEqualTo(12);
        log.append(batch(START_MS, "d", 4), 0);
        assertThat(recoveryPoint()).isEqualTo(12);
    }

    @Test
    void shouldFlushOnlyWhenFlushMsHasPassedWhenMaybeFlushIsCalled() throws IOException {
        log = PartitionLog.open(dir(), TP, flushing(Long.MAX_VALUE, 1_000), clock);
        log.maybeFlush(); // nothing appended: nothing to do
        assertThat(hasRecoveryPoint()).isFalse();
        log.append(batch(START_MS, "a", 3), 0);
        clock.advanceMillis(999);
        log.maybeFlush();
        assertThat(hasRecoveryPoint()).isFalse();
        clock.advanceMillis(1);
        log.maybeFlush();
        assertThat(recoveryPoint()).isEqualTo(3);

        log.append(batch(START_MS, "b", 2), 0);
        clock.advanceMillis(500);
        log.maybeFlush();
        assertThat(recoveryPoint()).isEqualTo(3);
        clock.advanceMillis(500);
        log.maybeFlush();
        assertThat(recoveryPoint()).isEqualTo(5);

        // Time passing without appends does not flush again (and does not move the point).
        clock.advanceMillis(10_000);
        log.maybeFlush();
        assertThat(recoveryPoint()).isEqualTo(5);
    }

    @Test
    void shouldWriteTheRecoveryPointWhenFlushedExplicitly() throws IOException {
        log = PartitionLog.open(dir(), TP, LogConfig.defaults(), clock);
        log.append(batch(START_MS, "a", 7), 0);
        log.flush();
        assertThat(recoveryPoint()).isEqualTo(7);
    }
}
