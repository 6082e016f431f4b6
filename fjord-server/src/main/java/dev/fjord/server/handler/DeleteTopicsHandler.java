package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/** DeleteTopics, by name (all versions) or by topic id (v6+). Internal topics cannot be deleted. */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequestData> {
    private final BrokerState broker;

    public DeleteTopicsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<DeleteTopicsResponseData> handle(final RequestContext context,
                                                              final DeleteTopicsRequestData request) {
        final List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>(request.topics());
        for (final String name : request.topicNames()) {
            wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
        }
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (final DeleteTopicsRequestData.DeleteTopicState w : wanted) {
            final DeletableTopicResult result = new DeletableTopicResult().setName(w.name()).setTopicId(w.topicId());
            final boolean byId = w.name() == null;
            final Optional<TopicInfo> topic = byId ? broker.topics().get(w.topicId()) : broker.topics().get(w.name());
            if (topic.isEmpty()) {
                result.setErrorCode((byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
            } else if (topic.get().isInternal()) {
                result.setName(topic.get().name()).setErrorCode(Errors.TOPIC_DELETION_DISABLED.code())
                        .setErrorMessage("Internal topic " + topic.get().name() + " cannot be deleted");
            } else {
                broker.deleteTopic(topic.get());
                result.setName(topic.get().name()).setTopicId(topic.get().id());
            }
            if (result.name() == null && !Uuid.ZERO_UUID.equals(result.topicId()) && context.apiVersion() < 6) {
                result.setName("");
            }
            response.responses().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }
}
