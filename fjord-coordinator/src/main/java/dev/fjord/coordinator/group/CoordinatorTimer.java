package dev.fjord.coordinator.group;

/**
 * Delayed work for the coordinator: session expiries, rebalance deadlines, the initial rebalance delay.
 * A task runs on the coordinator's thread. Scheduling a key again replaces the earlier task; tests use
 * a manual implementation driven with a manual clock.
 */
public interface CoordinatorTimer {
    void schedule(String key, long delayMs, Runnable task);

    void cancel(String key);
}
