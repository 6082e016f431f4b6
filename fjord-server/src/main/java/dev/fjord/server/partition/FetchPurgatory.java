package dev.fjord.server.partition;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/**
 * Where long-poll fetches wait: a fetch that found less than {@code min.bytes} registers here on its
 * partitions and is re-tried when one of them gets an append, or completed as it is when its
 * {@code max.wait.ms} runs out. Waiting holds no thread.
 *
 * <p>Thread-safety: appends, timeouts and registrations come from any thread; each operation
 * completes exactly once (guarded by its own flag). Re-tries run on the given executor, never on the
 * appending thread, so a produce is not slowed by the fetches it wakes.
 */
public final class FetchPurgatory {
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final Map<TopicPartition, Set<Delayed>> watchers = new ConcurrentHashMap<>();

    public FetchPurgatory(final ScheduledExecutorService timer, final Executor executor) {
        this.timer = timer;
        this.executor = executor;
    }

    /** An operation that can be re-tried and eventually forced to complete. */
    public interface Operation {
        /** Re-checks the condition; completes and returns true if it now holds. */
        boolean tryComplete();

        /** Completes with whatever is there (the wait is over). */
        void forceComplete();
    }

    /**
     * Parks {@code op} on {@code partitions} for at most {@code timeoutMs}. Re-tries once after
     * registering, so an append between the caller's check and the registration is not missed.
     */
    public void watch(final Operation op, final Collection<TopicPartition> partitions, final long timeoutMs) {
        final Delayed delayed = new Delayed(op, partitions);
        for (final TopicPartition tp : partitions) {
            watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(delayed);
        }
        delayed.timeout = timer.schedule(() -> executor.execute(delayed::expire), timeoutMs, TimeUnit.MILLISECONDS);
        executor.execute(delayed::retry);
    }

    /** Called after an append to {@code tp}, or when it was deleted. */
    public void onAppend(final TopicPartition tp) {
        final Set<Delayed> waiting = watchers.get(tp);
        if (waiting == null || waiting.isEmpty()) {
            return;
        }
        for (final Delayed d : waiting) {
            executor.execute(d::retry);
        }
    }

    /** Number of operations waiting (for tests and metrics). */
    public int size() {
        int n = 0;
        for (final Set<Delayed> s : watchers.values()) {
            n += s.size();
        }
        return n;
    }

    private final class Delayed {
        private final Operation op;
        private final Collection<TopicPartition> partitions;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        Delayed(final Operation op, final Collection<TopicPartition> partitions) {
            this.op = op;
            this.partitions = partitions;
        }

        void retry() {
            if (done.get()) {
                return;
            }
            synchronized (this) {
                if (!done.get() && op.tryComplete()) {
                    finish();
                }
            }
        }

        void expire() {
            synchronized (this) {
                if (!done.get()) {
                    op.forceComplete();
                    finish();
                }
            }
        }

        private void finish() {
            done.set(true);
            final ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            for (final TopicPartition tp : partitions) {
                watchers.computeIfPresent(tp, (k, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}
