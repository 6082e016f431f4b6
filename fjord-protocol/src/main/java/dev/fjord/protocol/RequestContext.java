package dev.fjord.protocol;

import java.net.InetSocketAddress;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * What a handler may know about the request beyond its body: who sent it, on which connection and
 * listener, and with which API version. Immutable; safe to pass between threads.
 *
 * @param header the parsed request header
 * @param connectionId a broker-unique id of the connection, for logs and per-connection state
 * @param listenerName the listener the request arrived on (for example {@code PLAINTEXT})
 * @param clientAddress the remote address of the client
 */
public record RequestContext(RequestHeader header, String connectionId, String listenerName,
                             InetSocketAddress clientAddress) {

    public ApiKeys apiKey() {
        return header.apiKey();
    }

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }

    public int correlationId() {
        return header.correlationId();
    }
}
