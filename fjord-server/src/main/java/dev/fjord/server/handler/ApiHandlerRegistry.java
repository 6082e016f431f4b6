package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.protocol.RequestDispatcher;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The dispatch table: API key to handler. Built once at start-up; the ApiVersions answer is derived
 * from the same table, so what we advertise and what we serve cannot disagree.
 */
public final class ApiHandlerRegistry implements RequestDispatcher {
    private final Map<ApiKeys, ApiHandler<? extends ApiMessage>> handlers = new EnumMap<>(ApiKeys.class);

    public ApiHandlerRegistry(final List<ApiHandler<? extends ApiMessage>> all) {
        for (final ApiHandler<? extends ApiMessage> h : all) {
            final ApiKeys key = h.apiKey();
            if (handlers.put(key, h) != null) {
                throw new IllegalStateException("Two handlers for " + key);
            }
            if (h.minVersion() < key.oldestVersion() || h.maxVersion() > key.latestVersion(true)
                    || h.minVersion() > h.maxVersion()) {
                throw new IllegalStateException(key + " handler claims v" + h.minVersion() + "-" + h.maxVersion()
                        + " but kafka-clients knows v" + key.oldestVersion() + "-" + key.latestVersion(true));
            }
        }
    }

    @Override
    public boolean isSupported(final ApiKeys apiKey, final short version) {
        final ApiHandler<?> h = handlers.get(apiKey);
        return h != null && version >= h.minVersion() && version <= h.maxVersion();
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<? extends ApiMessage> dispatch(final RequestContext context, final AbstractRequest request) {
        final ApiHandler<ApiMessage> h = (ApiHandler<ApiMessage>) handlers.get(request.apiKey());
        return h.handle(context, request.data());
    }

    @Override
    @SuppressWarnings("unchecked")
    public boolean cheap(final RequestContext context, final AbstractRequest request) {
        final ApiHandler<ApiMessage> h = (ApiHandler<ApiMessage>) handlers.get(request.apiKey());
        return h != null && h.cheap(context, request.data());
    }

    /** A new answer each call: the generated collections cannot share elements. */
    @Override
    public ApiVersionsResponseData apiVersions() {
        final ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        for (final ApiHandler<?> h : handlers.values()) {
            keys.add(new ApiVersionsResponseData.ApiVersion()
                    .setApiKey(h.apiKey().id).setMinVersion(h.minVersion()).setMaxVersion(h.maxVersion()));
        }
        return new ApiVersionsResponseData().setApiKeys(keys);
    }
}
