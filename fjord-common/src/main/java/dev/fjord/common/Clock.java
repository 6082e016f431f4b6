package dev.fjord.common;

/**
 * The one source of time in the broker. Components take a {@code Clock} instead of calling
 * {@code System.currentTimeMillis()} or {@code System.nanoTime()}, so that tests can drive time by hand
 * ({@link ManualClock}) and never sleep.
 */
public interface Clock {
    /** Wall-clock time in milliseconds since the epoch: for timestamps stored in records and indexes. */
    long wallMillis();

    /** Monotonic time in nanoseconds: for timeouts and durations. Never goes backwards. */
    long nanos();

    /** Monotonic time in milliseconds. */
    default long millis() {
        return nanos() / 1_000_000L;
    }

    /** The system clock. */
    Clock SYSTEM = new Clock() {
        @Override
        public long wallMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long nanos() {
            return System.nanoTime();
        }
    };
}
