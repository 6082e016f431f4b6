package dev.fjord.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A Netty {@link FileRegion} over a kafka-clients {@link Send}, so that a response whose records come
 * from segment files goes to the socket with {@code FileChannel.transferTo} (sendfile) and never
 * through the Java heap. Small responses (headers, metadata) are gathered writes of heap buffers.
 *
 * <p>Owned by the channel's event loop once written; Netty calls {@link #transferTo} until
 * {@link #transferred()} reaches {@link #count()}.
 */
final class SendFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final Send send;
    private final long size;
    private long transferred;
    private ChannelAdapter adapter;

    SendFileRegion(final Send send) {
        this.send = send;
        this.size = send.size();
    }

    @Override
    public long position() {
        return 0;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return size;
    }

    @Override
    public long transferTo(final WritableByteChannel target, final long position) throws IOException {
        if (adapter == null || adapter.target != target) {
            adapter = new ChannelAdapter(target);
        }
        final long written = send.writeTo(adapter);
        transferred += written;
        return written;
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(final int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(final Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        // The send holds heap buffers and slices of segment files whose lifetime is the segment's.
    }

    /** Presents the socket channel Netty hands us as the channel type kafka-clients writes to. */
    private static final class ChannelAdapter implements TransferableChannel {
        private final WritableByteChannel target;

        ChannelAdapter(final WritableByteChannel target) {
            this.target = target;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(final FileChannel fileChannel, final long position, final long count) throws IOException {
            return fileChannel.transferTo(position, count, target);
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException {
            if (target instanceof GatheringByteChannel) {
                return ((GatheringByteChannel) target).write(srcs, offset, length);
            }
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                final int n = target.write(srcs[i]);
                total += n;
                if (srcs[i].hasRemaining()) {
                    break;
                }
            }
            return total;
        }

        @Override
        public long write(final ByteBuffer[] srcs) throws IOException {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(final ByteBuffer src) throws IOException {
            return target.write(src);
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        @Override
        public void close() throws IOException {
            target.close();
        }
    }
}
