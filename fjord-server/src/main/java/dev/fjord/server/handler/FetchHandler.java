package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.handler.FetchSessionCache.CachedPartition;
import dev.fjord.server.handler.FetchSessionCache.PartitionKey;
import dev.fjord.server.handler.FetchSessionCache.Session;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.partition.FetchPurgatory;
import dev.fjord.storage.log.PartitionLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * Fetch: reads each partition from its fetch offset, up to the partition's and the response's byte
 * limits, straight from the segment files (the answer carries file slices that go to the socket
 * with sendfile). When less than {@code min.bytes} is there, the request waits in the
 * {@link FetchPurgatory} until an append brings enough or {@code max.wait.ms} passes; no thread waits.
 *
 * <p>read_committed ({@code isolation_level} 1) reads stop at the last stable offset, and the answer lists
 * the aborted transactions overlapping the returned range so that the consumer can drop their records.
 *
 * <p>Sessions (v7+): a full request with epoch 0 opens a session; incremental requests then name only
 * changed partitions, and the answer carries only partitions with records, an error, or a moved high
 * watermark or log start. Epoch -1 closes a session.
 */
public final class FetchHandler implements ApiHandler<FetchRequestData> {
    private static final int FINAL_EPOCH = -1;
    private static final int INITIAL_EPOCH = 0;
    private static final byte READ_COMMITTED = 1;

    private final BrokerState broker;
    private final FetchSessionCache sessions;

    public FetchHandler(final BrokerState broker) {
        this(broker, FetchSessionCache.DEFAULT_MAX_SESSIONS);
    }

    FetchHandler(final BrokerState broker, final int maxSessions) {
        this.broker = broker;
        this.sessions = new FetchSessionCache(maxSessions);
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 18;
    }

    /** Reads are slices of segment files bounded by the high watermark, and waiting holds no thread: always cheap. */
    @Override
    public boolean cheap(final RequestContext context, final FetchRequestData request) {
        return true;
    }

    /** The partitions to read for one request, in order, and the session (if any) the answer updates. */
    private record Plan(Map<PartitionKey, CachedPartition> partitions, Session session, boolean incremental) {
    }

    @Override
    public CompletableFuture<FetchResponseData> handle(final RequestContext context, final FetchRequestData request) {
        final short version = context.apiVersion();
        final int epoch = version >= 7 ? request.sessionEpoch() : FINAL_EPOCH;
        final int sessionId = version >= 7 ? request.sessionId() : 0;
        final Map<PartitionKey, CachedPartition> requested = requestedPartitions(request, version >= 13);
        final Plan plan;
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            if (sessionId != 0) {
                sessions.remove(sessionId);
            }
            Session session = null;
            if (epoch == INITIAL_EPOCH && version >= 7) {
                session = sessions.create();
                session.partitions.putAll(requested);
            }
            plan = new Plan(session == null ? requested : session.partitions, session, false);
        } else {
            final Session session = sessions.get(sessionId);
            if (session == null) {
                return CompletableFuture.completedFuture(topLevelError(Errors.FETCH_SESSION_ID_NOT_FOUND));
            }
            synchronized (session) {
                if (epoch != session.nextEpoch) {
                    return CompletableFuture.completedFuture(topLevelError(Errors.INVALID_FETCH_SESSION_EPOCH));
                }
                applyIncremental(session, requested, request, version >= 13);
            }
            plan = new Plan(session.partitions, session, true);
        }
        final FetchOperation op = new FetchOperation(plan, request, version);
        final List<TopicPartition> watched = op.topicPartitions();
        // As Kafka: nothing to wait for (no wait asked, or no partitions, as when a client closes its session).
        if (request.maxWaitMs() <= 0 || request.minBytes() <= 0 || watched.isEmpty()) {
            op.forceComplete();
        } else if (!op.tryComplete()) {
            broker.purgatory().watch(op, watched, request.maxWaitMs());
        }
        return op.future;
    }

    private static FetchResponseData topLevelError(final Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(0);
    }

    private Map<PartitionKey, CachedPartition> requestedPartitions(final FetchRequestData request, final boolean byId) {
        final Map<PartitionKey, CachedPartition> out = new LinkedHashMap<>();
        for (final FetchRequestData.FetchTopic topic : request.topics()) {
            final PartitionKey any = key(byId, topic.topicId(), topic.topic(), 0);
            for (final FetchRequestData.FetchPartition p : topic.partitions()) {
                out.put(new PartitionKey(any.topicId(), any.topic(), p.partition()),
                        new CachedPartition(p.fetchOffset(), p.partitionMaxBytes(), p.currentLeaderEpoch()));
            }
        }
        return out;
    }

    /** Resolves a topic by id (v13+) or by name, keeping the other half when it is known. */
    private PartitionKey key(final boolean byId, final Uuid id, final String name, final int partition) {
        if (byId) {
            final Optional<TopicInfo> t = broker.topics().get(id);
            return new PartitionKey(id, t.map(TopicInfo::name).orElse(null), partition);
        }
        final Optional<TopicInfo> t = broker.topics().get(name);
        return new PartitionKey(t.map(TopicInfo::id).orElse(Uuid.ZERO_UUID), name, partition);
    }

    private void applyIncremental(final Session session, final Map<PartitionKey, CachedPartition> requested,
                                  final FetchRequestData request, final boolean byId) {
        session.advanceEpoch();
        for (final Map.Entry<PartitionKey, CachedPartition> e : requested.entrySet()) {
            final CachedPartition cached = session.partitions.get(e.getKey());
            final CachedPartition update = e.getValue();
            if (cached == null) {
                session.partitions.put(e.getKey(), update);
            } else {
                cached.update(update.fetchOffset, update.maxBytes, update.currentLeaderEpoch);
            }
        }
        for (final FetchRequestData.ForgottenTopic forgotten : request.forgottenTopicsData()) {
            for (final int p : forgotten.partitions()) {
                session.partitions.remove(key(byId, forgotten.topicId(), forgotten.topic(), p));
            }
        }
    }

    /** One fetch from first try to answer; completed once, by the first of: enough data, timeout. */
    private final class FetchOperation implements FetchPurgatory.Operation {
        final CompletableFuture<FetchResponseData> future = new CompletableFuture<>();
        private final Plan plan;
        private final FetchRequestData request;
        private final short version;

        FetchOperation(final Plan plan, final FetchRequestData request, final short version) {
            this.plan = plan;
            this.request = request;
            this.version = version;
        }

        List<TopicPartition> topicPartitions() {
            final List<TopicPartition> out = new ArrayList<>();
            synchronized (lock()) {
                for (final PartitionKey k : plan.partitions().keySet()) {
                    if (k.topic() != null) {
                        out.add(new TopicPartition(k.topic(), k.partition()));
                    }
                }
            }
            return out;
        }

        private Object lock() {
            return plan.session() != null ? plan.session() : this;
        }

        @Override
        public boolean tryComplete() {
            synchronized (lock()) {
                final Map<PartitionKey, FetchResponseData.PartitionData> read = readAll();
                long bytes = 0;
                boolean error = false;
                for (final FetchResponseData.PartitionData d : read.values()) {
                    bytes += ((Records) d.records()).sizeInBytes();
                    error |= d.errorCode() != Errors.NONE.code();
                }
                if (bytes >= request.minBytes() || error) {
                    future.complete(answer(read));
                    return true;
                }
                return false;
            }
        }

        @Override
        public void forceComplete() {
            synchronized (lock()) {
                future.complete(answer(readAll()));
            }
        }

        private Map<PartitionKey, FetchResponseData.PartitionData> readAll() {
            final Map<PartitionKey, FetchResponseData.PartitionData> out = new LinkedHashMap<>();
            long remaining = version >= 3 ? request.maxBytes() : Integer.MAX_VALUE;
            boolean first = true;
            for (final Map.Entry<PartitionKey, CachedPartition> e : plan.partitions().entrySet()) {
                final FetchResponseData.PartitionData d = readPartition(e.getKey(), e.getValue(),
                        (int) Math.max(0, Math.min(e.getValue().maxBytes, remaining)), first);
                final int size = ((Records) d.records()).sizeInBytes();
                remaining -= size;
                first &= size == 0;
                out.put(e.getKey(), d);
            }
            return out;
        }

        private FetchResponseData.PartitionData readPartition(final PartitionKey key, final CachedPartition p,
                                                              final int maxBytes, final boolean minOneMessage) {
            final FetchResponseData.PartitionData d = new FetchResponseData.PartitionData()
                    .setPartitionIndex(key.partition()).setHighWatermark(-1).setLastStableOffset(-1)
                    .setLogStartOffset(-1).setPreferredReadReplica(-1).setRecords(MemoryRecords.EMPTY)
                    .setAbortedTransactions(request.isolationLevel() == READ_COMMITTED ? new ArrayList<>() : null);
            final PartitionLog log = key.topic() == null ? null
                    : broker.partitions().get(new TopicPartition(key.topic(), key.partition()));
            if (log == null) {
                final boolean unknownId = version >= 13 && key.topic() == null;
                return d.setErrorCode((unknownId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
            }
            final Errors epochError = LeaderEpochs.check(p.currentLeaderEpoch, broker.leaderEpoch());
            if (epochError != Errors.NONE) {
                return d.setErrorCode(epochError.code());
            }
            final boolean committedOnly = request.isolationLevel() == READ_COMMITTED;
            long lso = log.lastStableOffset();
            try {
                if (maxBytes > 0 || minOneMessage) {
                    final PartitionLog.ReadResult r = log.read(p.fetchOffset, maxBytes, minOneMessage, committedOnly);
                    d.setRecords(r.records());
                    lso = r.lastStableOffset();
                    if (committedOnly && r.records().sizeInBytes() > 0) {
                        d.setAbortedTransactions(abortedTransactions(log, p.fetchOffset, lso));
                    }
                }
            } catch (ApiException e) {
                d.setErrorCode(Errors.forException(e).code());
            }
            final long hw = log.highWatermark();
            return d.setHighWatermark(hw).setLastStableOffset(Math.min(lso, hw)).setLogStartOffset(log.logStartOffset());
        }

        private List<FetchResponseData.AbortedTransaction> abortedTransactions(final PartitionLog log, final long from,
                                                                               final long upper) {
            final List<FetchResponseData.AbortedTransaction> out = new ArrayList<>();
            for (final PartitionLog.AbortedTxn a : log.abortedTransactions(from, upper)) {
                out.add(new FetchResponseData.AbortedTransaction().setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
            }
            return out;
        }

        /** Builds the answer; in a session, keeps only what changed (incremental) and remembers what was sent. */
        private FetchResponseData answer(final Map<PartitionKey, FetchResponseData.PartitionData> read) {
            final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code())
                    .setSessionId(plan.session() == null ? 0 : plan.session().id);
            FetchResponseData.FetchableTopicResponse current = null;
            final List<PartitionKey> withRecords = new ArrayList<>();
            for (final Map.Entry<PartitionKey, FetchResponseData.PartitionData> e : read.entrySet()) {
                final PartitionKey key = e.getKey();
                final FetchResponseData.PartitionData d = e.getValue();
                final CachedPartition cached = plan.partitions().get(key);
                final boolean hasRecords = ((Records) d.records()).sizeInBytes() > 0;
                final boolean changed = hasRecords || d.errorCode() != Errors.NONE.code()
                        || cached == null || d.highWatermark() != cached.sentHighWatermark
                        || d.logStartOffset() != cached.sentLogStartOffset;
                if (cached != null) {
                    cached.sentHighWatermark = d.highWatermark();
                    cached.sentLogStartOffset = d.logStartOffset();
                }
                if (hasRecords) {
                    withRecords.add(key);
                }
                if (plan.incremental() && !changed) {
                    continue;
                }
                if (current == null || !sameTopic(current, key)) {
                    current = new FetchResponseData.FetchableTopicResponse().setTopic(key.topic() == null ? "" : key.topic())
                            .setTopicId(key.topicId());
                    response.responses().add(current);
                }
                current.partitions().add(d);
            }
            rotate(withRecords);
            return response;
        }

        private boolean sameTopic(final FetchResponseData.FetchableTopicResponse t, final PartitionKey key) {
            return version >= 13 ? t.topicId().equals(key.topicId()) : t.topic().equals(key.topic());
        }

        /** Moves partitions that returned data to the back of a session, so the others get the byte budget next time. */
        private void rotate(final List<PartitionKey> served) {
            if (plan.session() == null) {
                return;
            }
            for (final PartitionKey k : served) {
                final CachedPartition c = plan.partitions().remove(k);
                if (c != null) {
                    plan.partitions().put(k, c);
                }
            }
        }
    }
}
