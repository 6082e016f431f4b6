package dev.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.network.KafkaServer;
import dev.fjord.network.NetworkConfig;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StartupPreloadTest {
    private static NetworkConfig listener(final int port) {
        return new NetworkConfig("PLAINTEXT", "127.0.0.1", port, 1, 1024 * 1024, 5, -1, -1, 60_000);
    }

    @Test
    void preparesTheListenerOnItsOwnThreadHandsItOverAndEnds() throws Exception {
        final StartupPreload preload = StartupPreload.begin();
        preload.awaitProtocol();
        preload.configured(listener(0));
        final KafkaServer server = preload.prepared(listener(0));
        try {
            assertThat(waitForPreloadThreadToEnd()).isFalse();
            preload.closeUnused(); // handed over: nothing left to close
            assertThat(server.bind().getPort()).isPositive();
        } finally {
            server.close();
        }
    }

    @Test
    void leavesAPortInUseToTheBrokersBindAndCleansUpAfterIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final StartupPreload preload = StartupPreload.begin();
            preload.configured(listener(taken.getLocalPort()));
            final KafkaServer server = preload.prepared(listener(taken.getLocalPort()));
            assertThatThrownBy(server::bind).isInstanceOf(BindException.class);
            assertThat(waitForEventLoopsToEnd()).as("event loops left running").isFalse();
        }
    }

    @Test
    void closesItsListenerWhenTheBrokerAsksForOtherSettingsOrNeverAsks() throws Exception {
        final StartupPreload preload = StartupPreload.begin();
        preload.configured(listener(0));
        final NetworkConfig other = new NetworkConfig("PLAINTEXT", "127.0.0.1", 0, 2, 1024 * 1024, 5, -1, -1, 60_000);
        final KafkaServer own = preload.prepared(other);
        own.close();

        final StartupPreload unused = StartupPreload.begin();
        unused.configured(listener(0));
        unused.awaitProtocol();
        waitForPreloadThreadToEnd();
        unused.closeUnused();
        assertThat(waitForEventLoopsToEnd()).as("event loops left running").isFalse();
    }

    @Test
    void noneWaitsForNothingAndLetsTheBrokerMakeItsListener() throws Exception {
        final long start = System.nanoTime();
        StartupPreload.NONE.awaitProtocol();
        final KafkaServer server = StartupPreload.NONE.prepared(listener(0));
        assertThat(server.bind().getPort()).isPositive();
        server.close();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    /** Whether the preload thread is still alive after up to 10 s. */
    private static boolean waitForPreloadThreadToEnd() throws InterruptedException {
        return waitWhile("fjord-startup-preload");
    }

    private static boolean waitForEventLoopsToEnd() throws InterruptedException {
        return waitWhile("multiThreadIoEventLoopGroup");
    }

    private static boolean waitWhile(final String threadNamePrefix) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (alive(threadNamePrefix) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return alive(threadNamePrefix);
    }

    private static boolean alive(final String threadNamePrefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith(threadNamePrefix) && t.isAlive());
    }
}
