package dev.fjord.protocol;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Initialises the protocol classes a broker needs for a client's first requests (every API's schema,
 * request parsing and response serialisation of ApiVersions and Metadata), without a connection.
 *
 * <p>The first use of {@link ApiKeys} builds the schema of every message of every API, some hundreds of
 * classes; a start-up that does this on a second thread, while the first one opens the storage, answers
 * its first request that much sooner.
 */
public final class ProtocolClasses {
    private ProtocolClasses() {
    }

    /** Idempotent and side-effect free; only the JVM's class initialisation is left behind. */
    public static void initialize() {
        ApiKeys.values();
        roundTrip(ApiKeys.API_VERSIONS, new ApiVersionsRequestData().setClientSoftwareName("fjord")
                .setClientSoftwareVersion("0"), new ApiVersionsResponseData());
        roundTrip(ApiKeys.METADATA, new MetadataRequestData().setTopics(null), new MetadataResponseData());
    }

    /** A request as a client sends it, without the 4-byte size prefix: header (client id "fjord") and body. */
    public static ByteBuffer requestFrame(final ApiKeys api, final short version, final int correlationId,
                                          final ApiMessage body) {
        final short headerVersion = api.requestHeaderVersion(version);
        final RequestHeaderData header = new RequestHeaderData().setRequestApiKey(api.id)
                .setRequestApiVersion(version).setCorrelationId(correlationId).setClientId("fjord");
        final ObjectSerializationCache cache = new ObjectSerializationCache();
        final ByteBuffer frame = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
        header.write(new ByteBufferAccessor(frame), cache, headerVersion);
        body.write(new ByteBufferAccessor(frame), cache, version);
        return frame.flip();
    }

    /** Writes a request as a client sends it, size prefix first; see {@link #requestFrame}. */
    public static void writeRequest(final DataOutputStream out, final ApiKeys api, final short version,
                                    final int correlationId, final ApiMessage body) throws IOException {
        final ByteBuffer frame = requestFrame(api, version, correlationId, body);
        out.writeInt(frame.remaining());
        out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
        out.flush();
    }

    private static void roundTrip(final ApiKeys api, final ApiMessage request, final ApiMessage response) {
        final short version = api.latestVersion();
        final ByteBuffer frame = requestFrame(api, version, 1, request);
        RequestParser.parseBody(RequestParser.parseHeader(frame), frame);
        ResponseSerializer.serialize(1, ResponseSerializer.responseHeaderVersion(api, version), response, version);
    }
}
