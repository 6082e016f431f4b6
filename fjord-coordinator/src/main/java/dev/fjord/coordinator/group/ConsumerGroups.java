package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KIP-848 consumer groups ({@code group.protocol=consumer}): ConsumerGroupHeartbeat and ConsumerGroupDescribe,
 * on the {@link GroupCoordinator}'s thread, timer and offsets.
 *
 * <p>The model: every change of membership, subscription, assignor or subscribed topic metadata bumps the
 * group epoch and recomputes the target assignment with the server-side assignor. Each member then moves
 * towards its target on its own heartbeats: it first gives up the partitions it must lose (its epoch stays
 * until its heartbeat no longer reports them as owned), then gets the target epoch and every target partition
 * that no other member still owns; the rest follow as their owners release them. So a partition never has two
 * owners at once.
 *
 * <p>Durability: each request or timer that changes a group appends the group's whole state
 * ({@link ConsumerGroupRecords}) before anyone is answered; {@link GroupCoordinator#load()} replays it, so
 * members keep their epochs and partitions across a restart.
 */
public final class ConsumerGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroups.class);
    static final String PROTOCOL_TYPE = "consumer";
    private static final int LEAVE_EPOCH = -1;

    private final GroupCoordinator coordinator;
    private final ConsumerGroupConfig config;
    private final TopicImage topics;
    final Map<String, ConsumerGroup> groups = new LinkedHashMap<>();

    ConsumerGroups(final GroupCoordinator coordinator, final ConsumerGroupConfig config, final TopicImage topics) {
        this.coordinator = coordinator;
        this.config = config;
        this.topics = topics;
    }

    public ConsumerGroupConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------- ConsumerGroupHeartbeat

    public CompletableFuture<ConsumerGroupHeartbeatResponseData> heartbeat(final ConsumerGroupHeartbeatRequestData request,
                                                                           final short version, final String clientId,
                                                                           final String clientHost) {
        return coordinator.submit(f -> {
            ConsumerGroupHeartbeatResponseData response;
            try {
                response = onHeartbeat(request, version, clientId, clientHost);
            } catch (ApiException e) {
                response = new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.forException(e).code())
                        .setErrorMessage(e.getMessage());
            }
            final ConsumerGroup group = request.groupId() == null ? null : groups.get(request.groupId());
            if (group != null) {
                persist(group);
            }
            f.complete(response);
        });
    }

    private ConsumerGroupHeartbeatResponseData onHeartbeat(final ConsumerGroupHeartbeatRequestData request,
                                                           final short version, final String clientId,
                                                           final String clientHost) {
        validate(request, version);
        final String groupId = request.groupId();
        final ClassicGroup classic = coordinator.groups.get(groupId);
        if (classic != null && (!classic.members.isEmpty() || !classic.pendingMembers.isEmpty())) {
            throw Errors.GROUP_ID_NOT_FOUND.exception("Group " + groupId + " is not a consumer group.");
        }
        final int epoch = request.memberEpoch();
        if (epoch == LEAVE_EPOCH || epoch == ConsumerMember.STATIC_LEFT_EPOCH) {
            return onLeave(request);
        }
        ConsumerGroup group = groups.get(groupId);
        if (group == null && epoch != 0) {
            throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + groupId + " not found.");
        }
        if (group == null) {
            group = new ConsumerGroup(groupId);
            group.assignorName = ServerAssignor.shortName(config.assignors().get(0));
            groups.put(groupId, group);
        }
        final String memberId = request.memberId().isEmpty() ? Uuid.randomUuid().toString() : request.memberId();
        final TreeMap<Uuid, SortedSet<Integer>> owned = owned(request);
        boolean bump = false;
        final ConsumerMember member;
        if (epoch == 0) {
            final ConsumerMember existing = joining(group, memberId, request.instanceId());
            bump = existing == null;
            member = existing != null ? existing : addMember(group, memberId, request.instanceId());
            member.lastSent = null;
        } else {
            member = group.members.get(memberId);
            if (member == null) {
                throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + memberId + " is not in group " + groupId + ".");
            }
            checkEpoch(member, epoch, owned);
        }
        bump |= update(member, request, clientId, clientHost);
        final Map<String, TopicImage.Topic> subscribed = subscribedTopics(group);
        if (bump || !subscribed.equals(group.subscribedTopics) || !group.assignorName.equals(chooseAssignor(group))) {
            group.groupEpoch++;
            computeTarget(group, subscribed);
        }
        reconcile(group, member, owned);
        scheduleSessionExpiry(group, member);
        final ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(member.memberId).setMemberEpoch(member.memberEpoch)
                .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
        final boolean full = request.rebalanceTimeoutMs() != -1 && owned != null
                && (request.subscribedTopicNames() != null || request.subscribedTopicRegex() != null);
        if (full || !member.assigned.equals(member.lastSent)) {
            response.setAssignment(assignment(member.assigned));
            member.lastSent = Assignments.copy(member.assigned);
        }
        return response;
    }

    private void validate(final ConsumerGroupHeartbeatRequestData request, final short version) {
        if (GroupCoordinator.isEmpty(request.groupId())) {
            throw Errors.INVALID_REQUEST.exception("GroupId can't be empty.");
        }
        final int epoch = request.memberEpoch();
        if ((version >= 1 || epoch != 0) && GroupCoordinator.isEmpty(request.memberId())) {
            throw Errors.INVALID_REQUEST.exception("MemberId can't be empty.");
        }
        if (request.instanceId() != null && request.instanceId().isEmpty()) {
            throw Errors.INVALID_REQUEST.exception("InstanceId can't be empty.");
        }
        if (epoch < ConsumerMember.STATIC_LEFT_EPOCH) {
            throw Errors.INVALID_REQUEST.exception("MemberEpoch " + epoch + " is invalid.");
        }
        if (epoch == ConsumerMember.STATIC_LEFT_EPOCH && request.instanceId() == null) {
            throw Errors.INVALID_REQUEST.exception("InstanceId can't be null when MemberEpoch is -2.");
        }
        if (epoch == 0) {
            if (request.rebalanceTimeoutMs() == -1) {
                throw Errors.INVALID_REQUEST.exception("RebalanceTimeoutMs must be provided in first request.");
            }
            if (request.topicPartitions() == null || !request.topicPartitions().isEmpty()) {
                throw Errors.INVALID_REQUEST.exception("TopicPartitions must be empty when (re-)joining.");
            }
            if (request.subscribedTopicNames() == null && request.subscribedTopicRegex() == null) {
                throw Errors.INVALID_REQUEST.exception(
                        "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
        }
        if (request.serverAssignor() != null && !configuredAssignor(request.serverAssignor())) {
            throw Errors.UNSUPPORTED_ASSIGNOR.exception("ServerAssignor " + request.serverAssignor() + " is not supported. "
                    + "Supported assignors: " + String.join(", ", config.assignors()) + ".");
        }
        if (request.subscribedTopicRegex() != null) {
            try {
                Pattern.compile(request.subscribedTopicRegex());
            } catch (PatternSyntaxException e) {
                throw Errors.INVALID_REGULAR_EXPRESSION.exception("SubscribedTopicRegex "
                        + request.subscribedTopicRegex() + " is not a valid regular expression: " + e.getDescription());
            }
        }
    }

    private boolean configuredAssignor(final String name) {
        for (final String a : config.assignors()) {
            if (ServerAssignor.shortName(a).equals(ServerAssignor.shortName(name))) {
                return true;
            }
        }
        return false;
    }

    /** An epoch-0 heartbeat's member if it exists already (a rejoin, or a static member's return); else null. */
    private ConsumerMember joining(final ConsumerGroup group, final String memberId, final String instanceId) {
        if (instanceId != null) {
            final String holder = group.staticMembers.get(instanceId);
            if (holder != null && !holder.equals(memberId)) {
                final ConsumerMember old = group.members.get(holder);
                if (!old.staticLeft) {
                    throw Errors.UNRELEASED_INSTANCE_ID.exception("Static member " + holder + " with instance id "
                            + instanceId + " must leave the group before another member can join with it.");
                }
                return replaceStatic(group, old, memberId);
            }
        }
        final ConsumerMember existing = group.members.get(memberId);
        if (existing != null) {
            existing.staticLeft = false;
        }
        return existing;
    }

    private ConsumerMember addMember(final ConsumerGroup group, final String memberId, final String instanceId) {
        if (group.members.size() >= config.maxSize()) {
            throw Errors.GROUP_MAX_SIZE_REACHED.exception("The consumer group has reached its maximum capacity of "
                    + config.maxSize() + " members.");
        }
        final ConsumerMember member = new ConsumerMember(memberId);
        member.instanceId = instanceId;
        group.members.put(memberId, member);
        if (instanceId != null) {
            group.staticMembers.put(instanceId, memberId);
        }
        return member;
    }

    /** A static member's new incarnation takes over its predecessor's epoch and partitions; no rebalance. */
    private ConsumerMember replaceStatic(final ConsumerGroup group, final ConsumerMember old, final String memberId) {
        final ConsumerMember member = new ConsumerMember(memberId);
        member.instanceId = old.instanceId;
        member.rackId = old.rackId;
        member.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
        member.subscribedTopicNames = old.subscribedTopicNames;
        member.subscribedTopicRegex = old.subscribedTopicRegex;
        member.serverAssignor = old.serverAssignor;
        member.memberEpoch = old.memberEpoch;
        member.previousMemberEpoch = old.previousMemberEpoch;
        member.state = old.state;
        member.assigned = old.assigned;
        member.pendingRevocation = old.pendingRevocation;
        cancelTimers(group, old);
        group.members.remove(old.memberId);
        group.members.put(memberId, member);
        group.staticMembers.put(member.instanceId, memberId);
        group.release(old.memberId, old.assigned);
        group.release(old.memberId, old.pendingRevocation);
        group.own(memberId, member.assigned);
        group.own(memberId, member.pendingRevocation);
        final TreeMap<Uuid, SortedSet<Integer>> target = group.target.remove(old.memberId);
        group.target.put(memberId, target == null ? Assignments.empty() : target);
        LOG.info("Static member {} of consumer group {} came back as {}", member.instanceId, group.groupId, memberId);
        return member;
    }

    /**
     * The member's epoch must be the current one; the previous one is accepted while the member owns only
     * partitions it still has (its last response was lost), as KIP-848 allows.
     */
    private static void checkEpoch(final ConsumerMember member, final int epoch,
                                   final Map<Uuid, SortedSet<Integer>> owned) {
        if (member.staticLeft || epoch > member.memberEpoch) {
            throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member has a greater member epoch ("
                    + epoch + ") than the one known by the group coordinator (" + member.memberEpoch + ").");
        }
        if (epoch < member.memberEpoch && !(epoch == member.previousMemberEpoch && owned != null
                && Assignments.minus(owned, member.assigned).isEmpty())) {
            throw Errors.FENCED_MEMBER_EPOCH.exception("The consumer group member has a smaller member epoch ("
                    + epoch + ") than the one known by the group coordinator (" + member.memberEpoch + ").");
        }
    }

    /** Applies the fields a heartbeat sets; whether the member's subscription or assignor changed. */
    private static boolean update(final ConsumerMember member, final ConsumerGroupHeartbeatRequestData request,
                                  final String clientId, final String clientHost) {
        member.clientId = clientId;
        member.clientHost = clientHost;
        if (request.rackId() != null) {
            member.rackId = request.rackId();
        }
        if (request.rebalanceTimeoutMs() != -1) {
            member.rebalanceTimeoutMs = request.rebalanceTimeoutMs();
        }
        boolean changed = false;
        if (request.subscribedTopicNames() != null && !request.subscribedTopicNames().equals(member.subscribedTopicNames)) {
            member.subscribedTopicNames = List.copyOf(request.subscribedTopicNames());
            changed = true;
        }
        if (request.subscribedTopicRegex() != null) {
            final String regex = request.subscribedTopicRegex().isEmpty() ? null : request.subscribedTopicRegex();
            if (!Objects.equals(regex, member.subscribedTopicRegex)) {
                member.subscribedTopicRegex = regex;
                changed = true;
            }
        }
        if (request.serverAssignor() != null && !request.serverAssignor().equals(member.serverAssignor)) {
            member.serverAssignor = request.serverAssignor();
            changed = true;
        }
        return changed;
    }

    private static TreeMap<Uuid, SortedSet<Integer>> owned(final ConsumerGroupHeartbeatRequestData request) {
        if (request.topicPartitions() == null) {
            return null;
        }
        final TreeMap<Uuid, SortedSet<Integer>> owned = Assignments.empty();
        for (final ConsumerGroupHeartbeatRequestData.TopicPartitions tp : request.topicPartitions()) {
            for (final int p : tp.partitions()) {
                Assignments.add(owned, tp.topicId(), p);
            }
        }
        return owned;
    }

    private static ConsumerGroupHeartbeatResponseData.Assignment assignment(final Map<Uuid, SortedSet<Integer>> partitions) {
        final ConsumerGroupHeartbeatResponseData.Assignment a = new ConsumerGroupHeartbeatResponseData.Assignment();
        partitions.forEach((t, ps) -> a.topicPartitions().add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(t).setPartitions(new ArrayList<>(ps))));
        return a;
    }

    // --------------------------------------------------------------------------------------- Leaving

    private ConsumerGroupHeartbeatResponseData onLeave(final ConsumerGroupHeartbeatRequestData request) {
        final ConsumerGroup group = groups.get(request.groupId());
        ConsumerMember member = group == null ? null : group.members.get(request.memberId());
        if (member == null && group != null && request.instanceId() != null) {
            final String holder = group.staticMembers.get(request.instanceId());
            member = holder == null ? null : group.members.get(holder);
        }
        if (member == null) {
            throw Errors.UNKNOWN_MEMBER_ID.exception("Member " + request.memberId() + " is not in group "
                    + request.groupId() + ".");
        }
        if (request.memberEpoch() == ConsumerMember.STATIC_LEFT_EPOCH) {
            // The slot and its partitions are kept for the session timeout, for the same instance to come back.
            member.staticLeft = true;
            timer().cancel(rebalanceKey(group, member));
            scheduleSessionExpiry(group, member);
        } else {
            removeMember(group, member, "member " + member.memberId + " left");
        }
        return new ConsumerGroupHeartbeatResponseData().setMemberId(request.memberId())
                .setMemberEpoch(request.memberEpoch()).setHeartbeatIntervalMs(0);
    }

    private void removeMember(final ConsumerGroup group, final ConsumerMember member, final String reason) {
        cancelTimers(group, member);
        group.members.remove(member.memberId);
        if (member.instanceId != null) {
            group.staticMembers.remove(member.instanceId, member.memberId);
        }
        group.release(member.memberId, member.assigned);
        group.release(member.memberId, member.pendingRevocation);
        group.target.remove(member.memberId);
        group.groupEpoch++;
        computeTarget(group, subscribedTopics(group));
        persist(group);
        LOG.info("Consumer group {} is at epoch {}: {}", group.groupId, group.groupEpoch, reason);
    }

    /** Appends the group's state if it changed since its last record. */
    private void persist(final ConsumerGroup group) {
        final GroupRecords.Record record = ConsumerGroupRecords.record(group);
        if (group.persisted != null && java.util.Arrays.equals(group.persisted.value(), record.value())) {
            return;
        }
        coordinator.log.append(coordinator.partitionFor(group.groupId), List.of(record));
        group.persisted = record;
    }

    /** Drops a consumer group (deleted, or become a classic group); its tombstone if it had a record. */
    List<GroupRecords.Record> forget(final String groupId) {
        final ConsumerGroup group = groups.remove(groupId);
        if (group == null || group.persisted == null) {
            return List.of();
        }
        for (final ConsumerMember m : group.members.values()) {
            cancelTimers(group, m);
        }
        return List.of(ConsumerGroupRecords.tombstone(groupId));
    }

    /** Replay of a group's record (null: its tombstone). */
    void onReplay(final String groupId, final ByteBuffer valueOrNull) {
        if (valueOrNull == null) {
            groups.remove(groupId);
            return;
        }
        final ByteBuffer copy = valueOrNull.duplicate();
        final ConsumerGroup group = ConsumerGroupRecords.read(groupId, valueOrNull);
        final byte[] value = new byte[copy.remaining()];
        copy.get(value);
        group.persisted = new GroupRecords.Record(ConsumerGroupRecords.tombstone(groupId).key(), value);
        groups.put(groupId, group);
    }

    /** After the load: every member's session starts now, and pending revocations get their deadline again. */
    void onLoaded() {
        for (final ConsumerGroup group : groups.values()) {
            for (final ConsumerMember m : group.members.values()) {
                scheduleSessionExpiry(group, m);
                if (m.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
                    scheduleRevocationTimeout(group, m);
                }
            }
        }
    }

    /** The records that hold the state of the groups of one {@code __consumer_offsets} partition (snapshots). */
    List<GroupRecords.Record> records(final int partition) {
        final List<GroupRecords.Record> out = new ArrayList<>();
        for (final ConsumerGroup g : groups.values()) {
            if (g.persisted != null && coordinator.partitionFor(g.groupId) == partition) {
                out.add(g.persisted);
            }
        }
        return out;
    }

    private void scheduleSessionExpiry(final ConsumerGroup group, final ConsumerMember member) {
        timer().schedule(sessionKey(group, member), config.sessionTimeoutMs(), () -> {
            if (groups.get(group.groupId) == group && group.members.get(member.memberId) == member) {
                removeMember(group, member, "session of " + member.memberId + " expired");
            }
        });
    }

    private void scheduleRevocationTimeout(final ConsumerGroup group, final ConsumerMember member) {
        final int epoch = member.memberEpoch;
        timer().schedule(rebalanceKey(group, member), member.rebalanceTimeoutMs, () -> {
            if (groups.get(group.groupId) == group && group.members.get(member.memberId) == member
                    && member.state == ConsumerMember.State.UNREVOKED_PARTITIONS && member.memberEpoch == epoch) {
                removeMember(group, member, member.memberId + " did not revoke its partitions within "
                        + member.rebalanceTimeoutMs + " ms");
            }
        });
    }

    private void cancelTimers(final ConsumerGroup group, final ConsumerMember member) {
        timer().cancel(sessionKey(group, member));
        timer().cancel(rebalanceKey(group, member));
    }

    private CoordinatorTimer timer() {
        return coordinator.timer;
    }

    // ---------------------------------------------------------------------------- Target assignment

    /** The existing topics the group's members subscribe to, by name. */
    private Map<String, TopicImage.Topic> subscribedTopics(final ConsumerGroup group) {
        final Map<String, TopicImage.Topic> out = new TreeMap<>();
        for (final ConsumerMember m : group.members.values()) {
            for (final TopicImage.Topic t : topicsOf(m)) {
                out.put(t.name(), t);
            }
        }
        return out;
    }

    private List<TopicImage.Topic> topicsOf(final ConsumerMember m) {
        final List<TopicImage.Topic> out = new ArrayList<>();
        for (final String name : m.subscribedTopicNames) {
            final TopicImage.Topic t = topics.byName(name);
            if (t != null) {
                out.add(t);
            }
        }
        if (m.subscribedTopicRegex != null) {
            final Pattern pattern = Pattern.compile(m.subscribedTopicRegex);
            for (final TopicImage.Topic t : topics.all()) {
                if (pattern.matcher(t.name()).matches() && !out.contains(t)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** The assignor most members ask for; the first configured one when none asks. */
    private String chooseAssignor(final ConsumerGroup group) {
        final Map<String, Integer> votes = new TreeMap<>();
        for (final ConsumerMember m : group.members.values()) {
            if (m.serverAssignor != null) {
                votes.merge(ServerAssignor.shortName(m.serverAssignor), 1, Integer::sum);
            }
        }
        String best = ServerAssignor.shortName(config.assignors().get(0));
        int most = 0;
        for (final Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
    }

    private void computeTarget(final ConsumerGroup group, final Map<String, TopicImage.Topic> subscribed) {
        group.subscribedTopics = Map.copyOf(subscribed);
        group.assignorName = chooseAssignor(group);
        final SortedMap<String, Set<Uuid>> subscriptions = new TreeMap<>();
        for (final ConsumerMember m : group.members.values()) {
            final Set<Uuid> ids = new TreeSet<>();
            topicsOf(m).forEach(t -> ids.add(t.id()));
            subscriptions.put(m.memberId, ids);
        }
        final SortedMap<Uuid, Integer> counts = new TreeMap<>();
        subscribed.values().forEach(t -> counts.put(t.id(), t.partitions()));
        final Map<String, TreeMap<Uuid, SortedSet<Integer>>> next =
                ServerAssignor.named(group.assignorName).assign(subscriptions, counts, group.target);
        group.target.clear();
        group.target.putAll(next);
        group.assignmentEpoch = group.groupEpoch;
    }

    // ------------------------------------------------------------------------------- Reconciliation

    /**
     * Moves a member towards its target: revocations first (its epoch stays until its heartbeat's owned
     * partitions show them gone), then the target epoch with every target partition no other member holds.
     */
    private void reconcile(final ConsumerGroup group, final ConsumerMember member,
                           final Map<Uuid, SortedSet<Integer>> owned) {
        if (member.state == ConsumerMember.State.UNREVOKED_PARTITIONS) {
            if (owned == null || Assignments.intersects(owned, member.pendingRevocation)) {
                return;
            }
            group.release(member.memberId, member.pendingRevocation);
            member.pendingRevocation = Assignments.empty();
            member.state = ConsumerMember.State.STABLE;
            timer().cancel(rebalanceKey(group, member));
        }
        if (member.memberEpoch == group.assignmentEpoch && member.state == ConsumerMember.State.STABLE) {
            return;
        }
        final TreeMap<Uuid, SortedSet<Integer>> target = group.target.getOrDefault(member.memberId, Assignments.empty());
        final TreeMap<Uuid, SortedSet<Integer>> revoke = Assignments.minus(member.assigned, target);
        if (!revoke.isEmpty()) {
            member.assigned = Assignments.intersect(member.assigned, target);
            member.pendingRevocation = revoke;
            member.state = ConsumerMember.State.UNREVOKED_PARTITIONS;
            scheduleRevocationTimeout(group, member);
            return;
        }
        final TreeMap<Uuid, SortedSet<Integer>> free = Assignments.empty();
        Assignments.minus(target, member.assigned).forEach((t, ps) -> ps.forEach(p -> {
            final String owner = group.ownerOf(t, p);
            if (owner == null || owner.equals(member.memberId)) {
                Assignments.add(free, t, p);
            }
        }));
        free.forEach((t, ps) -> ps.forEach(p -> Assignments.add(member.assigned, t, p)));
        group.own(member.memberId, free);
        if (member.memberEpoch != group.assignmentEpoch) {
            member.previousMemberEpoch = member.memberEpoch;
            member.memberEpoch = group.assignmentEpoch;
        }
        member.state = member.assigned.equals(target) ? ConsumerMember.State.STABLE
                : ConsumerMember.State.UNRELEASED_PARTITIONS;
    }

    // ------------------------------------------------------------------------------- Offsets checks

    /**
     * OffsetCommit from a consumer group: a commit without a member epoch only to an empty group; otherwise
     * the member must exist and send its current epoch (else STALE_MEMBER_EPOCH).
     */
    Errors validateCommit(final ConsumerGroup group, final String memberId, final int memberEpoch, final short version) {
        if (memberEpoch < 0 && group.members.isEmpty()) {
            return Errors.NONE;
        }
        final ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (version < 9) {
            return Errors.UNSUPPORTED_VERSION;
        }
        return epochError(member, memberEpoch);
    }

    /** TxnOffsetCommit: as OffsetCommit, but an epoch mismatch is ILLEGAL_GENERATION, which producers handle. */
    Errors validateTxnCommit(final ConsumerGroup group, final String memberId, final int memberEpoch) {
        if (memberEpoch < 0 || GroupCoordinator.isEmpty(memberId)) {
            return Errors.NONE;
        }
        final ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return member.memberEpoch == memberEpoch ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    /** OffsetFetch v9+ from a member: it must exist and send its current epoch. */
    Errors validateFetch(final ConsumerGroup group, final String memberId, final int memberEpoch) {
        if (memberId == null || memberEpoch < 0) {
            return Errors.NONE;
        }
        final ConsumerMember member = group.members.get(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return epochError(member, memberEpoch);
    }

    /** As Kafka 4.4 answers (checked against it): any other epoch than the member's is STALE_MEMBER_EPOCH. */
    private static Errors epochError(final ConsumerMember member, final int memberEpoch) {
        return memberEpoch == member.memberEpoch ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /** Names of the topics the group's members subscribe to (for OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC). */
    Set<String> subscribedTopicNames(final ConsumerGroup group) {
        return subscribedTopics(group).keySet();
    }

    // ------------------------------------------------------------------------------- ConsumerGroupDescribe

    public CompletableFuture<ConsumerGroupDescribeResponseData> describe(final List<String> groupIds, final short version) {
        return coordinator.submit(f -> {
            final ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            for (final String id : groupIds) {
                response.groups().add(describeOne(id, version));
            }
            f.complete(response);
        });
    }

    private ConsumerGroupDescribeResponseData.DescribedGroup describeOne(final String id, final short version) {
        final ConsumerGroupDescribeResponseData.DescribedGroup out =
                new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(id);
        if (GroupCoordinator.isEmpty(id)) {
            return out.setErrorCode(Errors.INVALID_GROUP_ID.code()).setErrorMessage("GroupId can't be empty.");
        }
        final ConsumerGroup g = groups.get(id);
        if (g == null) {
            final String message = coordinator.groups.containsKey(id) ? "Group " + id + " is not a consumer group."
                    : "Group " + id + " not found.";
            return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(message);
        }
        out.setGroupState(g.state().displayName).setGroupEpoch(g.groupEpoch).setAssignmentEpoch(g.assignmentEpoch)
                .setAssignorName(g.assignorName);
        for (final ConsumerMember m : g.members.values()) {
            final ConsumerGroupDescribeResponseData.Member dm = new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId).setInstanceId(m.instanceId).setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch).setClientId(Objects.requireNonNullElse(m.clientId, ""))
                    .setClientHost(Objects.requireNonNullElse(m.clientHost, ""))
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                    .setSubscribedTopicRegex(m.subscribedTopicRegex)
                    .setAssignment(describedAssignment(m.assigned))
                    .setTargetAssignment(describedAssignment(g.target.getOrDefault(m.memberId, Assignments.empty())));
            if (version >= 1) {
                dm.setMemberType((byte) 1);
            }
            out.members().add(dm);
        }
        return out;
    }

    private ConsumerGroupDescribeResponseData.Assignment describedAssignment(final Map<Uuid, SortedSet<Integer>> parts) {
        final ConsumerGroupDescribeResponseData.Assignment a = new ConsumerGroupDescribeResponseData.Assignment();
        parts.forEach((t, ps) -> {
            final TopicImage.Topic topic = topics.byId(t);
            a.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(t)
                    .setTopicName(topic == null ? "" : topic.name()).setPartitions(new ArrayList<>(ps)));
        });
        return a;
    }

    private static String sessionKey(final ConsumerGroup g, final ConsumerMember m) {
        return "consumer-session/" + g.groupId + "/" + m.memberId;
    }

    private static String rebalanceKey(final ConsumerGroup g, final ConsumerMember m) {
        return "consumer-revocation/" + g.groupId + "/" + m.memberId;
    }
}
