package dev.fjord.network;

import dev.fjord.protocol.RequestContext;
import dev.fjord.protocol.RequestDispatcher;
import dev.fjord.protocol.RequestParser;
import dev.fjord.protocol.ResponseSerializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka client connection: parses each frame into a request, hands it to the dispatcher on the
 * request pool, and writes the responses back <b>strictly in request order</b>, which clients rely on
 * (they match responses to their oldest in-flight request).
 *
 * <p>Threading: every field is owned by the channel's event loop. Handlers run on the request pool and
 * hop back onto the event loop with {@link #onComplete}; except that a request the dispatcher calls
 * {@linkplain RequestDispatcher#cheap cheap} (a produce that will not fsync, a fetch) runs right on the
 * event loop when none of this connection's requests is queued or running on the pool, which keeps
 * the order and saves two thread hand-offs (wake-ups) per request. Responses written while a socket
 * read is being processed are flushed once, at the end of that read.
 *
 * <p>Bounds: reading stops while the connection has {@code maxInFlightRequests} unanswered requests,
 * or more than {@code maxRequestBytes} of unanswered request bytes, or while the socket's outbound
 * buffer is above its high-water mark; it resumes when the backlog drains.
 *
 * <p>Bad input: a frame that is not a request, names an unknown API key, or asks a version we do not
 * implement closes this connection (as Kafka does), except ApiVersions, which gets the KIP-511 v0
 * answer listing what we support. Other connections are unaffected.
 */
final class KafkaConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectionHandler.class);
    /** Responses up to this size are copied into one buffer; larger ones go zero-copy (see {@link #outbound}). */
    static final int COPY_MAX_BYTES = 64 * 1024;

    private final NetworkConfig config;
    private final RequestDispatcher dispatcher;
    private final SerialExecutor requests;
    private final String connectionId;
    private final ArrayDeque<Slot> inFlight = new ArrayDeque<>();
    /**
     * Frames that arrived in the same socket read after the in-flight limit was reached. Reading is off
     * by then, so this holds at most what one read had already taken off the socket.
     */
    private final ArrayDeque<ByteBuf> waiting = new ArrayDeque<>();
    private long inFlightBytes;
    /** True between channelRead and channelReadComplete: responses written then are flushed at the end of the read. */
    private boolean reading;
    private boolean flushPending;
    private ChannelHandlerContext ctx;
    private InetSocketAddress remote;

    KafkaConnectionHandler(final NetworkConfig config, final RequestDispatcher dispatcher, final Executor pool,
                           final String connectionId) {
        this.config = config;
        this.dispatcher = dispatcher;
        this.requests = new SerialExecutor(pool);
        this.connectionId = connectionId;
    }

    /** A response position in the connection's queue; filled when its request completes. */
    private static final class Slot {
        final int correlationId;
        final short headerVersion;
        final short apiVersion;
        final int frameBytes;
        boolean done;
        Send send;

        Slot(final int correlationId, final short headerVersion, final short apiVersion, final int frameBytes) {
            this.correlationId = correlationId;
            this.headerVersion = headerVersion;
            this.apiVersion = apiVersion;
            this.frameBytes = frameBytes;
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext context) throws Exception {
        this.ctx = context;
        this.remote = (InetSocketAddress) context.channel().remoteAddress();
        super.channelActive(context);
    }

    @Override
    public void channelRead(final ChannelHandlerContext context, final Object msg) {
        reading = true;
        final ByteBuf frame = (ByteBuf) msg;
        if (inFlight.size() >= config.maxInFlightRequests() || !waiting.isEmpty()) {
            waiting.add(frame);
            updateReading();
            return;
        }
        onRequest(context, frame);
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext context) throws Exception {
        reading = false;
        if (flushPending) {
            flushPending = false;
            context.flush();
        }
        super.channelReadComplete(context);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) throws Exception {
        while (!waiting.isEmpty()) {
            waiting.poll().release();
        }
        super.channelInactive(context);
    }

    private void onRequest(final ChannelHandlerContext context, final ByteBuf frame) {
        final int frameBytes = frame.readableBytes();
        final ByteBuffer buffer = frame.nioBuffer();
        final RequestHeader header;
        final AbstractRequest request;
        try {
            header = RequestParser.parseHeader(buffer);
            if (!dispatcher.isSupported(header.apiKey(), header.apiVersion())) {
                frame.release();
                onUnsupportedVersion(header);
                return;
            }
            request = RequestParser.parseBody(header, buffer);
        } catch (RuntimeException e) {
            frame.release();
            closeOnBadInput("a malformed request (" + e.getMessage() + ")");
            return;
        }
        final Slot slot = new Slot(header.correlationId(),
                ResponseSerializer.responseHeaderVersion(header.apiKey(), header.apiVersion()),
                header.apiVersion(), frameBytes);
        inFlight.add(slot);
        inFlightBytes += frameBytes;
        updateReading();
        final RequestContext requestContext = new RequestContext(header, connectionId, config.listenerName(), remote);
        final boolean noResponseExpected = request instanceof ProduceRequest && ((ProduceRequest) request).acks() == 0;
        final Runnable task = () -> {
            CompletableFuture<? extends ApiMessage> future;
            try {
                future = dispatcher.dispatch(requestContext, request);
            } catch (RuntimeException | Error e) {
                future = CompletableFuture.failedFuture(e);
            }
            future.whenComplete((response, error) -> {
                if (context.executor().inEventLoop()) {
                    onComplete(slot, request, response, error, frame, noResponseExpected);
                } else {
                    context.executor().execute(() -> onComplete(slot, request, response, error, frame, noResponseExpected));
                }
            });
        };
        boolean inline;
        try {
            inline = requests.isIdle() && dispatcher.cheap(requestContext, request);
        } catch (RuntimeException e) {
            inline = false; // the handler reports it properly on the pool
        }
        if (inline) {
            task.run();
        } else {
            requests.execute(task);
        }
    }

    private void onUnsupportedVersion(final RequestHeader header) {
        if (header.apiKey() != ApiKeys.API_VERSIONS) {
            closeOnBadInput(header.apiKey() + " v" + header.apiVersion() + ", a version this broker does not support");
            return;
        }
        // KIP-511: a client newer than us learns our versions from a v0-shaped answer.
        final ApiVersionsResponseData answer = dispatcher.apiVersions().setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        final Slot slot = new Slot(header.correlationId(), (short) 0, (short) 0, 0);
        slot.send = ResponseSerializer.serialize(slot.correlationId, (short) 0, answer, (short) 0);
        slot.done = true;
        inFlight.add(slot);
        drain();
    }

    private void onComplete(final Slot slot, final AbstractRequest request, final ApiMessage response,
                            final Throwable failure, final ByteBuf frame, final boolean noResponseExpected) {
        frame.release();
        inFlightBytes -= slot.frameBytes;
        slot.done = true;
        if (!ctx.channel().isActive()) {
            return;
        }
        final Throwable error = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        try {
            if (error != null) {
                if (noResponseExpected) {
                    // With acks=0 the only way to tell the producer is to drop the connection, as Kafka does.
                    LOG.debug("Closing {}: acks=0 produce failed: {}", connectionId, error.toString());
                    ctx.close();
                    return;
                }
                if (!(error instanceof ApiException)) {
                    LOG.error("{} from {} ({}) failed with an unexpected error", request.apiKey(), connectionId,
                            remote, error);
                }
                slot.send = serialize(slot, request.getErrorResponse(0, error).data());
            } else if (response != null) {
                slot.send = serialize(slot, response);
            }
        } catch (RuntimeException e) {
            LOG.error("Could not encode the {} response for {}; closing the connection", request.apiKey(), connectionId, e);
            ctx.close();
            return;
        }
        drain();
    }

    private static Send serialize(final Slot slot, final ApiMessage body) {
        return ResponseSerializer.serialize(slot.correlationId, slot.headerVersion, body, slot.apiVersion);
    }

    /**
     * A response as Netty writes it. Up to {@link #COPY_MAX_BYTES}: one buffer holding all of it, records
     * read from their segment included, which Netty gathers with the responses around it into a single
     * write (one TCP segment for a small fetch, one write for several produce answers). Larger ones:
     * zero-copy, the records going from the page cache to the socket with sendfile.
     */
    private Object outbound(final Send send) throws IOException {
        final long size = send.size();
        if (size > COPY_MAX_BYTES) {
            return new SendFileRegion(send);
        }
        final ByteBuf buffer = ctx.alloc().ioBuffer((int) size);
        try {
            SendFileRegion.copy(send, buffer.nioBuffer(0, (int) size));
            return buffer.writerIndex((int) size);
        } catch (IOException | RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    /** Writes every answered response at the head of the queue, then flushes once. */
    private void drain() {
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
            final Slot slot = inFlight.pollFirst();
            if (slot.send != null) {
                try {
                    ctx.write(outbound(slot.send), ctx.voidPromise());
                } catch (IOException e) {
                    LOG.warn("Could not read the records of a response for {}; closing the connection: {}", connectionId,
                            e.getMessage());
                    ctx.close();
                    return;
                }
                wrote = true;
            }
        }
        if (wrote) {
            if (reading) {
                flushPending = true;
            } else {
                ctx.flush();
            }
        }
        while (!waiting.isEmpty() && inFlight.size() < config.maxInFlightRequests() && ctx.channel().isActive()) {
            onRequest(ctx, waiting.poll());
        }
        updateReading();
    }

    private void updateReading() {
        final boolean overLimit = inFlight.size() >= config.maxInFlightRequests() || !waiting.isEmpty()
                || inFlightBytes > config.maxRequestBytes()
                || !ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() == overLimit) {
            ctx.channel().config().setAutoRead(!overLimit);
        }
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext context) throws Exception {
        updateReading();
        super.channelWritabilityChanged(context);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext context, final Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            LOG.debug("Closing idle connection {}", connectionId);
            context.close();
            return;
        }
        super.userEventTriggered(context, event);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause) {
        if (cause instanceof TooLongFrameException || cause instanceof CorruptedFrameException) {
            closeOnBadInput("a frame size outside 0.." + config.maxRequestBytes()
                    + " bytes (socket.request.max.bytes): " + cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Connection {} failed: {}", connectionId, cause.toString());
            context.close();
        } else {
            LOG.warn("Closing connection {} after an unexpected error", connectionId, cause);
            context.close();
        }
    }

    private void closeOnBadInput(final String what) {
        LOG.info("Closing connection {} from {}: it sent {}", connectionId, remote, what);
        ctx.close();
    }
}
