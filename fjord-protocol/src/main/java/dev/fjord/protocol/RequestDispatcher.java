package dev.fjord.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * What the network layer calls for every well-formed request. Implemented by the server's handler
 * registry; the network layer knows nothing about individual APIs.
 */
public interface RequestDispatcher {

    /** Whether this broker implements the given version of the given API. */
    boolean isSupported(ApiKeys apiKey, short version);

    /**
     * Runs the request's handler. The future completes with the response data, with {@code null}
     * when no response is to be sent, or exceptionally when the handler failed (the caller then
     * answers with the API's error response).
     */
    CompletableFuture<? extends ApiMessage> dispatch(RequestContext context, AbstractRequest request);

    /**
     * Whether the request may be dispatched on the network event loop that read it (see
     * {@link ApiHandler#cheap}). False is always safe.
     */
    default boolean cheap(final RequestContext context, final AbstractRequest request) {
        return false;
    }

    /** The answer to ApiVersions, also used for the KIP-511 fallback to an unknown version. */
    ApiVersionsResponseData apiVersions();
}
