package dev.fjord.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The server-side implementation of one Kafka API. A handler takes the generated request data and
 * returns the generated response data with its error codes set; it never sees bytes, channels or
 * threads. Handlers are called on a request thread, never on a network event loop, and may complete
 * their future later from any thread (for example a long-poll fetch).
 *
 * <p>Expected failures are reported either as per-partition error codes in the response, or by
 * throwing (or completing exceptionally with) a kafka-clients {@code ApiException}; the dispatcher
 * turns the latter into the API's error response in one place.
 *
 * @param <Q> the generated request data class of the API
 */
public interface ApiHandler<Q extends ApiMessage> {

    /** The API this handler implements. */
    ApiKeys apiKey();

    /** The oldest version this handler implements. */
    short minVersion();

    /** The newest version this handler implements. */
    short maxVersion();

    /**
     * Handles one request.
     *
     * @return the response data, or a future completed with {@code null} when the protocol sends no
     *     response (a produce request with {@code acks=0})
     */
    CompletableFuture<? extends ApiMessage> handle(RequestContext context, Q request);
}
