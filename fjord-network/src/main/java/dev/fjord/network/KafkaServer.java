package dev.fjord.network;

import dev.fjord.protocol.RequestContext;
import dev.fjord.protocol.RequestDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The listener: accepts connections and gives each its pipeline
 * {@code idle timeout → size-prefixed frame decoder → KafkaConnectionHandler}.
 *
 * <p>Owns its event loops (one acceptor thread, {@code networkThreads} I/O threads). The dispatcher and
 * the request pool belong to the caller, who closes them after this server.
 */
public final class KafkaServer implements AutoCloseable {
    /** Above this many queued outbound bytes a connection stops being read until the client catches up. */
    private static final int WRITE_HIGH_WATER_MARK = 4 * 1024 * 1024;
    private static final int WRITE_LOW_WATER_MARK = 1024 * 1024;

    private final NetworkConfig config;
    /** Set before the listener accepts its first connection ({@link #serve}); read by every new connection. */
    private volatile RequestDispatcher dispatcher;
    private volatile Executor requestPool;
    private final AtomicLong connectionCount = new AtomicLong();
    /** The open connections, which {@link #close()} closes itself rather than leave it to the event loops' shutdown. */
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    /** The server channel's registration with the acceptor loop ({@link #prepare}); bound by {@link #bind}. */
    private ChannelFuture registration;
    private Channel serverChannel;
    private boolean closed;

    /** A dispatcher that supports ApiVersions alone and answers it with an empty list: for tests. */
    static RequestDispatcher apiVersionsOnly() {
        final ApiVersionsResponseData versions = new ApiVersionsResponseData();
        return new RequestDispatcher() {
            @Override
            public boolean isSupported(final ApiKeys apiKey, final short version) {
                return apiKey == ApiKeys.API_VERSIONS;
            }

            @Override
            public CompletableFuture<? extends ApiMessage> dispatch(final RequestContext context,
                                                                    final AbstractRequest request) {
                return CompletableFuture.completedFuture(versions);
            }

            @Override
            public ApiVersionsResponseData apiVersions() {
                return versions;
            }
        };
    }

    public KafkaServer(final NetworkConfig config, final RequestDispatcher dispatcher, final Executor requestPool) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.requestPool = requestPool;
    }

    /** A listener to {@link #bind()} now and {@link #serve} later. */
    public KafkaServer(final NetworkConfig config) {
        this(config, null, null);
    }

    /**
     * Binds the listener and answers with the dispatcher given to the constructor.
     *
     * @return the bound address (with the real port when 0 was asked for)
     * @throws java.net.BindException if the address is in use or not local
     */
    public InetSocketAddress start() throws InterruptedException, java.net.BindException {
        if (dispatcher == null || requestPool == null) {
            throw new IllegalStateException("start() needs the constructor's dispatcher and request pool; else bind() and serve()");
        }
        final InetSocketAddress address = bind();
        serve(dispatcher, requestPool);
        return address;
    }

    /**
     * Does the set-up a listener needs before it can bind: its event loops and its server channel, registered but
     * not bound, so that the port is not open yet. Most of a listener's first-use cost is here (Netty's event loops,
     * allocator and channel classes), so a start-up can prepare on another thread while the broker opens its logs,
     * and open the port only when it is about to serve, as Kafka does. Idempotent; {@link #bind()} calls it.
     */
    public void prepare() {
        if (closed) {
            throw new IllegalStateException("the listener is closed");
        }
        if (registration != null) {
            return;
        }
        acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(config.networkThreads(), NioIoHandler.newFactory());
        final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false) // no accepting until serve()
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        final InetSocketAddress remote = ch.remoteAddress();
                        final String id = config.listenerName() + "-" + remote.getHostString() + ":" + remote.getPort()
                                + "-" + connectionCount.incrementAndGet();
                        connections.add(ch);
                        ch.closeFuture().addListener(gone -> connections.remove(ch));
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, config.idleTimeoutMs(), TimeUnit.MILLISECONDS))
                                .addLast(new LengthFieldBasedFrameDecoder(config.maxRequestBytes(), 0, 4, 0, 4, true))
                                .addLast(new KafkaConnectionHandler(config, dispatcher, requestPool, id));
                    }
                });
        if (config.sendBufferBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, config.sendBufferBytes());
        }
        if (config.receiveBufferBytes() > 0) {
            bootstrap.childOption(ChannelOption.SO_RCVBUF, config.receiveBufferBytes());
        }
        registration = bootstrap.register();
    }

    /**
     * Binds the listener but accepts no connection yet: until {@link #serve}, a client that connects waits in the
     * kernel's listen backlog with its first request unread. Between the two, the caller can learn the bound port
     * (port 0) before any request can ask for it.
     *
     * @return the bound address (with the real port when 0 was asked for)
     * @throws java.net.BindException if the address is in use or not local
     */
    public InetSocketAddress bind() throws InterruptedException, java.net.BindException {
        prepare();
        final InetSocketAddress address = config.host() == null || config.host().isEmpty()
                ? new InetSocketAddress(config.port()) : new InetSocketAddress(config.host(), config.port());
        try {
            final Channel channel = registration.sync().channel();
            channel.bind(address).sync();
            serverChannel = channel;
        } catch (Exception e) {
            close();
            if (e instanceof java.net.BindException) {
                throw (java.net.BindException) e;
            }
            throw e;
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Starts accepting connections, answering their requests with {@code dispatcher}, which runs handlers on {@code requestPool}. */
    public void serve(final RequestDispatcher dispatcher, final Executor requestPool) {
        if (dispatcher == null || requestPool == null) {
            throw new IllegalArgumentException("a listener serves with a dispatcher and a request pool");
        }
        if (serverChannel == null) {
            throw new IllegalStateException("serve() before bind(), or after close()");
        }
        this.dispatcher = dispatcher;
        this.requestPool = requestPool;
        serverChannel.config().setAutoRead(true);
    }

    /** Stops accepting, closes every connection and stops the event loops. Idempotent. */
    @Override
    public void close() {
        closed = true;
        final ChannelFuture registered = registration;
        registration = null;
        serverChannel = null;
        if (registered != null) {
            registered.channel().close().syncUninterruptibly();
        }
        // The acceptor first, so that no accepted connection is still on its way to a worker. Once it has stopped,
        // every registration is queued on a worker; one no-op task per worker, run after them, makes sure they have
        // all run. Then this closes every connection itself: an event loop's shutdown with a quiet period of 0
        // can leave some open, with nobody reading them (a client's request on one would go unanswered), and a
        // quiet period costs a 100 ms check in Netty's loop.
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            acceptor = null;
        }
        if (workers != null) {
            for (final EventExecutor worker : workers) {
                worker.submit(() -> { }).syncUninterruptibly();
            }
            for (final Channel connection : connections) {
                connection.close().syncUninterruptibly();
            }
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers = null;
        }
    }
}
