package dev.fjord.coordinator.group;

import dev.fjord.common.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's classic group protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, with generations,
 * session and rebalance timeouts, the initial rebalance delay, KIP-394 member ids and static membership.
 * Part of {@link GroupCoordinator}, on its thread, log, timer and group map (committed offsets are in
 * {@link GroupOffsets}, KIP-848 groups in {@link ConsumerGroups}).
 */
final class ClassicGroups {
    private static final Logger LOG = LoggerFactory.getLogger(ClassicGroups.class);
    private static final String UNKNOWN_MEMBER = GroupCoordinator.UNKNOWN_MEMBER;

    private final GroupCoordinator coordinator;
    private final GroupCoordinatorConfig config;
    private final CoordinatorLog log;
    private final CoordinatorTimer timer;
    private final Clock clock;
    private final Map<String, ClassicGroup> groups;

    ClassicGroups(final GroupCoordinator coordinator) {
        this.coordinator = coordinator;
        this.config = coordinator.config;
        this.log = coordinator.log;
        this.timer = coordinator.timer;
        this.clock = coordinator.clock;
        this.groups = coordinator.groups;
    }

    private <T> CompletableFuture<T> submit(final Consumer<CompletableFuture<T>> work) {
        return coordinator.submit(work);
    }

    private int partitionFor(final String groupId) {
        return coordinator.partitionFor(groupId);
    }

    private static boolean isEmpty(final String groupId) {
        return GroupCoordinator.isEmpty(groupId);
    }

    // ---------------------------------------------------------------------------------------- JoinGroup

    CompletableFuture<JoinGroupResponseData> joinGroup(final JoinGroupRequestData request, final short version,
                                                              final String clientId, final String clientHost) {
        return submit(f -> onJoinGroup(request, version, clientId, clientHost, f));
    }

    private void onJoinGroup(final JoinGroupRequestData request, final short version, final String clientId,
                             final String clientHost, final CompletableFuture<JoinGroupResponseData> future) {
        final String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(joinError(Errors.INVALID_GROUP_ID, request.memberId()));
            return;
        }
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs() || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            future.complete(joinError(Errors.INVALID_SESSION_TIMEOUT, request.memberId()));
            return;
        }
        final Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (final JoinGroupRequestData.JoinGroupRequestProtocol p : request.protocols()) {
            protocols.put(p.name(), p.metadata());
        }
        final ConsumerGroup consumerGroup = coordinator.consumer.groups.get(groupId);
        if (consumerGroup != null && !consumerGroup.members.isEmpty()) {
            // A KIP-848 group with members: its members cannot be joined by classic members (Kafka 4 could
            // convert the group; we do not).
            future.complete(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
            return;
        }
        final ClassicGroup existing = groups.get(groupId);
        if (existing == null && !UNKNOWN_MEMBER.equals(request.memberId())) {
            // Only a join without a member id creates a group; a member id of a group we do not have is unknown.
            future.complete(joinError(Errors.UNKNOWN_MEMBER_ID, request.memberId()));
            return;
        }
        final ClassicGroup group = existing != null ? existing : new ClassicGroup(groupId);
        if (!group.supports(request.protocolType(), protocols.keySet())) {
            future.complete(joinError(Errors.INCONSISTENT_GROUP_PROTOCOL, request.memberId()));
            return;
        }
        groups.putIfAbsent(groupId, group);
        // An empty consumer group becomes a classic one (its offsets live in the classic entry already).
        final List<GroupRecords.Record> forgotten = coordinator.consumer.forget(groupId);
        if (!forgotten.isEmpty()) {
            log.append(partitionFor(groupId), forgotten);
        }
        final int rebalanceTimeoutMs = version >= 1 ? request.rebalanceTimeoutMs() : request.sessionTimeoutMs();
        if (!acceptJoiningMember(group, request.memberId())) {
            final GroupMember refused = group.members.get(request.memberId());
            if (refused != null) {
                LOG.info("Removing member {} of group {}: the group is at group.max.size ({})", refused.memberId,
                        group.groupId, config.maxGroupSize());
                removeMember(group, refused);
                maybeCompleteJoin(group);
            }
            if (group.pendingMembers.remove(request.memberId())) {
                timer.cancel(pendingKey(group, request.memberId()));
            }
            future.complete(joinError(Errors.GROUP_MAX_SIZE_REACHED, UNKNOWN_MEMBER));
            return;
        }
        if (UNKNOWN_MEMBER.equals(request.memberId())) {
            joinNewMember(group, request, version, protocols, rebalanceTimeoutMs, clientId, clientHost, future);
        } else {
            joinKnownMember(group, request, version, protocols, rebalanceTimeoutMs, clientId, clientHost, future);
        }
    }

    /**
     * Kafka's admission rule for {@code group.max.size}, by group state: an empty group takes anyone; while
     * preparing a rebalance, a member already waiting in its join, or anyone while fewer than the maximum
     * are waiting (so when the maximum was lowered, the last members to rejoin are the ones left out);
     * otherwise a member of the group, or anyone while it has fewer members than the maximum. Members
     * that were given an id and have not rejoined with it yet (KIP-394) do not count.
     */
    private boolean acceptJoiningMember(final ClassicGroup group, final String memberId) {
        final GroupMember member = group.members.get(memberId);
        switch (group.state) {
            case EMPTY:
            case DEAD:
                return true;
            case PREPARING_REBALANCE:
                if (member != null && member.isAwaitingJoin()) {
                    return true;
                }
                int awaiting = 0;
                for (final GroupMember m : group.members.values()) {
                    if (m.isAwaitingJoin()) {
                        awaiting++;
                    }
                }
                return awaiting < config.maxGroupSize();
            default:
                return member != null || group.members.size() < config.maxGroupSize();
        }
    }

    private void joinNewMember(final ClassicGroup group, final JoinGroupRequestData request, final short version,
                               final Map<String, byte[]> protocols, final int rebalanceTimeoutMs, final String clientId,
                               final String clientHost, final CompletableFuture<JoinGroupResponseData> future) {
        final String memberId = clientId + "-" + UUID.randomUUID();
        final String instanceId = request.groupInstanceId();
        if (instanceId != null && group.staticMembers.containsKey(instanceId)) {
            replaceStaticMember(group, group.members.get(group.staticMembers.get(instanceId)), memberId, request, version,
                    protocols, future);
            return;
        }
        if (instanceId == null && version >= 4) {
            // KIP-394: the member must come back with this id, so an id is never given to a client that never saw it.
            group.pendingMembers.add(memberId);
            timer.schedule(pendingKey(group, memberId), request.sessionTimeoutMs(), () -> {
                if (group.pendingMembers.remove(memberId)) {
                    maybeCompleteJoin(group);
                }
            });
            future.complete(joinError(Errors.MEMBER_ID_REQUIRED, memberId));
            return;
        }
        addMember(group, new GroupMember(memberId, instanceId, clientId, clientHost, rebalanceTimeoutMs,
                request.sessionTimeoutMs()), request.protocolType(), protocols, version, future);
    }

    private void joinKnownMember(final ClassicGroup group, final JoinGroupRequestData request, final short version,
                                 final Map<String, byte[]> protocols, final int rebalanceTimeoutMs, final String clientId,
                                 final String clientHost, final CompletableFuture<JoinGroupResponseData> future) {
        final String memberId = request.memberId();
        if (group.pendingMembers.remove(memberId)) {
            timer.cancel(pendingKey(group, memberId));
            addMember(group, new GroupMember(memberId, request.groupInstanceId(), clientId, clientHost,
                    rebalanceTimeoutMs, request.sessionTimeoutMs()), request.protocolType(), protocols, version, future);
            return;
        }
        final GroupMember member = group.members.get(memberId);
        final Errors error = checkMember(group, memberId, request.groupInstanceId());
        if (error != Errors.NONE || member == null) {
            future.complete(joinError(error == Errors.NONE ? Errors.UNKNOWN_MEMBER_ID : error, memberId));
            return;
        }
        member.sessionTimeoutMs = request.sessionTimeoutMs();
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        switch (group.state) {
            case PREPARING_REBALANCE:
                member.protocols = protocols;
                member.awaitingJoin = future;
                member.joinVersion = version;
                maybeCompleteJoin(group);
                break;
            case COMPLETING_REBALANCE:
            case STABLE:
                if (member.sameProtocols(protocols)
                        && (group.state == GroupState.COMPLETING_REBALANCE || !memberId.equals(group.leaderId))) {
                    // Nothing changed: answer with the current generation, no rebalance.
                    future.complete(joinResponse(group, member, version));
                } else {
                    member.protocols = protocols;
                    member.awaitingJoin = future;
                    member.joinVersion = version;
                    prepareRebalance(group, "member " + memberId + " rejoined with new metadata or as leader");
                }
                break;
            default:
                future.complete(joinError(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
    }

    private void replaceStaticMember(final ClassicGroup group, final GroupMember old, final String newMemberId,
                                     final JoinGroupRequestData request, final short version,
                                     final Map<String, byte[]> protocols,
                                     final CompletableFuture<JoinGroupResponseData> future) {
        final String oldMemberId = old.memberId;
        final String previousLeader = group.leaderId;
        // The previous incarnation of this instance is fenced.
        if (old.awaitingJoin != null) {
            old.awaitingJoin.complete(joinError(Errors.FENCED_INSTANCE_ID, oldMemberId));
            old.awaitingJoin = null;
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
            old.awaitingSync = null;
        }
        timer.cancel(sessionKey(group, oldMemberId));
        group.members.remove(oldMemberId);
        if (group.pendingSync.remove(oldMemberId)) {
            group.pendingSync.add(newMemberId);
        }
        old.memberId = newMemberId;
        group.members.put(newMemberId, old);
        group.staticMembers.put(old.groupInstanceId, newMemberId);
        if (oldMemberId.equals(group.leaderId)) {
            group.leaderId = newMemberId;
        }
        old.sessionTimeoutMs = request.sessionTimeoutMs();
        old.protocols = protocols;
        if (group.state == GroupState.STABLE && group.protocolName.equals(group.selectProtocol())) {
            // KIP-345: a static member back within its session keeps its assignment, and as long as the group's
            // protocol stays the same there is no rebalance, even though its metadata (owned partitions, generation)
            // may differ from before. A returning leader must not assign again (KIP-814).
            persistGroup(group);
            scheduleSessionExpiry(group, old);
            future.complete(staticRejoinResponse(group, old, version, previousLeader));
            return;
        }
        old.awaitingJoin = future;
        old.joinVersion = version;
        if (group.state == GroupState.PREPARING_REBALANCE) {
            maybeCompleteJoin(group);
        } else {
            prepareRebalance(group, "static member " + old.groupInstanceId + " rejoined with new metadata");
        }
    }

    private void addMember(final ClassicGroup group, final GroupMember member, final String protocolType,
                           final Map<String, byte[]> protocols, final short version,
                           final CompletableFuture<JoinGroupResponseData> future) {
        if (group.members.isEmpty()) {
            group.protocolType = protocolType;
        }
        member.protocols = protocols;
        member.awaitingJoin = future;
        member.joinVersion = version;
        group.members.put(member.memberId, member);
        if (member.groupInstanceId != null) {
            group.staticMembers.put(member.groupInstanceId, member.memberId);
        }
        if (group.leaderId == null) {
            group.leaderId = member.memberId;
        }
        if (group.state == GroupState.PREPARING_REBALANCE) {
            if (group.initialDelayPending) {
                group.newMemberAdded = true;
            }
            maybeCompleteJoin(group);
        } else {
            prepareRebalance(group, "member " + member.memberId + " joined");
        }
    }

    /**
     * Checks that a member id (and its static instance id) belongs to the group.
     * FENCED_INSTANCE_ID when the instance id is held by another member id.
     */
    Errors checkMember(final ClassicGroup group, final String memberId, final String instanceId) {
        if (instanceId != null) {
            // As Kafka: a request naming an instance id is judged by who holds that id, not by the member id alone.
            final String holder = group.staticMembers.get(instanceId);
            if (holder == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            return holder.equals(memberId) ? Errors.NONE : Errors.FENCED_INSTANCE_ID;
        }
        return group.members.containsKey(memberId) ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
    }

    private void prepareRebalance(final ClassicGroup group, final String reason) {
        if (group.state == GroupState.COMPLETING_REBALANCE) {
            for (final GroupMember m : group.members.values()) {
                m.assignment = new byte[0];
                if (m.awaitingSync != null) {
                    m.awaitingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                    m.awaitingSync = null;
                    scheduleSessionExpiry(group, m);
                }
            }
        }
        timer.cancel(syncKey(group));
        group.pendingSync.clear();
        final boolean wasEmpty = group.state == GroupState.EMPTY;
        group.state = GroupState.PREPARING_REBALANCE;
        group.stateTimestampMs = clock.wallMillis();
        LOG.debug("Preparing to rebalance group {} in generation {}: {}", group.groupId, group.generationId, reason);
        if (wasEmpty && config.initialRebalanceDelayMs() > 0) {
            group.initialDelayPending = true;
            group.newMemberAdded = false;
            final int delayMs = config.initialRebalanceDelayMs();
            scheduleInitialDelay(group, delayMs, Math.max(group.maxRebalanceTimeoutMs() - delayMs, 0));
        } else {
            timer.schedule(joinKey(group), group.maxRebalanceTimeoutMs(), () -> onJoinDeadline(group));
            maybeCompleteJoin(group);
        }
    }

    /**
     * KIP-134: the first rebalance of an empty group waits {@code group.initial.rebalance.delay.ms}; each time
     * members joined during the wait it waits once more, up to the group's rebalance timeout in total.
     */
    private void scheduleInitialDelay(final ClassicGroup group, final int delayMs, final int remainingMs) {
        timer.schedule(joinKey(group), delayMs, () -> {
            if (group.newMemberAdded && remainingMs > 0) {
                group.newMemberAdded = false;
                final int nextDelayMs = Math.min(config.initialRebalanceDelayMs(), remainingMs);
                scheduleInitialDelay(group, nextDelayMs, remainingMs - nextDelayMs);
            } else {
                group.initialDelayPending = false;
                onJoinDeadline(group);
            }
        });
    }

    private void maybeCompleteJoin(final ClassicGroup group) {
        if (group.state == GroupState.PREPARING_REBALANCE && !group.initialDelayPending && group.allMembersJoined()) {
            completeJoin(group);
        }
    }

    /**
     * The rebalance timeout (or the initial delay) ran out: dynamic members that did not rejoin are dropped.
     * Static members stay (KIP-345: a restarting instance keeps its place until its session times out).
     */
    private void onJoinDeadline(final ClassicGroup group) {
        if (group.state != GroupState.PREPARING_REBALANCE || groups.get(group.groupId) != group) {
            return;
        }
        for (final GroupMember m : new ArrayList<>(group.members.values())) {
            if (!m.isAwaitingJoin() && m.groupInstanceId == null) {
                LOG.info("Removing member {} of group {}: it did not rejoin within the rebalance timeout", m.memberId,
                        group.groupId);
                removeMember(group, m);
            }
        }
        group.pendingMembers.clear();
        completeJoin(group);
    }

    private void completeJoin(final ClassicGroup group) {
        timer.cancel(joinKey(group));
        if (!group.members.isEmpty() && !electJoinedLeader(group)) {
            // Only static members that have not rejoined are left, so nobody could assign: wait once more.
            timer.schedule(joinKey(group), group.maxRebalanceTimeoutMs(), () -> onJoinDeadline(group));
            return;
        }
        group.generationId++;
        group.stateTimestampMs = clock.wallMillis();
        if (group.members.isEmpty()) {
            group.state = GroupState.EMPTY;
            group.protocolName = null;
            group.leaderId = null;
            persistGroup(group);
            return;
        }
        group.protocolName = group.selectProtocol();
        group.state = GroupState.COMPLETING_REBALANCE;
        for (final GroupMember m : group.members.values()) {
            final CompletableFuture<JoinGroupResponseData> waiting = m.awaitingJoin;
            m.awaitingJoin = null;
            if (waiting != null) {
                waiting.complete(joinResponse(group, m, m.joinVersion));
            }
            scheduleSessionExpiry(group, m);
        }
        // Members that never send SyncGroup (a leader without its assignment above all) must not hold the group.
        group.pendingSync.clear();
        group.pendingSync.addAll(group.members.keySet());
        final int generation = group.generationId;
        timer.schedule(syncKey(group), group.maxRebalanceTimeoutMs(), () -> onSyncDeadline(group, generation));
        LOG.info("Group {} generation {} has {} member(s), protocol {}, leader {}", group.groupId, group.generationId,
                group.members.size(), group.protocolName, group.leaderId);
    }

    /** The rebalance timeout ran out after a join: members that sent no SyncGroup are removed, and the rest rebalance. */
    private void onSyncDeadline(final ClassicGroup group, final int generation) {
        if (groups.get(group.groupId) != group || group.generationId != generation || group.pendingSync.isEmpty()
                || (group.state != GroupState.COMPLETING_REBALANCE && group.state != GroupState.STABLE)) {
            return;
        }
        final List<String> missing = new ArrayList<>(group.pendingSync);
        for (final String memberId : missing) {
            final GroupMember m = group.members.get(memberId);
            if (m != null) {
                removeMember(group, m);
            }
        }
        LOG.info("Removing members {} of group {}: no SyncGroup within the rebalance timeout", missing, group.groupId);
        prepareRebalance(group, "members " + missing + " sent no SyncGroup in time");
    }

    private void onMemberSynced(final ClassicGroup group, final String memberId) {
        if (group.pendingSync.remove(memberId) && group.pendingSync.isEmpty()) {
            timer.cancel(syncKey(group));
        }
    }

    /** Keeps the leader if it rejoined, else makes the first member that rejoined the leader; false if none did. */
    private static boolean electJoinedLeader(final ClassicGroup group) {
        final GroupMember leader = group.members.get(group.leaderId);
        if (leader != null && leader.isAwaitingJoin()) {
            return true;
        }
        for (final GroupMember m : group.members.values()) {
            if (m.isAwaitingJoin()) {
                group.leaderId = m.memberId;
                return true;
            }
        }
        return false;
    }

    private JoinGroupResponseData joinResponse(final ClassicGroup group, final GroupMember member, final short version) {
        final JoinGroupResponseData r = new JoinGroupResponseData().setErrorCode(Errors.NONE.code())
                .setGenerationId(group.generationId).setProtocolName(group.protocolName).setLeader(group.leaderId)
                .setMemberId(member.memberId);
        if (version >= 7) {
            r.setProtocolType(group.protocolType);
        }
        if (member.memberId.equals(group.leaderId)) {
            for (final GroupMember m : group.members.values()) {
                final JoinGroupResponseData.JoinGroupResponseMember rm = new JoinGroupResponseData.JoinGroupResponseMember()
                        .setMemberId(m.memberId).setMetadata(m.metadata(group.protocolName));
                if (version >= 5) {
                    rm.setGroupInstanceId(m.groupInstanceId);
                }
                r.members().add(rm);
            }
        }
        return r;
    }

    /**
     * The answer to a static member that rejoined a stable group under a new member id and keeps its assignment.
     * A leader must not compute a new assignment that a stable group would never hand out: from v9 it is told
     * so (KIP-814: SkipAssignment, with the member list so it can still watch the members' subscriptions);
     * older versions name the previous leader id, so the rejoined leader takes itself for a follower.
     */
    private JoinGroupResponseData staticRejoinResponse(final ClassicGroup group, final GroupMember member,
                                                       final short version, final String previousLeader) {
        if (version >= 9) {
            return joinResponse(group, member, version).setSkipAssignment(member.memberId.equals(group.leaderId));
        }
        final JoinGroupResponseData r = joinResponse(group, member, version).setLeader(previousLeader);
        r.members().clear();
        return r;
    }

    private static JoinGroupResponseData joinError(final Errors error, final String memberId) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1).setProtocolName("")
                .setLeader("").setMemberId(memberId == null ? UNKNOWN_MEMBER : memberId);
    }

    // ---------------------------------------------------------------------------------------- SyncGroup

    CompletableFuture<SyncGroupResponseData> syncGroup(final SyncGroupRequestData request, final short version) {
        return submit(f -> onSyncGroup(request, version, f));
    }

    private void onSyncGroup(final SyncGroupRequestData request, final short version,
                             final CompletableFuture<SyncGroupResponseData> future) {
        if (isEmpty(request.groupId())) {
            future.complete(syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        final ClassicGroup group = groups.get(request.groupId());
        if (group == null || group.state == GroupState.EMPTY || group.state == GroupState.DEAD) {
            future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        final Errors memberError = checkMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            future.complete(syncError(memberError));
            return;
        }
        if (request.generationId() != group.generationId) {
            future.complete(syncError(Errors.ILLEGAL_GENERATION));
            return;
        }
        if ((request.protocolType() != null && !request.protocolType().equals(group.protocolType))
                || (request.protocolName() != null && !request.protocolName().equals(group.protocolName))) {
            future.complete(syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        final GroupMember member = group.members.get(request.memberId());
        scheduleSessionExpiry(group, member);
        switch (group.state) {
            case PREPARING_REBALANCE:
                future.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                break;
            case COMPLETING_REBALANCE:
                member.awaitingSync = future;
                onMemberSynced(group, member.memberId);
                if (member.memberId.equals(group.leaderId)) {
                    onLeaderAssignment(group, request, version);
                }
                break;
            default: // STABLE
                onMemberSynced(group, member.memberId);
                future.complete(syncResponse(group, member, version));
        }
    }

    private void onLeaderAssignment(final ClassicGroup group, final SyncGroupRequestData request, final short version) {
        final Map<String, byte[]> assignments = new HashMap<>();
        for (final SyncGroupRequestData.SyncGroupRequestAssignment a : request.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        for (final GroupMember m : group.members.values()) {
            m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
        }
        persistGroup(group);
        group.state = GroupState.STABLE;
        group.stateTimestampMs = clock.wallMillis();
        for (final GroupMember m : group.members.values()) {
            if (m.awaitingSync != null) {
                m.awaitingSync.complete(syncResponse(group, m, version));
                m.awaitingSync = null;
                // Its session was on hold while it waited; it starts again now.
                scheduleSessionExpiry(group, m);
            }
        }
    }

    private static SyncGroupResponseData syncResponse(final ClassicGroup group, final GroupMember member, final short version) {
        final SyncGroupResponseData r = new SyncGroupResponseData().setErrorCode(Errors.NONE.code())
                .setAssignment(member.assignment);
        if (version >= 5) {
            r.setProtocolType(group.protocolType).setProtocolName(group.protocolName);
        }
        return r;
    }

    private static SyncGroupResponseData syncError(final Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    // ---------------------------------------------------------------------------------------- Heartbeat

    CompletableFuture<HeartbeatResponseData> heartbeat(final HeartbeatRequestData request) {
        return submit(f -> f.complete(new HeartbeatResponseData().setErrorCode(onHeartbeat(request).code())));
    }

    private Errors onHeartbeat(final HeartbeatRequestData request) {
        if (isEmpty(request.groupId())) {
            return Errors.INVALID_GROUP_ID;
        }
        final ClassicGroup group = groups.get(request.groupId());
        if (group == null || group.state == GroupState.EMPTY || group.state == GroupState.DEAD) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        final Errors memberError = checkMember(group, request.memberId(), request.groupInstanceId());
        if (memberError != Errors.NONE) {
            return memberError;
        }
        if (request.generationId() != group.generationId) {
            return Errors.ILLEGAL_GENERATION;
        }
        scheduleSessionExpiry(group, group.members.get(request.memberId()));
        return group.state == GroupState.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    void scheduleSessionExpiry(final ClassicGroup group, final GroupMember member) {
        final String memberId = member.memberId;
        timer.schedule(sessionKey(group, memberId), member.sessionTimeoutMs, () -> {
            final GroupMember m = group.members.get(memberId);
            // As in Kafka, a member parked in JoinGroup or SyncGroup satisfies its heartbeats: the rebalance
            // and sync deadlines bound those waits instead.
            if (m != null && !m.isAwaitingJoin() && m.awaitingSync == null && groups.get(group.groupId) == group) {
                LOG.info("Member {} of group {} sent no heartbeat for {} ms; removing it", memberId, group.groupId,
                        m.sessionTimeoutMs);
                removeMemberAndRebalance(group, m, "session timeout of " + memberId);
            }
        });
    }

    // ---------------------------------------------------------------------------------------- LeaveGroup

    CompletableFuture<LeaveGroupResponseData> leaveGroup(final LeaveGroupRequestData request, final short version) {
        return submit(f -> f.complete(onLeaveGroup(request, version)));
    }

    private LeaveGroupResponseData onLeaveGroup(final LeaveGroupRequestData request, final short version) {
        final List<LeaveGroupRequestData.MemberIdentity> leaving = version >= 3 ? request.members()
                : List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(request.memberId()));
        final LeaveGroupResponseData response = new LeaveGroupResponseData();
        if (isEmpty(request.groupId())) {
            return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        final ClassicGroup group = groups.get(request.groupId());
        if (group == null || group.state == GroupState.DEAD) {
            return response.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
        }
        Errors first = Errors.NONE;
        for (final LeaveGroupRequestData.MemberIdentity who : leaving) {
            String memberId = who.memberId();
            Errors error = Errors.NONE;
            if (who.groupInstanceId() != null) {
                final String holder = group.staticMembers.get(who.groupInstanceId());
                if (holder == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else if (!UNKNOWN_MEMBER.equals(memberId) && !holder.equals(memberId)) {
                    error = Errors.FENCED_INSTANCE_ID;
                } else {
                    memberId = holder;
                }
            }
            if (error == Errors.NONE && group.pendingMembers.remove(memberId)) {
                timer.cancel(pendingKey(group, memberId));
                maybeCompleteJoin(group);
            } else if (error == Errors.NONE) {
                final GroupMember m = group.members.get(memberId);
                if (m == null) {
                    error = Errors.UNKNOWN_MEMBER_ID;
                } else {
                    removeMemberAndRebalance(group, m, "member " + memberId + " left");
                }
            }
            if (first == Errors.NONE) {
                first = error;
            }
            if (version >= 3) {
                response.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(who.memberId())
                        .setGroupInstanceId(who.groupInstanceId()).setErrorCode(error.code()));
            }
        }
        return version >= 3 ? response : response.setErrorCode(first.code());
    }

    private void removeMember(final ClassicGroup group, final GroupMember m) {
        if (m.awaitingJoin != null) {
            m.awaitingJoin.complete(joinError(Errors.UNKNOWN_MEMBER_ID, m.memberId));
            m.awaitingJoin = null;
        }
        if (m.awaitingSync != null) {
            m.awaitingSync.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            m.awaitingSync = null;
        }
        timer.cancel(sessionKey(group, m.memberId));
        group.members.remove(m.memberId);
        group.pendingSync.remove(m.memberId);
        if (m.groupInstanceId != null) {
            group.staticMembers.remove(m.groupInstanceId, m.memberId);
        }
    }

    private void removeMemberAndRebalance(final ClassicGroup group, final GroupMember m, final String reason) {
        removeMember(group, m);
        switch (group.state) {
            case STABLE:
            case COMPLETING_REBALANCE:
                prepareRebalance(group, reason);
                break;
            case PREPARING_REBALANCE:
                maybeCompleteJoin(group);
                break;
            default:
                break;
        }
    }

    /** Writes the group's metadata record: after a rebalance completes, or when it becomes empty. */
    void persistGroup(final ClassicGroup group) {
        final GroupRecords.Record record = groupRecord(group, clock.wallMillis());
        log.append(partitionFor(group.groupId), List.of(record));
        group.persisted = record;
    }

    private static GroupRecords.Record groupRecord(final ClassicGroup group, final long stateTimestampMs) {
        final List<GroupRecords.StoredMember> members = new ArrayList<>();
        for (final GroupMember m : group.members.values()) {
            members.add(new GroupRecords.StoredMember(m.memberId, m.groupInstanceId, m.clientId, m.clientHost,
                    m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.metadata(group.protocolName), m.assignment));
        }
        return GroupRecords.groupMetadata(group.groupId,
                new GroupRecords.GroupValue(group.protocolType == null ? "" : group.protocolType, group.generationId,
                        group.protocolName, group.leaderId, stateTimestampMs, members));
    }


    private static String joinKey(final ClassicGroup g) {
        return "join/" + g.groupId;
    }

    private static String syncKey(final ClassicGroup g) {
        return "sync/" + g.groupId;
    }

    private static String sessionKey(final ClassicGroup g, final String memberId) {
        return "session/" + g.groupId + "/" + memberId;
    }

    private static String pendingKey(final ClassicGroup g, final String memberId) {
        return "pending/" + g.groupId + "/" + memberId;
    }
}
