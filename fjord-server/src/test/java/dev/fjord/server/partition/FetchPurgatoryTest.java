package dev.fjord.server.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FetchPurgatoryTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** An operation that becomes completable when told, and counts how it completed. */
    private static final class Op implements FetchPurgatory.Operation {
        final AtomicBoolean ready = new AtomicBoolean();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger forced = new AtomicInteger();

        @Override
        public boolean tryComplete() {
            if (ready.get()) {
                completed.incrementAndGet();
                return true;
            }
            return false;
        }

        @Override
        public void forceComplete() {
            forced.incrementAndGet();
        }
    }

    @Test
    void shouldCompleteOnAppendExactlyOnceAndForgetTheWaiter() {
        final FetchPurgatory purgatory = new FetchPurgatory(timer, Runnable::run);
        final Op op = new Op();
        purgatory.watch(op, List.of(TP), 600_000);
        assertThat(purgatory.size()).isEqualTo(1);
        purgatory.onAppend(TP);
        assertThat(op.completed.get()).isZero();
        op.ready.set(true);
        purgatory.onAppend(TP);
        purgatory.onAppend(TP);
        assertThat(op.completed.get()).isEqualTo(1);
        assertThat(op.forced.get()).isZero();
        assertThat(purgatory.size()).isZero();
    }

    @Test
    void shouldForceCompletionWhenTheWaitRunsOut() throws Exception {
        final FetchPurgatory purgatory = new FetchPurgatory(timer, Runnable::run);
        final Op op = new Op();
        purgatory.watch(op, List.of(TP), 1);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (op.forced.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(op.forced.get()).isEqualTo(1);
        assertThat(purgatory.size()).isZero();
    }

    @Test
    void shouldNotMissAnAppendThatHappensBeforeRegistration() {
        final FetchPurgatory purgatory = new FetchPurgatory(timer, Runnable::run);
        final Op op = new Op();
        op.ready.set(true); // the data arrived between the caller's check and watch()
        purgatory.watch(op, List.of(TP), 600_000);
        assertThat(op.completed.get()).isEqualTo(1);
        assertThat(purgatory.size()).isZero();
    }
}
