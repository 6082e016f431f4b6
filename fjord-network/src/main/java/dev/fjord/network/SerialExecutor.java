package dev.fjord.network;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the tasks given to it one after the other, in submission order, on a shared pool. One per
 * connection: Kafka clients rely on a connection's requests being applied in the order they were sent
 * (a pipelined producer's batches must be appended in order), while different connections run in
 * parallel. A task that returns a pending future (a long-poll fetch) does not hold up the next one.
 */
final class SerialExecutor implements Executor {
    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    SerialExecutor(final Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(final Runnable task) {
        tasks.add(task);
        schedule();
    }

    /**
     * Whether no task is queued or running. Only the thread that submits tasks can rely on a true answer
     * staying true (until it submits again); a task run by that thread itself is then in order.
     */
    boolean isIdle() {
        return !scheduled.get() && tasks.isEmpty();
    }

    private void schedule() {
        if (!tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            pool.execute(this::runAll);
        }
    }

    private void runAll() {
        try {
            // Bounded drain so one busy connection cannot hold a pool thread forever.
            for (int i = 0; i < 64; i++) {
                final Runnable task = tasks.poll();
                if (task == null) {
                    break;
                }
                task.run();
            }
        } finally {
            scheduled.set(false);
            schedule();
        }
    }
}
