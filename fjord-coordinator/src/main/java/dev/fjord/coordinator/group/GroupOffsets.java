package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

/**
 * Committed offsets (plain and transactional) and the read-side group APIs (OffsetCommit, TxnOffsetCommit, OffsetFetch, DescribeGroups, ListGroups,
 * DeleteGroups, OffsetDelete), over the same state as {@link GroupCoordinator} and on its thread.
 */
public final class GroupOffsets {
    private static final String CLASSIC = "classic";

    private final GroupCoordinator coordinator;

    GroupOffsets(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    // ------------------------------------------------------------------------------------- OffsetCommit

    public CompletableFuture<OffsetCommitResponseData> commit(final OffsetCommitRequestData request, final short version) {
        return coordinator.submit(f -> f.complete(onCommit(request, version)));
    }

    private OffsetCommitResponseData onCommit(final OffsetCommitRequestData request, final short version) {
        final Errors groupError = validateCommit(request, version);
        final OffsetCommitResponseData response = new OffsetCommitResponseData();
        final List<GroupRecords.Record> records = new ArrayList<>();
        final Map<TopicPartition, GroupRecords.OffsetValue> accepted = new LinkedHashMap<>();
        final long now = coordinator.clock.wallMillis();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic t : request.topics()) {
            final OffsetCommitResponseData.OffsetCommitResponseTopic rt =
                    new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(t.name());
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                final TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                // As Kafka: partitions that do not exist are answered before the group is looked at.
                Errors error = coordinator.partitionExists.test(tp) ? groupError : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                if (error == Errors.NONE && p.committedMetadata() != null
                        && p.committedMetadata().length() > coordinator.config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                if (error == Errors.NONE) {
                    final GroupRecords.OffsetValue value = new GroupRecords.OffsetValue(p.committedOffset(),
                            version >= 6 ? p.committedLeaderEpoch() : -1, p.committedMetadata(), now);
                    accepted.put(tp, value);
                    records.add(GroupRecords.offsetCommit(request.groupId(), tp, value));
                }
                rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        if (!records.isEmpty()) {
            coordinator.log.append(coordinator.partitionFor(request.groupId()), records);
            coordinator.groups.computeIfAbsent(request.groupId(), ClassicGroup::new).offsets.putAll(accepted);
        }
        return response;
    }

    // ---------------------------------------------------------------------------------- TxnOffsetCommit

    /**
     * TxnOffsetCommit: offsets written inside a producer's transaction; pending (invisible to OffsetFetch,
     * and UNSTABLE_OFFSET_COMMIT to a fetch that requires stable offsets) until the transaction ends.
     */
    public CompletableFuture<TxnOffsetCommitResponseData> txnCommit(final TxnOffsetCommitRequestData request,
                                                                    final short version) {
        return coordinator.submit(f -> f.complete(onTxnCommit(request, version)));
    }

    private TxnOffsetCommitResponseData onTxnCommit(final TxnOffsetCommitRequestData request, final short version) {
        Errors groupError = validateTxnCommit(request);
        final List<GroupRecords.Record> records = new ArrayList<>();
        final Map<TopicPartition, GroupRecords.OffsetValue> accepted = new LinkedHashMap<>();
        final Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        final long now = coordinator.clock.wallMillis();
        for (final TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : request.topics()) {
            for (final TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                final TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                Errors error = groupError;
                if (error == Errors.NONE && !coordinator.partitionExists.test(tp)) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (error == Errors.NONE && p.committedMetadata() != null
                        && p.committedMetadata().length() > coordinator.config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                if (error == Errors.NONE) {
                    final GroupRecords.OffsetValue value = new GroupRecords.OffsetValue(p.committedOffset(),
                            version >= 2 ? p.committedLeaderEpoch() : -1, p.committedMetadata(), now);
                    accepted.put(tp, value);
                    records.add(GroupRecords.offsetCommit(request.groupId(), tp, value));
                }
                errors.put(tp, error);
            }
        }
        if (!records.isEmpty()) {
            try {
                coordinator.log.appendTransactional(coordinator.partitionFor(request.groupId()), request.producerId(),
                        request.producerEpoch(), records);
                coordinator.groups.computeIfAbsent(request.groupId(), ClassicGroup::new).pendingTxnOffsets
                        .computeIfAbsent(request.producerId(), id -> new LinkedHashMap<>()).putAll(accepted);
            } catch (InvalidProducerEpochException e) {
                final Errors fenced = version >= 3 ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH;
                accepted.keySet().forEach(tp -> errors.put(tp, fenced));
            }
        }
        final TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        final Map<String, TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic> topics = new LinkedHashMap<>();
        for (final Map.Entry<TopicPartition, Errors> e : errors.entrySet()) {
            topics.computeIfAbsent(e.getKey().topic(), n -> new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
                    .setName(n)).partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                    .setPartitionIndex(e.getKey().partition()).setErrorCode(e.getValue().code()));
        }
        topics.values().forEach(response.topics()::add);
        return response;
    }

    /** A member id and generation (v3+) are checked only when the group has members, as for OffsetCommit. */
    private Errors validateTxnCommit(final TxnOffsetCommitRequestData request) {
        final String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(groupId);
        if (consumerGroup != null) {
            return coordinator.consumer.validateTxnCommit(consumerGroup, request.memberId(),
                    request.generationIdOrMemberEpoch());
        }
        final ClassicGroup group = coordinator.groups.get(groupId);
        if (group == null || group.members.isEmpty() || request.memberId() == null || request.memberId().isEmpty()
                || request.generationIdOrMemberEpoch() < 0) {
            return Errors.NONE;
        }
        final Errors memberError = coordinator.classic.checkMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            return memberError;
        }
        return request.generationIdOrMemberEpoch() == group.generationId ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    /**
     * Kafka's rules: standalone commits (generation -1) only to groups without members; else a current member.
     * A member commit to a group that does not exist gets GROUP_ID_NOT_FOUND from version 9 on, and
     * ILLEGAL_GENERATION before (what older clients expect).
     */
    private Errors validateCommit(final OffsetCommitRequestData request, final short version) {
        final String groupId = request.groupId();
        if (GroupCoordinator.isEmpty(groupId)) {
            return Errors.INVALID_GROUP_ID;
        }
        final int generation = request.generationIdOrMemberEpoch();
        final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(groupId);
        if (consumerGroup != null) {
            return coordinator.consumer.validateCommit(consumerGroup, request.memberId(), generation, version);
        }
        final ClassicGroup group = coordinator.groups.get(groupId);
        if (group == null || group.members.isEmpty()) {
            if (generation < 0) {
                return Errors.NONE;
            }
            if (group == null) {
                return version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
            }
            return Errors.UNKNOWN_MEMBER_ID;
        }
        final Errors memberError = coordinator.classic.checkMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            return memberError;
        }
        if (generation != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        coordinator.classic.scheduleSessionExpiry(group, group.members.get(request.memberId()));
        // Only while the leader's assignment is awaited: a member of the current generation may still commit
        // while the group prepares a rebalance (the Java consumer commits in onPartitionsRevoked before rejoining).
        if (group.state == GroupState.COMPLETING_REBALANCE) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        return Errors.NONE;
    }

    // -------------------------------------------------------------------------------------- OffsetFetch

    public CompletableFuture<OffsetFetchResponseData> fetch(final OffsetFetchRequestData request, final short version) {
        return coordinator.submit(f -> f.complete(onFetch(request, version)));
    }

    private OffsetFetchResponseData onFetch(final OffsetFetchRequestData request, final short version) {
        final OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= 8) {
            for (final OffsetFetchRequestData.OffsetFetchRequestGroup g : request.groups()) {
                final Map<String, List<Integer>> wanted = g.topics() == null ? null : new LinkedHashMap<>();
                if (g.topics() != null) {
                    for (final OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        wanted.put(t.name(), t.partitionIndexes());
                    }
                }
                final OffsetFetchResponseData.OffsetFetchResponseGroup rg =
                        new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(g.groupId());
                final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(g.groupId());
                final Errors memberError = version >= 9 && consumerGroup != null
                        ? coordinator.consumer.validateFetch(consumerGroup, g.memberId(), g.memberEpoch()) : Errors.NONE;
                if (memberError != Errors.NONE) {
                    response.groups().add(rg.setErrorCode(memberError.code()));
                    continue;
                }
                for (final Map.Entry<String, List<PartitionOffset>> e
                        : lookup(g.groupId(), wanted, request.requireStable()).entrySet()) {
                    final OffsetFetchResponseData.OffsetFetchResponseTopics rt =
                            new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(e.getKey());
                    for (final PartitionOffset po : e.getValue()) {
                        rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                                .setPartitionIndex(po.partition).setCommittedOffset(po.offset)
                                .setCommittedLeaderEpoch(po.leaderEpoch).setMetadata(po.metadata).setErrorCode(po.error));
                    }
                    rg.topics().add(rt);
                }
                response.groups().add(rg);
            }
            return response;
        }
        final Map<String, List<Integer>> wanted = request.topics() == null ? null : new LinkedHashMap<>();
        if (request.topics() != null) {
            for (final OffsetFetchRequestData.OffsetFetchRequestTopic t : request.topics()) {
                wanted.put(t.name(), t.partitionIndexes());
            }
        }
        final boolean requireStable = version >= 7 && request.requireStable();
        for (final Map.Entry<String, List<PartitionOffset>> e : lookup(request.groupId(), wanted, requireStable).entrySet()) {
            final OffsetFetchResponseData.OffsetFetchResponseTopic rt =
                    new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(e.getKey());
            for (final PartitionOffset po : e.getValue()) {
                final OffsetFetchResponseData.OffsetFetchResponsePartition rp =
                        new OffsetFetchResponseData.OffsetFetchResponsePartition().setPartitionIndex(po.partition)
                                .setCommittedOffset(po.offset).setMetadata(po.metadata).setErrorCode(po.error);
                if (version >= 5) {
                    rp.setCommittedLeaderEpoch(po.leaderEpoch);
                }
                rt.partitions().add(rp);
            }
            response.topics().add(rt);
        }
        return response;
    }

    private record PartitionOffset(int partition, long offset, int leaderEpoch, String metadata, short error) {
        PartitionOffset(final int partition, final long offset, final int leaderEpoch, final String metadata) {
            this(partition, offset, leaderEpoch, metadata, Errors.NONE.code());
        }
    }

    /**
     * Offsets of the wanted partitions (all committed ones when {@code wanted} is null); -1 when none.
     * With {@code requireStable}, a partition with an offset pending in an open transaction gets
     * UNSTABLE_OFFSET_COMMIT (the consumer retries until the transaction ends).
     */
    private Map<String, List<PartitionOffset>> lookup(final String groupId, final Map<String, List<Integer>> wanted,
                                                      final boolean requireStable) {
        final ClassicGroup group = coordinator.groups.get(groupId);
        final Map<TopicPartition, GroupRecords.OffsetValue> committed = group == null ? Map.of() : group.offsets;
        final Map<String, List<PartitionOffset>> out = new LinkedHashMap<>();
        if (wanted == null) {
            for (final Map.Entry<TopicPartition, GroupRecords.OffsetValue> e : committed.entrySet()) {
                final GroupRecords.OffsetValue v = e.getValue();
                out.computeIfAbsent(e.getKey().topic(), k -> new ArrayList<>()).add(new PartitionOffset(
                        e.getKey().partition(), v.offset(), v.leaderEpoch(), v.metadata()));
            }
            return out;
        }
        for (final Map.Entry<String, List<Integer>> e : wanted.entrySet()) {
            final List<PartitionOffset> list = out.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            for (final int p : e.getValue()) {
                final TopicPartition tp = new TopicPartition(e.getKey(), p);
                if (requireStable && group != null && group.hasPendingTxnOffset(tp)) {
                    list.add(new PartitionOffset(p, -1, -1, "", Errors.UNSTABLE_OFFSET_COMMIT.code()));
                    continue;
                }
                final GroupRecords.OffsetValue v = committed.get(tp);
                list.add(v == null ? new PartitionOffset(p, -1, -1, "")
                        : new PartitionOffset(p, v.offset(), v.leaderEpoch(), v.metadata()));
            }
        }
        return out;
    }

    // ----------------------------------------------------------------------------------- DescribeGroups

    public CompletableFuture<DescribeGroupsResponseData> describe(final List<String> groupIds, final short version) {
        return coordinator.submit(f -> {
            final DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (final String id : groupIds) {
                response.groups().add(describeOne(id, version));
            }
            f.complete(response);
        });
    }

    private DescribeGroupsResponseData.DescribedGroup describeOne(final String id, final short version) {
        final DescribeGroupsResponseData.DescribedGroup out = new DescribeGroupsResponseData.DescribedGroup()
                .setGroupId(id).setProtocolType("").setProtocolData("").setAuthorizedOperations(Integer.MIN_VALUE);
        final ClassicGroup g = coordinator.groups.get(id);
        // Kafka 4.4 (checked against it) describes a KIP-848 group here as it does a missing group; the admin
        // client and tools use ConsumerGroupDescribe for those.
        if (g == null || coordinator.consumer.groups.containsKey(id)) {
            out.setGroupState(GroupState.DEAD.displayName());
            if (version >= 6) {
                out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.");
            }
            return out;
        }
        out.setGroupState(g.state.displayName()).setProtocolType(g.protocolType == null ? "" : g.protocolType)
                .setProtocolData(g.state == GroupState.STABLE && g.protocolName != null ? g.protocolName : "");
        for (final GroupMember m : g.members.values()) {
            final DescribeGroupsResponseData.DescribedGroupMember dm = new DescribeGroupsResponseData.DescribedGroupMember()
                    .setMemberId(m.memberId).setClientId(m.clientId).setClientHost(m.clientHost)
                    .setMemberMetadata(g.state == GroupState.STABLE ? m.metadata(g.protocolName) : new byte[0])
                    .setMemberAssignment(g.state == GroupState.STABLE ? m.assignment : new byte[0]);
            if (version >= 4) {
                dm.setGroupInstanceId(m.groupInstanceId);
            }
            out.members().add(dm);
        }
        return out;
    }

    // --------------------------------------------------------------------------------------- ListGroups

    public CompletableFuture<ListGroupsResponseData> list(final ListGroupsRequestData request, final short version) {
        return coordinator.submit(f -> {
            final Set<String> states = new HashSet<>();
            for (final String s : request.statesFilter()) {
                states.add(s.toLowerCase(java.util.Locale.ROOT));
            }
            final Set<String> types = new HashSet<>();
            for (final String t : request.typesFilter()) {
                types.add(t.toLowerCase(java.util.Locale.ROOT));
            }
            final ListGroupsResponseData response = new ListGroupsResponseData();
            for (final ConsumerGroup g : coordinator.consumer.groups.values()) {
                final String state = g.state().displayName;
                if ((!states.isEmpty() && !states.contains(state.toLowerCase(java.util.Locale.ROOT)))
                        || (!types.isEmpty() && !types.contains(ConsumerGroups.PROTOCOL_TYPE))) {
                    continue;
                }
                final ListGroupsResponseData.ListedGroup lg = new ListGroupsResponseData.ListedGroup()
                        .setGroupId(g.groupId).setProtocolType(ConsumerGroups.PROTOCOL_TYPE);
                if (version >= 4) {
                    lg.setGroupState(state);
                }
                if (version >= 5) {
                    lg.setGroupType(ConsumerGroups.PROTOCOL_TYPE);
                }
                response.groups().add(lg);
            }
            for (final ClassicGroup g : coordinator.groups.values()) {
                if (coordinator.consumer.groups.containsKey(g.groupId)) {
                    continue;
                }
                final boolean stateOk = states.isEmpty() || states.contains(g.state.displayName().toLowerCase(java.util.Locale.ROOT));
                if (!stateOk || (!types.isEmpty() && !types.contains(CLASSIC))) {
                    continue;
                }
                final ListGroupsResponseData.ListedGroup lg = new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId)
                        .setProtocolType(g.protocolType == null ? "" : g.protocolType);
                if (version >= 4) {
                    lg.setGroupState(g.state.displayName());
                }
                if (version >= 5) {
                    lg.setGroupType(CLASSIC);
                }
                response.groups().add(lg);
            }
            f.complete(response);
        });
    }

    // ------------------------------------------------------------------------------------- DeleteGroups

    public CompletableFuture<DeleteGroupsResponseData> deleteGroups(final List<String> groupIds) {
        return coordinator.submit(f -> {
            final DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            for (final String id : groupIds) {
                final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(id);
                final ClassicGroup g = coordinator.groups.get(id);
                final Errors error;
                if (consumerGroup != null && !consumerGroup.members.isEmpty()) {
                    error = Errors.NON_EMPTY_GROUP;
                } else if (g == null && consumerGroup != null) {
                    final List<GroupRecords.Record> tombstone = coordinator.consumer.forget(id);
                    if (!tombstone.isEmpty()) {
                        coordinator.log.append(coordinator.partitionFor(id), tombstone);
                    }
                    error = Errors.NONE;
                } else if (g == null) {
                    error = Errors.GROUP_ID_NOT_FOUND;
                } else if (g.state != GroupState.EMPTY) {
                    error = Errors.NON_EMPTY_GROUP;
                } else {
                    final List<GroupRecords.Record> records = new ArrayList<>();
                    for (final TopicPartition tp : g.offsets.keySet()) {
                        records.add(GroupRecords.offsetCommit(id, tp, null));
                    }
                    records.add(GroupRecords.groupMetadata(id, null));
                    records.addAll(coordinator.consumer.forget(id));
                    coordinator.log.append(coordinator.partitionFor(id), records);
                    g.state = GroupState.DEAD;
                    coordinator.groups.remove(id);
                    error = Errors.NONE;
                }
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id)
                        .setErrorCode(error.code()));
            }
            f.complete(response);
        });
    }

    // ---------------------------------------------------------------------------------- Housekeeping

    /**
     * {@code offsets.retention.minutes} as Kafka applies it (KIP-211): the offsets of a group with no members
     * expire once it has been empty for the retention time; a standalone consumer's offsets (a group that never
     * had a protocol) expire one by one, the retention time after their commit. A group left with no members and
     * no offsets is deleted. Groups with members keep their offsets.
     *
     * @return how many offsets expired
     */
    public CompletableFuture<Integer> expireOffsets() {
        return coordinator.submit(f -> f.complete(onExpireOffsets()));
    }

    private int onExpireOffsets() {
        final long now = coordinator.clock.wallMillis();
        final long retention = coordinator.config.offsetsRetentionMs();
        int expired = 0;
        for (final ClassicGroup g : new ArrayList<>(coordinator.groups.values())) {
            final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(g.groupId);
            if (g.state != GroupState.EMPTY || (consumerGroup != null && !consumerGroup.members.isEmpty())) {
                continue;
            }
            final List<GroupRecords.Record> records = new ArrayList<>();
            for (final var it = g.offsets.entrySet().iterator(); it.hasNext(); ) {
                final Map.Entry<TopicPartition, GroupRecords.OffsetValue> e = it.next();
                final long since = g.protocolType == null ? e.getValue().commitTimestampMs() : g.stateTimestampMs;
                if (now - since >= retention) {
                    records.add(GroupRecords.offsetCommit(g.groupId, e.getKey(), null));
                    it.remove();
                }
            }
            expired += records.size();
            removeIfUnused(g, records);
        }
        return expired;
    }

    /**
     * Forgets every group's offsets for deleted topics, as Kafka does when a topic goes away, so that a topic
     * created again under the same name does not inherit them.
     */
    public CompletableFuture<Integer> onTopicsDeleted(final Set<String> topics) {
        return coordinator.submit(f -> {
            int removed = 0;
            for (final ClassicGroup g : new ArrayList<>(coordinator.groups.values())) {
                final List<GroupRecords.Record> records = new ArrayList<>();
                for (final var it = g.offsets.keySet().iterator(); it.hasNext(); ) {
                    final TopicPartition tp = it.next();
                    if (topics.contains(tp.topic())) {
                        records.add(GroupRecords.offsetCommit(g.groupId, tp, null));
                        it.remove();
                    }
                }
                removed += records.size();
                if (g.state == GroupState.EMPTY) {
                    removeIfUnused(g, records);
                } else if (!records.isEmpty()) {
                    coordinator.log.append(coordinator.partitionFor(g.groupId), records);
                }
            }
            f.complete(removed);
        });
    }

    /** Appends {@code records} (if any) and, for an empty group with no offsets left, the group's tombstone. */
    private void removeIfUnused(final ClassicGroup g, final List<GroupRecords.Record> records) {
        boolean unused = g.offsets.isEmpty() && g.members.isEmpty() && g.state == GroupState.EMPTY;
        final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(g.groupId);
        if (consumerGroup != null && !consumerGroup.members.isEmpty()) {
            unused = false;
        }
        if (unused && (!records.isEmpty() || g.protocolType != null)) {
            records.add(GroupRecords.groupMetadata(g.groupId, null));
            // An empty consumer group whose offsets all expired goes with them.
            records.addAll(coordinator.consumer.forget(g.groupId));
            g.state = GroupState.DEAD;
            coordinator.groups.remove(g.groupId);
        }
        if (!records.isEmpty()) {
            coordinator.log.append(coordinator.partitionFor(g.groupId), records);
        }
    }

    // ------------------------------------------------------------------------------------- OffsetDelete

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(final OffsetDeleteRequestData request) {
        return coordinator.submit(f -> f.complete(onDeleteOffsets(request)));
    }

    private OffsetDeleteResponseData onDeleteOffsets(final OffsetDeleteRequestData request) {
        final OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(request.groupId());
        if (consumerGroup != null) {
            coordinator.groups.computeIfAbsent(request.groupId(), ClassicGroup::new);
        }
        final ClassicGroup g = coordinator.groups.get(request.groupId());
        if (g == null) {
            return response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
        }
        final Set<String> subscribed = consumerGroup != null
                ? coordinator.consumer.subscribedTopicNames(consumerGroup) : subscribedTopics(g);
        final List<GroupRecords.Record> records = new ArrayList<>();
        for (final OffsetDeleteRequestData.OffsetDeleteRequestTopic t : request.topics()) {
            final OffsetDeleteResponseData.OffsetDeleteResponseTopic rt =
                    new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
            for (final OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                final TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                Errors error = Errors.NONE;
                if (subscribed.contains(t.name())) {
                    error = Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                } else if (g.offsets.remove(tp) != null) {
                    records.add(GroupRecords.offsetCommit(g.groupId, tp, null));
                }
                rt.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                        .setPartitionIndex(p.partitionIndex()).setErrorCode(error.code()));
            }
            response.topics().add(rt);
        }
        if (!records.isEmpty()) {
            coordinator.log.append(coordinator.partitionFor(g.groupId), records);
        }
        return response;
    }

    /** Topics the group's consumer members subscribe to (decoded from their subscription metadata). */
    private static Set<String> subscribedTopics(final ClassicGroup g) {
        final Set<String> topics = new HashSet<>();
        if (!"consumer".equals(g.protocolType) || g.protocolName == null) {
            return topics;
        }
        for (final GroupMember m : g.members.values()) {
            final byte[] metadata = m.metadata(g.protocolName);
            if (metadata.length < 2) {
                continue;
            }
            try {
                final ByteBuffer buf = ByteBuffer.wrap(metadata);
                final short version = buf.getShort();
                topics.addAll(new ConsumerProtocolSubscription(new ByteBufferAccessor(buf), version).topics());
            } catch (RuntimeException e) {
                // Metadata of a client we cannot read: it cannot block the deletion.
            }
        }
        return topics;
    }
}
