package dev.fjord.server.group;

import dev.fjord.coordinator.group.TopicImage;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The group coordinator's view of the topic catalogue. Reads the registry's current immutable snapshot,
 * so it is safe on the coordinator thread; partition count changes show at the next heartbeat.
 */
public final class RegistryTopicImage implements TopicImage {
    private final TopicRegistry registry;

    public RegistryTopicImage(final TopicRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Topic byName(final String name) {
        return registry.get(name).map(RegistryTopicImage::topic).orElse(null);
    }

    @Override
    public Topic byId(final Uuid id) {
        return registry.get(id).map(RegistryTopicImage::topic).orElse(null);
    }

    @Override
    public Collection<Topic> all() {
        final List<Topic> out = new ArrayList<>();
        for (final TopicInfo t : registry.all()) {
            if (!t.isInternal()) {
                out.add(topic(t));
            }
        }
        return out;
    }

    private static Topic topic(final TopicInfo t) {
        return new Topic(t.name(), t.id(), t.partitions());
    }
}
