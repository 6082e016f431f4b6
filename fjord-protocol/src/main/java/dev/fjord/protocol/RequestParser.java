package dev.fjord.protocol;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Turns the bytes of one request frame (without its 4-byte size prefix) into a header and the
 * generated request data. Stateless.
 *
 * <pre>
 *  frame:  | api_key int16 | api_version int16 | correlation_id int32 | client_id nullable string |
 *          | tagged fields (header v2 only) | request body (schema of api_key at api_version)   |
 * </pre>
 *
 * <p>Variable-length records (produce) are not copied: the parsed request holds slices of the frame
 * buffer, so the caller must keep the frame alive until the request is complete.
 */
public final class RequestParser {
    private RequestParser() {
    }

    /**
     * Parses the header only.
     *
     * @throws InvalidRequestException if the header is malformed or names an unknown API key
     */
    public static RequestHeader parseHeader(final ByteBuffer frame) {
        if (frame.remaining() < 8) {
            throw new InvalidRequestException("Request frame of " + frame.remaining() + " bytes is shorter than a header");
        }
        return RequestHeader.parse(frame);
    }

    /**
     * Parses the body that follows a header already read from {@code frame}.
     *
     * @throws InvalidRequestException if the body does not match the schema or has bytes left over
     */
    public static AbstractRequest parseBody(final RequestHeader header, final ByteBuffer frame) {
        final ApiKeys apiKey = header.apiKey();
        final AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(apiKey, header.apiVersion(), new ByteBufferAccessor(frame)).request;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("Malformed " + apiKey + " v" + header.apiVersion() + " request: " + e.getMessage(), e);
        }
        if (frame.hasRemaining()) {
            throw new InvalidRequestException(frame.remaining() + " unexpected bytes after the " + apiKey + " request body");
        }
        return request;
    }
}
