package dev.fjord.network;

import dev.fjord.protocol.RequestDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
    private final RequestDispatcher dispatcher;
    private final Executor requestPool;
    private final AtomicLong connectionCount = new AtomicLong();
    private EventLoopGroup acceptor;
    private EventLoopGroup workers;
    private Channel serverChannel;

    public KafkaServer(final NetworkConfig config, final RequestDispatcher dispatcher, final Executor requestPool) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.requestPool = requestPool;
    }

    /**
     * Binds the listener.
     *
     * @return the bound address (with the real port when 0 was asked for)
     * @throws java.net.BindException if the address is in use or not local
     */
    public InetSocketAddress start() throws InterruptedException, java.net.BindException {
        acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(config.networkThreads(), NioIoHandler.newFactory());
        final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATER_MARK, WRITE_HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(final SocketChannel ch) {
                        final InetSocketAddress remote = ch.remoteAddress();
                        final String id = config.listenerName() + "-" + remote.getHostString() + ":" + remote.getPort()
                                + "-" + connectionCount.incrementAndGet();
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
        final InetSocketAddress address = config.host() == null || config.host().isEmpty()
                ? new InetSocketAddress(config.port()) : new InetSocketAddress(config.host(), config.port());
        try {
            serverChannel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            close();
            if (e instanceof java.net.BindException) {
                throw (java.net.BindException) e;
            }
            throw e;
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops accepting, closes every connection and stops the event loops. Idempotent. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers = null;
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            acceptor = null;
        }
    }
}
