package dev.fjord.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** A bare TCP connection to a broker for sending hand-made (and deliberately broken) frames. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    RawConnection(final String host, final int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(30_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** Serializes a request of the given API and version, without the size prefix. */
    static ByteBuffer serialize(final ApiKeys api, final short version, final int correlationId, final ApiMessage body) {
        final short headerVersion = api.requestHeaderVersion(version);
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id).setRequestApiVersion(version)
                .setCorrelationId(correlationId).setClientId("raw-test");
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final int size = header.size(cache, headerVersion) + body.size(cache, version);
        final ByteBuffer buffer = ByteBuffer.allocate(size);
        final ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        buffer.flip();
        return buffer;
    }

    /** Sends one well-formed request and returns its parsed response. */
    AbstractResponse send(final ApiKeys api, final short version, final ApiMessage body) throws IOException {
        final int id = ++correlationId;
        final ByteBuffer frame = serialize(api, version, id, body);
        writeFrame(frame.array(), frame.remaining());
        return AbstractResponse.parseResponse(ByteBuffer.wrap(readFrame()), new RequestHeader(api, version, "raw-test", id));
    }

    void writeFrame(final byte[] bytes, final int length) throws IOException {
        out.writeInt(length);
        out.write(bytes, 0, length);
        out.flush();
    }

    void writeRaw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    byte[] readFrame() throws IOException {
        final int size = in.readInt();
        final byte[] bytes = new byte[size];
        in.readFully(bytes);
        return bytes;
    }

    /** True if the broker closed the connection (reads end of stream or a reset) within the socket timeout. */
    boolean isClosedByPeer() {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
