package dev.fjord.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.WritableByteChannel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A Netty {@link FileRegion} over a kafka-clients {@link Send}, so that a response whose records come
 * from segment files goes to the socket with {@code FileChannel.transferTo} (sendfile) and never
 * through the Java heap. Responses below {@link KafkaConnectionHandler}'s copy limit do not use it: they are
 * {@link #copy copied} into one buffer instead.
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

    /**
     * Copies the whole of {@code send} into {@code buffer}, which has room for it: the heap parts as they
     * are, the file-backed parts with positional reads.
     *
     * @throws IOException if a file part cannot be read in full (its segment was truncated or deleted)
     */
    static void copy(final Send send, final ByteBuffer buffer) throws IOException {
        final BufferChannel channel = new BufferChannel(buffer);
        try {
            while (!send.completed()) {
                if (send.writeTo(channel) == 0) {
                    throw new IOException("Could not read " + send.size() + " bytes of a response; "
                            + buffer.position() + " read");
                }
            }
        } catch (KafkaException e) {   // FileRecords: "truncated during write"
            throw new IOException(e.getMessage(), e);
        }
    }

    /** A buffer as the channel type kafka-clients writes to. */
    private static final class BufferChannel implements TransferableChannel {
        private final ByteBuffer buffer;

        BufferChannel(final ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(final FileChannel fileChannel, final long position, final long count) throws IOException {
            final ByteBuffer dst = buffer.slice();
            dst.limit((int) Math.min(count, dst.remaining()));
            long read = 0;
            while (dst.hasRemaining()) {
                final int n = fileChannel.read(dst, position + read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            buffer.position(buffer.position() + (int) read);
            return read;
        }

        @Override
        public long write(final ByteBuffer[] srcs, final int offset, final int length) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long write(final ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(final ByteBuffer src) {
            final int n = Math.min(src.remaining(), buffer.remaining());
            final ByteBuffer part = src.slice();
            part.limit(n);
            buffer.put(part);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // nothing to release: the buffer belongs to the caller
        }
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
