package dev.fjord.server.group;

import dev.fjord.coordinator.group.CoordinatorTimer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's timer in the broker: waits on the shared scheduler, then runs the task on the
 * coordinator's own thread. A task replaced or cancelled after it fired but before it ran is skipped.
 */
public final class ScheduledCoordinatorTimer implements CoordinatorTimer {
    private final ScheduledExecutorService scheduler;
    private final Executor coordinatorThread;
    private final Map<String, ScheduledFuture<?>> tasks = new ConcurrentHashMap<>();

    public ScheduledCoordinatorTimer(final ScheduledExecutorService scheduler, final Executor coordinatorThread) {
        this.scheduler = scheduler;
        this.coordinatorThread = coordinatorThread;
    }

    @Override
    public void schedule(final String key, final long delayMs, final Runnable task) {
        final ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = scheduler.schedule(() -> coordinatorThread.execute(() -> {
            if (tasks.remove(key, self[0])) {
                task.run();
            }
        }), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        final ScheduledFuture<?> previous = tasks.put(key, self[0]);
        if (previous != null) {
            previous.cancel(false);
        }
    }

    @Override
    public void cancel(final String key) {
        final ScheduledFuture<?> f = tasks.remove(key);
        if (f != null) {
            f.cancel(false);
        }
    }
}
