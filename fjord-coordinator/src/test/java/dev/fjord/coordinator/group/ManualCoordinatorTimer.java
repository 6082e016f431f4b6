package dev.fjord.coordinator.group;

import dev.fjord.common.ManualClock;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link CoordinatorTimer} for tests: nothing fires until the test moves time forward with
 * {@link #advance(long)}, which runs every task that falls due, in deadline order, with the clock set to
 * each task's deadline while it runs (so tasks scheduled by tasks fire too if they fall due in the window).
 */
final class ManualCoordinatorTimer implements CoordinatorTimer {
    private final ManualClock clock;
    private final Map<String, Scheduled> tasks = new HashMap<>();
    private long sequence;

    private record Scheduled(long deadlineMs, long sequence, Runnable task) {
    }

    ManualCoordinatorTimer(final ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public void schedule(final String key, final long delayMs, final Runnable task) {
        tasks.put(key, new Scheduled(clock.millis() + Math.max(0, delayMs), sequence++, task));
    }

    @Override
    public void cancel(final String key) {
        tasks.remove(key);
    }

    /** Whether a task is scheduled under this key. */
    boolean isScheduled(final String key) {
        return tasks.containsKey(key);
    }

    /** The delay from now of the task under this key; fails if there is none. */
    long remainingMs(final String key) {
        final Scheduled s = tasks.get(key);
        if (s == null) {
            throw new AssertionError("nothing scheduled under " + key + "; scheduled: " + tasks.keySet());
        }
        return s.deadlineMs() - clock.millis();
    }

    /** Moves the clock forward by {@code millis}, running each task as its deadline is reached. */
    void advance(final long millis) {
        final long target = clock.millis() + millis;
        while (true) {
            String dueKey = null;
            Scheduled due = null;
            for (final Map.Entry<String, Scheduled> e : tasks.entrySet()) {
                final Scheduled s = e.getValue();
                if (s.deadlineMs() <= target && (due == null || s.deadlineMs() < due.deadlineMs()
                        || (s.deadlineMs() == due.deadlineMs() && s.sequence() < due.sequence()))) {
                    due = s;
                    dueKey = e.getKey();
                }
            }
            if (due == null) {
                break;
            }
            tasks.remove(dueKey);
            if (due.deadlineMs() > clock.millis()) {
                clock.advanceMillis(due.deadlineMs() - clock.millis());
            }
            due.task().run();
        }
        clock.advanceMillis(target - clock.millis());
    }
}
