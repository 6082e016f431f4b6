package dev.fjord.network;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.protocol.ProtocolClasses;
import dev.fjord.protocol.RequestContext;
import dev.fjord.protocol.RequestDispatcher;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The network layer over a real loopback socket, with a dispatcher the test controls. */
class KafkaServerTest {
    private static final NetworkConfig LOOPBACK_ANY_PORT = new NetworkConfig("PLAINTEXT", "127.0.0.1", 0, 1, 1024 * 1024, 3,
            -1, -1, 60_000);
    private final List<CompletableFuture<ApiMessage>> pending = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-pool"));
    /** Correlation ids the dispatcher calls cheap; ids whose dispatch blocks on the pool until released. */
    private final Set<Integer> cheapIds = ConcurrentHashMap.newKeySet();
    private final Map<Integer, CountDownLatch> blockingIds = new ConcurrentHashMap<>();
    /** "id@thread" for each dispatch, in dispatch order. */
    private final List<String> dispatched = new CopyOnWriteArrayList<>();
    private KafkaServer server;
    private InetSocketAddress address;

    private final RequestDispatcher dispatcher = new RequestDispatcher() {
        @Override
        public boolean isSupported(final ApiKeys apiKey, final short version) {
            return (apiKey == ApiKeys.METADATA || apiKey == ApiKeys.API_VERSIONS) && version <= apiKey.latestVersion();
        }

        @Override
        public CompletableFuture<? extends ApiMessage> dispatch(final RequestContext context, final AbstractRequest request) {
            dispatched.add(context.correlationId() + "@" + Thread.currentThread().getName());
            final CountDownLatch block = blockingIds.get(context.correlationId());
            if (block != null) {
                try {
                    block.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            final CompletableFuture<ApiMessage> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        @Override
        public boolean cheap(final RequestContext context, final AbstractRequest request) {
            return cheapIds.contains(context.correlationId());
        }

        @Override
        public ApiVersionsResponseData apiVersions() {
            return new ApiVersionsResponseData();
        }
    };

    @BeforeEach
    void start() throws Exception {
        server = new KafkaServer(new NetworkConfig("PLAINTEXT", "127.0.0.1", 0, 1, 1024 * 1024, 3, -1, -1, 60_000),
                dispatcher, pool);
        address = server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        pool.shutdownNow();
    }

    @Test
    void shouldAnswerInRequestOrderWhenLaterRequestsCompleteFirst() throws Exception {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int id = 1; id <= 3; id++) {
                write(out, id);
            }
            await(3);
            // Complete in reverse order; the answers must still come back 1, 2, 3.
            for (int i = 2; i >= 0; i--) {
                pending.get(i).complete(new MetadataResponseData().setClusterId("c" + (i + 1)));
            }
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int id = 1; id <= 3; id++) {
                final byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                final ByteBuffer b = ByteBuffer.wrap(frame);
                assertThat(b.getInt()).isEqualTo(id);
            }
        }
    }

    @Test
    void shouldStopReadingAtTheInFlightLimitAndResumeWhenAnswered() throws Exception {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int id = 1; id <= 5; id++) {
                write(out, id);
            }
            await(3);
            Thread.sleep(200);
            // The limit is 3: the others wait in the socket until answers go out.
            assertThat(pending).hasSize(3);
            pending.get(0).complete(new MetadataResponseData());
            await(4);
            pending.get(1).complete(new MetadataResponseData());
            pending.get(2).complete(new MetadataResponseData());
            await(5);
        }
    }

    @Test
    void shouldRunACheapRequestOnTheEventLoopAndAnswerIt() throws Exception {
        cheapIds.add(1);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            write(new DataOutputStream(socket.getOutputStream()), 1);
            await(1);
            assertThat(dispatched).hasSize(1);
            assertThat(dispatched.get(0)).startsWith("1@").doesNotContain("test-pool");
            pending.get(0).complete(new MetadataResponseData());
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(1);
        }
    }

    @Test
    void shouldKeepACheapRequestBehindAnEarlierOneStillRunningOnThePool() throws Exception {
        final CountDownLatch release = new CountDownLatch(1);
        blockingIds.put(1, release);
        cheapIds.add(2);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            write(out, 1);
            write(out, 2);
            Thread.sleep(200);
            // Request 1 is still being handled on the pool: request 2 must wait for it, not overtake it.
            assertThat(dispatched).containsExactly("1@test-pool");
            release.countDown();
            await(2);
            assertThat(dispatched).containsExactly("1@test-pool", "2@test-pool");
            pending.forEach(f -> f.complete(new MetadataResponseData()));
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int id = 1; id <= 2; id++) {
                final byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(id);
            }
        }
    }

    private void await(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pending.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(pending).hasSizeGreaterThanOrEqualTo(count);
    }

    private static void write(final DataOutputStream out, final int correlationId) throws Exception {
        ProtocolClasses.writeRequest(out, ApiKeys.METADATA, (short) 12, correlationId, new MetadataRequestData());
    }

    @Test
    void shouldHoldAnEarlyClientsRequestUntilItServesAndThenAnswerIt() throws Exception {
        final Set<Thread> before = Thread.getAllStackTraces().keySet();
        final KafkaServer early = new KafkaServer(LOOPBACK_ANY_PORT);
        final InetSocketAddress bound = early.bind();
        try (Socket socket = new Socket(bound.getAddress(), bound.getPort())) {
            ProtocolClasses.writeRequest(new DataOutputStream(socket.getOutputStream()), ApiKeys.API_VERSIONS,
                    (short) 3, 7, new ApiVersionsRequestData());
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            socket.setSoTimeout(300);
            try {
                in.read();
                throw new AssertionError("answered before serve()");
            } catch (SocketTimeoutException expected) {
                // connected (the kernel's backlog), not yet accepted
            }
            socket.setSoTimeout(10_000);
            early.serve(KafkaServer.apiVersionsOnly(), pool);
            final byte[] response = new byte[in.readInt()];
            in.readFully(response);
            assertThat(ByteBuffer.wrap(response).getInt()).as("correlation id").isEqualTo(7);
        } finally {
            early.close();
        }
        assertNoThreadLeftBut(before);
    }

    @Test
    void shouldNotOpenItsPortUntilBoundWhenOnlyPrepared() throws Exception {
        final Set<Thread> before = Thread.getAllStackTraces().keySet();
        final int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        final KafkaServer prepared = new KafkaServer(new NetworkConfig("PLAINTEXT", "127.0.0.1", port, 1, 1024 * 1024, 3,
                -1, -1, 60_000));
        try {
            prepared.prepare();
            prepared.prepare(); // idempotent
            try (Socket refused = new Socket("127.0.0.1", port)) {
                throw new AssertionError("connected to a listener that was only prepared");
            } catch (java.net.ConnectException expected) {
                // not listening yet
            }
            assertThat(prepared.bind().getPort()).isEqualTo(port);
            try (Socket accepted = new Socket("127.0.0.1", port)) {
                assertThat(accepted.isConnected()).isTrue();
            }
        } finally {
            prepared.close();
        }
        assertNoThreadLeftBut(before);
    }

    @Test
    void shouldLeaveNoEventLoopRunningWhenClosedAfterPreparingOnly() throws Exception {
        final Set<Thread> before = Thread.getAllStackTraces().keySet();
        final KafkaServer prepared = new KafkaServer(LOOPBACK_ANY_PORT);
        prepared.prepare();
        prepared.close();
        prepared.close(); // idempotent, quietly
        assertNoThreadLeftBut(before);
    }

    @Test
    void shouldCloseQuietlyAgainAfterABindThatFailed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            final KafkaServer busy = new KafkaServer(new NetworkConfig("PLAINTEXT", "127.0.0.1", taken.getLocalPort(), 1,
                    1024 * 1024, 3, -1, -1, 60_000));
            org.assertj.core.api.Assertions.assertThatThrownBy(busy::bind).isInstanceOf(java.net.BindException.class);
            busy.close(); // what a broker's close does after its failed start: no error
        }
    }

    @Test
    void shouldReleaseItsPortWhenClosedWithoutEverServing() throws Exception {
        final Set<Thread> before = Thread.getAllStackTraces().keySet();
        final KafkaServer unused = new KafkaServer(LOOPBACK_ANY_PORT);
        final InetSocketAddress bound = unused.bind();
        final Socket waiting = new Socket(bound.getAddress(), bound.getPort());
        unused.close();
        try (java.net.ServerSocket again = new java.net.ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(bound);
            assertThat(again.getLocalPort()).isEqualTo(bound.getPort());
        }
        waiting.setSoTimeout(5_000);
        try (waiting) {
            assertThat(waiting.getInputStream().read()).as("end of stream").isEqualTo(-1);
        } catch (IOException reset) {
            // closed by the kernel with the listening socket
        }
        assertNoThreadLeftBut(before);
    }

    private static void assertNoThreadLeftBut(final Set<Thread> before) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Thread> added;
        do {
            added = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !t.getName().startsWith("test-pool")).toList();
        } while (!added.isEmpty() && System.nanoTime() < deadline && sleep(10));
        assertThat(added).as("threads left running").isEmpty();
    }

    @Test
    void shouldCloseEveryConnectionItAnsweredEvenWhileClientsAreStillConnecting() throws Exception {
        final RequestDispatcher answering = KafkaServer.apiVersionsOnly();
        for (int round = 0; round < 10; round++) {
            final KafkaServer racing = new KafkaServer(new NetworkConfig("PLAINTEXT", "127.0.0.1", 0, 2, 1024 * 1024, 3,
                    -1, -1, 60_000), answering, pool);
            final InetSocketAddress racingAddress = racing.start();
            // Connections the server has answered on, so surely accepted; the connector goes on until the
            // listener closes. (A connection the kernel completed but the server never accepted is not the
            // server's to close.)
            final List<Socket> answered = new CopyOnWriteArrayList<>();
            final CompletableFuture<Throwable> stopped = new CompletableFuture<>();
            final Thread connector = new Thread(() -> {
                while (true) {
                    Socket socket = null;
                    try {
                        socket = new Socket(racingAddress.getAddress(), racingAddress.getPort());
                        ProtocolClasses.writeRequest(new DataOutputStream(socket.getOutputStream()), ApiKeys.API_VERSIONS,
                                (short) 3, 1, new ApiVersionsRequestData());
                        final DataInputStream in = new DataInputStream(socket.getInputStream());
                        in.readFully(new byte[in.readInt()]);
                        answered.add(socket);
                    } catch (Throwable refusedOrClosed) {
                        if (socket != null) {
                            try {
                                socket.close(); // closed mid-exchange: not one of the answered ones
                            } catch (IOException ignored) {
                                // already gone
                            }
                        }
                        stopped.complete(refusedOrClosed);
                        return;
                    }
                }
            }, "test-connector");
            connector.start();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (answered.size() < 20 && !stopped.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(answered).as("connections answered before close, connector stopped by %s", stopped.getNow(null))
                    .hasSizeGreaterThanOrEqualTo(20);
            racing.close();
            connector.join(10_000);
            assertThat(connector.isAlive()).isFalse();
            for (final Socket socket : answered) {
                socket.setSoTimeout(5_000);
                try (socket) {
                    assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("connection " + answered.indexOf(socket) + " of " + answered.size()
                            + " stayed open after close() in round " + round, e);
                } catch (IOException reset) {
                    // closed
                }
            }
        }
    }

    private static boolean sleep(final long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

}
