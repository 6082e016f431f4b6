package dev.fjord.it;

import dev.fjord.protocol.ProtocolClasses;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
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

    /** Sends one well-formed request and returns its parsed response. */
    AbstractResponse send(final ApiKeys api, final short version, final ApiMessage body) throws IOException {
        final int id = ++correlationId;
        ProtocolClasses.writeRequest(out, api, version, id, body);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(readFrame()), new RequestHeader(api, version, "fjord", id));
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
