package dev.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupPreloadTest {
    @Test
    void runsBothPhasesOnItsOwnThreadAndEnds() throws Exception {
        final StartupPreload preload = StartupPreload.begin();
        preload.awaitProtocol();
        preload.loggingReady();
        preload.awaitNetwork();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (preloadThreadAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(preloadThreadAlive()).isFalse();
    }

    @Test
    void noneWaitsForNothing() {
        final long start = System.nanoTime();
        StartupPreload.NONE.awaitProtocol();
        StartupPreload.NONE.awaitNetwork();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    private static boolean preloadThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("fjord-startup-preload") && t.isAlive());
    }
}
