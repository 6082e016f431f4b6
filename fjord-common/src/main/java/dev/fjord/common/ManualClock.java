package dev.fjord.common;

import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when told to. For tests; thread-safe so a broker's threads can read it. */
public final class ManualClock implements Clock {
    private final AtomicLong wallMillis;
    private final AtomicLong nanos = new AtomicLong();

    public ManualClock(final long startWallMillis) {
        this.wallMillis = new AtomicLong(startWallMillis);
    }

    @Override
    public long wallMillis() {
        return wallMillis.get();
    }

    @Override
    public long nanos() {
        return nanos.get();
    }

    /** Moves both the wall clock and the monotonic clock forward. */
    public void advanceMillis(final long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("time only moves forward: " + millis);
        }
        wallMillis.addAndGet(millis);
        nanos.addAndGet(millis * 1_000_000L);
    }
}
