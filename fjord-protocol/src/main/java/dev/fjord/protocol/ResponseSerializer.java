package dev.fjord.protocol;

import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Builds the bytes of one response: size prefix, response header and body. Record sets inside the
 * body (fetch) stay as they are: a file-backed record set becomes a zero-copy part of the returned
 * {@link Send}, written with {@code FileChannel.transferTo}.
 */
public final class ResponseSerializer {
    private ResponseSerializer() {
    }

    /** The response header version for a request of this API and version. ApiVersions is always v0. */
    public static short responseHeaderVersion(final ApiKeys apiKey, final short apiVersion) {
        return apiKey.responseHeaderVersion(apiVersion);
    }

    public static Send serialize(final int correlationId, final short headerVersion, final ApiMessage body,
                                 final short apiVersion) {
        return org.apache.kafka.common.protocol.SendBuilder.buildResponseSend(
                new ResponseHeader(correlationId, headerVersion), body, apiVersion);
    }
}
