package dev.fjord.coordinator.group;

import dev.fjord.common.ManualClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A coordinator serving KIP-848 consumer groups under test: manual clock and timer, in-memory log, direct
 * executor, and a mutable set of topics. Heartbeats are built as kafka-clients 4 sends them (version 1).
 */
final class ConsumerGroupTestContext {
    static final short VERSION = 1;
    static final int SESSION_TIMEOUT_MS = 45_000;
    static final int HEARTBEAT_INTERVAL_MS = 5_000;
    static final int REBALANCE_TIMEOUT_MS = 30_000;

    final ManualClock clock = new ManualClock(1_700_000_000_000L);
    final ManualCoordinatorTimer timer = new ManualCoordinatorTimer(clock);
    final Topics topics;
    final InMemoryCoordinatorLog log;
    final GroupCoordinator coordinator;

    static final ConsumerGroupConfig CONFIG = new ConsumerGroupConfig(true, SESSION_TIMEOUT_MS, HEARTBEAT_INTERVAL_MS,
            Integer.MAX_VALUE, List.of("uniform", "range"));

    ConsumerGroupTestContext() {
        this(CONFIG);
    }

    /** The same log and topics read by a new coordinator, as after a broker restart. */
    ConsumerGroupTestContext restarted() {
        final ConsumerGroupTestContext next = new ConsumerGroupTestContext(CONFIG, log, topics);
        next.coordinator.load();
        return next;
    }

    ConsumerGroupTestContext(final ConsumerGroupConfig config) {
        this(config, new InMemoryCoordinatorLog(), new Topics());
        topics.put("orders", 4);
        topics.put("payments", 2);
    }

    /** A coordinator over an existing log and topics: what a restarted broker has (call {@code load()}). */
    ConsumerGroupTestContext(final ConsumerGroupConfig config, final InMemoryCoordinatorLog log, final Topics topics) {
        this.topics = topics;
        this.log = log;
        coordinator = new GroupCoordinator(GroupTestContext.config(0, Integer.MAX_VALUE), config, topics,
                log, timer, clock, Runnable::run,
                tp -> topics.byName(tp.topic()) != null && tp.partition() < topics.byName(tp.topic()).partitions());
    }

    /** A topic catalogue tests can change (new topics, more partitions). */
    static final class Topics implements TopicImage {
        private final Map<String, Topic> byName = new TreeMap<>();

        void put(final String name, final int partitions) {
            final Topic old = byName.get(name);
            byName.put(name, new Topic(name, old != null ? old.id() : Uuid.randomUuid(), partitions));
        }

        @Override
        public Topic byName(final String name) {
            return byName.get(name);
        }

        @Override
        public Topic byId(final Uuid id) {
            for (final Topic t : byName.values()) {
                if (t.id().equals(id)) {
                    return t;
                }
            }
            return null;
        }

        @Override
        public Collection<Topic> all() {
            return byName.values();
        }
    }

    // ------------------------------------------------------------------------------------ requests

    static ConsumerGroupHeartbeatRequestData joinRequest(final String groupId, final String memberId,
                                                         final String... topics) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId).setMemberEpoch(0)
                .setRebalanceTimeoutMs(REBALANCE_TIMEOUT_MS).setSubscribedTopicNames(List.of(topics))
                .setTopicPartitions(new ArrayList<>());
    }

    /** A heartbeat with the partitions the member owns (null: unchanged since the last one). */
    static ConsumerGroupHeartbeatRequestData heartbeatRequest(final String groupId, final String memberId,
                                                              final int epoch, final List<TopicPartition> owned) {
        return new ConsumerGroupHeartbeatRequestData().setGroupId(groupId).setMemberId(memberId).setMemberEpoch(epoch)
                .setTopicPartitions(owned == null ? null : new ArrayList<>());
    }

    ConsumerGroupHeartbeatResponseData heartbeat(final ConsumerGroupHeartbeatRequestData request) {
        return coordinator.consumerGroups().heartbeat(request, VERSION, "client", "/127.0.0.1").join();
    }

    ConsumerGroupHeartbeatResponseData join(final String groupId, final String memberId, final String... topics) {
        return heartbeat(joinRequest(groupId, memberId, topics));
    }

    /** A heartbeat reporting {@code owned} as the member's partitions. */
    ConsumerGroupHeartbeatResponseData heartbeat(final String groupId, final String memberId, final int epoch,
                                                 final List<TopicPartition> owned) {
        final ConsumerGroupHeartbeatRequestData r = heartbeatRequest(groupId, memberId, epoch, owned);
        if (owned != null) {
            final Map<String, TreeSet<Integer>> byTopic = new TreeMap<>();
            owned.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition()));
            byTopic.forEach((t, ps) -> r.topicPartitions().add(new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                    .setTopicId(topics.byName(t).id()).setPartitions(new ArrayList<>(ps))));
        }
        return heartbeat(r);
    }

    /** The partitions of a response's assignment (null when the response carries none). */
    List<TopicPartition> partitions(final ConsumerGroupHeartbeatResponseData response) {
        if (response.assignment() == null) {
            return null;
        }
        final List<TopicPartition> out = new ArrayList<>();
        for (final ConsumerGroupHeartbeatResponseData.TopicPartitions tp : response.assignment().topicPartitions()) {
            for (final int p : tp.partitions()) {
                out.add(new TopicPartition(topics.byId(tp.topicId()).name(), p));
            }
        }
        return out;
    }

    static Errors error(final ConsumerGroupHeartbeatResponseData response) {
        return Errors.forCode(response.errorCode());
    }

    static List<TopicPartition> tps(final String topic, final int... partitions) {
        final List<TopicPartition> out = new ArrayList<>();
        for (final int p : partitions) {
            out.add(new TopicPartition(topic, p));
        }
        return out;
    }
}
