package dev.fjord.coordinator.group;

import dev.fjord.common.Clock;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator: classic groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and KIP-848
 * consumer groups, with their committed offsets, kept in {@code __consumer_offsets}.
 *
 * <p>Threading: every public method hands its work to the coordinator's executor (a single thread in the
 * broker, the caller's thread in tests), so group state has one owner and needs no locks. Timers run
 * there too. Time comes from the injected {@link Clock} and {@link CoordinatorTimer}.
 *
 * <p>Durability: a completed rebalance (the leader's assignment), a group becoming empty and every
 * commit are appended to {@code __consumer_offsets} before anyone is answered; {@link #load()} rebuilds
 * the same state from those records at start-up.
 *
 * <p>Parts: the classic protocol is in {@link ClassicGroups}, KIP-848 groups in {@link ConsumerGroups},
 * committed offsets in {@link GroupOffsets}, log snapshots in {@link SnapshottingLog}; this class keeps the
 * shared thread, log, load, routing and the public API.
 */
public final class GroupCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);
    static final String UNKNOWN_MEMBER = "";

    final GroupCoordinatorConfig config;
    final CoordinatorLog log;
    final SnapshottingLog snapshots;
    final CoordinatorTimer timer;
    final Clock clock;
    final Executor executor;
    final Predicate<TopicPartition> partitionExists;
    final Map<String, ClassicGroup> groups = new LinkedHashMap<>();
    final GroupOffsets offsets;
    final ConsumerGroups consumer;
    final ClassicGroups classic;

    /** A coordinator with Kafka's default consumer group settings and no topics to subscribe to (tests). */
    public GroupCoordinator(final GroupCoordinatorConfig config, final CoordinatorLog log, final CoordinatorTimer timer,
                            final Clock clock, final Executor executor, final Predicate<TopicPartition> partitionExists) {
        this(config, ConsumerGroupConfig.defaults(), TopicImage.EMPTY, log, timer, clock, executor, partitionExists);
    }

    /**
     * @param consumerConfig settings of KIP-848 consumer groups
     * @param topics the topics that exist, for consumer group subscriptions
     */
    public GroupCoordinator(final GroupCoordinatorConfig config, final ConsumerGroupConfig consumerConfig,
                            final TopicImage topics, final CoordinatorLog log, final CoordinatorTimer timer,
                            final Clock clock, final Executor executor, final Predicate<TopicPartition> partitionExists) {
        this.config = config;
        this.snapshots = new SnapshottingLog(log, config.offsetsTopicPartitions(), new State());
        this.log = snapshots;
        this.timer = timer;
        this.clock = clock;
        this.executor = executor;
        this.partitionExists = partitionExists;
        this.offsets = new GroupOffsets(this);
        this.consumer = new ConsumerGroups(this, consumerConfig, topics);
        this.classic = new ClassicGroups(this);
    }

    /** The {@code __consumer_offsets} partition of a group (Kafka's hash, so data moves between brokers intact). */
    public int partitionFor(final String groupId) {
        final int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % config.offsetsTopicPartitions();
    }

    public GroupOffsets offsets() {
        return offsets;
    }

    /** KIP-848 consumer groups, on this coordinator's thread, timer and offsets. */
    public ConsumerGroups consumerGroups() {
        return consumer;
    }

    /** Runs {@code work} on the coordinator thread and completes the returned future with its result. */
    <T> CompletableFuture<T> submit(final Consumer<CompletableFuture<T>> work) {
        final CompletableFuture<T> future = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                work.accept(future);
            } catch (RuntimeException e) {
                LOG.error("Group coordinator operation failed", e);
                future.completeExceptionally(e);
            }
            try {
                snapshots.maybeSnapshot();
            } catch (RuntimeException e) {
                LOG.warn("Could not snapshot the group coordinator's state; its log keeps growing until the next try", e);
            }
        });
        return future;
    }

    /** Rebuilds every group and offset from {@code __consumer_offsets}. Call once, before serving. */
    public void load() {
        final CompletableFuture<Void> done = submit(f -> {
            for (int p = 0; p < config.offsetsTopicPartitions(); p++) {
                log.replay(p, new ReplayConsumer(p));
            }
            for (final ClassicGroup g : groups.values()) {
                g.state = g.members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
                for (final GroupMember m : g.members.values()) {
                    classic.scheduleSessionExpiry(g, m);
                }
            }
            consumer.onLoaded();
            scheduleOffsetsExpiry();
            f.complete(null);
        });
        done.join();
    }

    /** Routes replayed records: plain ones to {@link Replay}, transactional offsets to pending, markers to their end. */
    private final class ReplayConsumer implements CoordinatorLog.RecordConsumer {
        private final int partition;

        ReplayConsumer(final int partition) {
            this.partition = partition;
        }

        @Override
        public void accept(final ByteBuffer key, final ByteBuffer value) {
            GroupRecords.replay(key, value, new Replay());
        }

        @Override
        public void acceptTransactional(final long producerId, final ByteBuffer key, final ByteBuffer value) {
            GroupRecords.replay(key, value, new GroupRecords.Visitor() {
                @Override
                public void onOffset(final String groupId, final TopicPartition tp, final GroupRecords.OffsetValue v) {
                    if (v != null) {
                        groups.computeIfAbsent(groupId, ClassicGroup::new).pendingTxnOffsets
                                .computeIfAbsent(producerId, id -> new LinkedHashMap<>()).put(tp, v);
                    }
                }

                @Override
                public void onGroup(final String groupId, final GroupRecords.GroupValue v) {
                    new Replay().onGroup(groupId, v);
                }
            });
        }

        @Override
        public void onMarker(final long producerId, final boolean commit) {
            completeTxnOffsets(partition, producerId, commit);
        }
    }

    /** Ends a producer's transactional offsets in the groups of one {@code __consumer_offsets} partition. */
    void completeTxnOffsets(final int partition, final long producerId, final boolean commit) {
        for (final ClassicGroup g : groups.values()) {
            if (partitionFor(g.groupId) == partition) {
                g.completeTxn(producerId, commit);
            }
        }
    }

    /**
     * Called after the transaction coordinator wrote a COMMIT or ABORT marker into {@code __consumer_offsets}
     * partition {@code partition}: the producer's pending offsets there become committed, or are dropped.
     */
    public CompletableFuture<Void> onTxnMarker(final int partition, final long producerId, final boolean commit) {
        return submit(f -> {
            completeTxnOffsets(partition, producerId, commit);
            f.complete(null);
        });
    }

    private void scheduleOffsetsExpiry() {
        timer.schedule("offsets-retention", config.offsetsRetentionCheckIntervalMs(), () -> {
            offsets.expireOffsets();
            scheduleOffsetsExpiry();
        });
    }

    /** Applies replayed records to the in-memory state: the same effect their live writes had. */
    private final class Replay implements GroupRecords.Visitor {
        @Override
        public void onConsumerGroup(final String groupId, final ByteBuffer value) {
            consumer.onReplay(groupId, value);
        }

        @Override
        public void onOffset(final String groupId, final TopicPartition tp, final GroupRecords.OffsetValue value) {
            if (value == null) {
                final ClassicGroup g = groups.get(groupId);
                if (g != null) {
                    g.offsets.remove(tp);
                }
            } else {
                groups.computeIfAbsent(groupId, ClassicGroup::new).offsets.put(tp, value);
            }
        }

        @Override
        public void onGroup(final String groupId, final GroupRecords.GroupValue value) {
            if (value == null) {
                groups.remove(groupId);
                return;
            }
            final ClassicGroup g = groups.computeIfAbsent(groupId, ClassicGroup::new);
            g.persisted = GroupRecords.groupMetadata(groupId, value);
            g.protocolType = value.protocolType();
            g.generationId = value.generation();
            g.protocolName = value.protocol();
            g.leaderId = value.leader();
            g.stateTimestampMs = value.stateTimestampMs();
            g.members.clear();
            g.staticMembers.clear();
            for (final GroupRecords.StoredMember s : value.members()) {
                final GroupMember m = new GroupMember(s.memberId(), s.groupInstanceId(), s.clientId(), s.clientHost(),
                        s.rebalanceTimeoutMs(), s.sessionTimeoutMs());
                m.protocols.put(value.protocol(), s.subscription());
                m.assignment = s.assignment();
                g.members.put(m.memberId, m);
                if (m.groupInstanceId != null) {
                    g.staticMembers.put(m.groupInstanceId, m.memberId);
                }
            }
        }
    }

    // ------------------------------------------------------------------- Classic protocol (ClassicGroups)

    public CompletableFuture<JoinGroupResponseData> joinGroup(final JoinGroupRequestData request, final short version,
                                                              final String clientId, final String clientHost) {
        return classic.joinGroup(request, version, clientId, clientHost);
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(final SyncGroupRequestData request, final short version) {
        return classic.syncGroup(request, version);
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(final HeartbeatRequestData request) {
        return classic.heartbeat(request);
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(final LeaveGroupRequestData request, final short version) {
        return classic.leaveGroup(request, version);
    }

    /** What {@link SnapshottingLog} needs of this coordinator's state, per {@code __consumer_offsets} partition. */
    private final class State implements SnapshottingLog.LiveState {
        @Override
        public long liveRecords(final int partition) {
            long live = 0;
            for (final ClassicGroup g : groups.values()) {
                if (partitionFor(g.groupId) == partition) {
                    live += g.offsets.size() + 1;
                }
            }
            return live + consumer.records(partition).size();
        }

        /**
         * A group of the partition with offsets pending in an open transaction: no snapshot then, since
         * dropping the log before it would drop those records, and their marker must find them on replay.
         */
        @Override
        public boolean hasPendingTxn(final int partition) {
            for (final ClassicGroup g : groups.values()) {
                if (partitionFor(g.groupId) == partition && !g.pendingTxnOffsets.isEmpty()) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void forEachRecord(final int partition, final Consumer<GroupRecords.Record> sink) {
            for (final ClassicGroup g : groups.values()) {
                if (partitionFor(g.groupId) != partition) {
                    continue;
                }
                if (g.persisted != null) {
                    sink.accept(g.persisted);
                }
                for (final Map.Entry<TopicPartition, GroupRecords.OffsetValue> e : g.offsets.entrySet()) {
                    sink.accept(GroupRecords.offsetCommit(g.groupId, e.getKey(), e.getValue()));
                }
            }
            consumer.records(partition).forEach(sink);
        }
    }

    /** Kafka answers INVALID_GROUP_ID to every group request with an empty (or null) group id. */
    static boolean isEmpty(final String groupId) {
        return groupId == null || groupId.isEmpty();
    }
}
