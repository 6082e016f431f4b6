package dev.fjord.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The server-side implementation of one Kafka API. A handler takes the generated request data and
 * returns the generated response data with its error codes set; it never sees bytes, channels or
 * threads. Handlers are called on a request thread, and may complete their future later from any
 * thread (for example a long-poll fetch). A request for which {@link #cheap} says so may instead be
 * handled on the connection's network event loop.
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

    /**
     * Whether handling this request is quick and never blocks (no fsync, no waiting on a lock held
     * across disk I/O, bounded CPU), so that the network layer may run it on the connection's event
     * loop rather than hand it to a request thread and back. Other connections on that event loop wait
     * while it runs. Called on the event loop, before {@link #handle}; a hint (false is always safe).
     */
    default boolean cheap(final RequestContext context, final Q request) {
        return false;
    }
}
