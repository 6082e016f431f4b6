package dev.fjord.coordinator.group;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * The coordinator's read-only view of the topics that exist (names, ids, partition counts): a port the
 * server implements over its topic catalogue. Consumer groups resolve subscriptions and detect partition
 * count changes through it. Implementations must be safe to read from the coordinator thread.
 */
public interface TopicImage {
    /** One topic. */
    record Topic(String name, Uuid id, int partitions) {
    }

    /** The topic of that name, or null. */
    Topic byName(String name);

    /** The topic of that id, or null. */
    Topic byId(Uuid id);

    /** Every topic a regular expression subscription may match (internal topics excluded). */
    Collection<Topic> all();

    /** No topics: for coordinators that serve only classic groups (tests). */
    TopicImage EMPTY = new TopicImage() {
        @Override
        public Topic byName(final String name) {
            return null;
        }

        @Override
        public Topic byId(final Uuid id) {
            return null;
        }

        @Override
        public Collection<Topic> all() {
            return List.of();
        }
    };
}
