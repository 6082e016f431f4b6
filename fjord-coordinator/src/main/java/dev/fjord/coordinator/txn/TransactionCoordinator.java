package dev.fjord.coordinator.txn;

import dev.fjord.common.Clock;
import dev.fjord.coordinator.group.CoordinatorLog;
import dev.fjord.coordinator.group.CoordinatorTimer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's transaction coordinator, classic protocol (before KIP-890): InitProducerId for transactional
 * ids, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn with its two phases, the transaction timeout, and
 * the read APIs DescribeTransactions and ListTransactions. A state machine ({@link TransactionState})
 * over {@code __transaction_state}, modelled like the group coordinator.
 *
 * <p>Threading: every public method runs its work on the coordinator's executor (one thread in the
 * broker, the caller's in tests); state has one owner and no locks. The timeout sweep runs there too.
 *
 * <p>Durability: each change is appended to {@code __transaction_state} before it is installed or
 * answered. Ending a transaction writes PrepareCommit/PrepareAbort, then a marker into every partition
 * of the transaction, then CompleteCommit/CompleteAbort. On one node marker appends are local, so the
 * three steps run in one go; a crash between them leaves a Prepare state that {@link #load()} finishes.
 * Markers are idempotent for the partitions (a second marker for a closed transaction changes nothing).
 */
public final class TransactionCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    static final String TIMEOUT_SWEEP = "txn-timeout-sweep";
    static final String EXPIRATION_SWEEP = "txn-expiration-sweep";
    /** Single node, no leader elections: the coordinator epoch in markers never changes. */
    static final int COORDINATOR_EPOCH = 0;

    /** The outcome of InitProducerId. */
    public record InitResult(Errors error, long producerId, short producerEpoch) {
        static InitResult failed(final Errors error) {
            return new InitResult(error, -1, (short) -1);
        }
    }

    private final TxnCoordinatorConfig config;
    private final CoordinatorLog log;
    private final TxnMarkerWriter markers;
    private final ProducerIdSource producerIds;
    private final CoordinatorTimer timer;
    private final Clock clock;
    private final Executor executor;
    private final Predicate<TopicPartition> partitionExists;
    private final Map<String, TxnMetadata> txns = new LinkedHashMap<>();
    /** The same metadata by producer id, readable from any thread: the produce path verifies against it. */
    private final Map<Long, TxnMetadata> byProducer = new java.util.concurrent.ConcurrentHashMap<>();

    public TransactionCoordinator(final TxnCoordinatorConfig config, final CoordinatorLog log, final TxnMarkerWriter markers,
                                  final ProducerIdSource producerIds, final CoordinatorTimer timer, final Clock clock,
                                  final Executor executor, final Predicate<TopicPartition> partitionExists) {
        this.config = config;
        this.log = log;
        this.markers = markers;
        this.producerIds = producerIds;
        this.timer = timer;
        this.clock = clock;
        this.executor = executor;
        this.partitionExists = partitionExists;
    }

    /** The {@code __transaction_state} partition of a transactional id (Kafka's hash). */
    public int partitionFor(final String transactionalId) {
        final int h = transactionalId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % config.stateTopicPartitions();
    }

    private <T> CompletableFuture<T> submit(final Consumer<CompletableFuture<T>> work) {
        final CompletableFuture<T> future = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                work.accept(future);
            } catch (ApiException e) {
                future.completeExceptionally(e);
            } catch (RuntimeException e) {
                LOG.error("Transaction coordinator operation failed", e);
                future.completeExceptionally(e);
            }
        });
        return future;
    }

    /**
     * Rebuilds every transactional id from {@code __transaction_state}, finishes transactions a crash
     * left between their two phases, and starts the timeout sweep. Call once, before serving.
     */
    public void load() {
        final CompletableFuture<Void> done = submit(f -> {
            for (int p = 0; p < config.stateTopicPartitions(); p++) {
                log.replay(p, (key, value) -> TxnRecords.replay(key, value, (id, m) -> {
                    install(id, m);
                }));
            }
            for (final Map.Entry<String, TxnMetadata> e : List.copyOf(txns.entrySet())) {
                if (e.getValue().state().isPrepare()) {
                    LOG.info("Completing transaction of {} left in {} at the last shutdown", e.getKey(),
                            e.getValue().state().displayName());
                    finish(e.getKey(), e.getValue());
                }
            }
            repeat(TIMEOUT_SWEEP, config.abortTimedOutIntervalMs(), this::sweep);
            repeat(EXPIRATION_SWEEP, config.removeExpiredIntervalMs(), this::removeExpired);
            f.complete(null);
        });
        done.join();
    }

    // ----------------------------------------------------------------------------------- InitProducerId

    public CompletableFuture<InitResult> initProducerId(final String transactionalId, final int timeoutMs,
                                                        final long producerId, final short producerEpoch) {
        return submit(f -> f.complete(onInitProducerId(transactionalId, timeoutMs, producerId, producerEpoch)));
    }

    private InitResult onInitProducerId(final String id, final int timeoutMs, final long producerId, final short epoch) {
        if (id == null || id.isEmpty()) {
            return InitResult.failed(Errors.INVALID_REQUEST);
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return InitResult.failed(Errors.INVALID_TRANSACTION_TIMEOUT);
        }
        final long now = clock.wallMillis();
        TxnMetadata m = txns.get(id);
        if (m == null || m.state() == TransactionState.DEAD) {
            final TxnMetadata fresh = new TxnMetadata(producerIds.nextProducerId(), (short) 0, timeoutMs,
                    TransactionState.EMPTY, Set.of(), -1, now);
            write(id, fresh);
            return new InitResult(Errors.NONE, fresh.producerId(), fresh.producerEpoch());
        }
        if (producerId >= 0 && (producerId != m.producerId() || epoch != m.producerEpoch())) {
            // KIP-360: a producer re-initialising names its id and epoch; a stale one is a zombie.
            return InitResult.failed(Errors.PRODUCER_FENCED);
        }
        if (m.state().isPrepare()) {
            return InitResult.failed(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (m.state() == TransactionState.ONGOING) {
            // A new instance: abort what the previous one left open, with a bumped epoch that fences it.
            m = abortFenced(id, m);
        } else {
            m = bumpEpoch(m, now);
        }
        final TxnMetadata ready = new TxnMetadata(m.producerId(), m.producerEpoch(), timeoutMs, m.state(), Set.of(), -1, now);
        write(id, ready);
        return new InitResult(Errors.NONE, ready.producerId(), ready.producerEpoch());
    }

    /** The next epoch, or a new producer id at epoch 0 once the epoch would overflow. */
    private TxnMetadata bumpEpoch(final TxnMetadata m, final long now) {
        if (m.producerEpoch() >= Short.MAX_VALUE - 1) {
            return new TxnMetadata(producerIds.nextProducerId(), (short) 0, m.timeoutMs(), TransactionState.EMPTY,
                    Set.of(), -1, now);
        }
        return m.with((short) (m.producerEpoch() + 1), TransactionState.EMPTY, Set.of(), -1, now);
    }

    /** Aborts an open transaction with the epoch bumped, so its producer can write no more. */
    private TxnMetadata abortFenced(final String id, final TxnMetadata m) {
        final short fenceEpoch = m.producerEpoch() >= Short.MAX_VALUE - 1 ? m.producerEpoch() : (short) (m.producerEpoch() + 1);
        final TxnMetadata prepared = m.with(fenceEpoch, TransactionState.PREPARE_ABORT, m.partitions(), m.startMs(),
                clock.wallMillis());
        write(id, prepared);
        final TxnMetadata done = finish(id, prepared);
        return fenceEpoch == m.producerEpoch() ? bumpEpoch(done, clock.wallMillis()) : done;
    }

    // ------------------------------------------------------------------------ AddPartitions / AddOffsets

    /**
     * Adds partitions to the producer's transaction, opening it if none is open.
     *
     * @return an error per partition (all NONE on success)
     */
    public CompletableFuture<Map<TopicPartition, Errors>> addPartitions(final String transactionalId, final long producerId,
                                                                        final short producerEpoch,
                                                                        final Collection<TopicPartition> partitions) {
        return submit(f -> f.complete(onAddPartitions(transactionalId, producerId, producerEpoch, partitions)));
    }

    private Map<TopicPartition, Errors> onAddPartitions(final String id, final long producerId, final short epoch,
                                                        final Collection<TopicPartition> partitions) {
        final Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        final Set<TopicPartition> unknown = new HashSet<>();
        for (final TopicPartition tp : partitions) {
            if (!partitionExists.test(tp)) {
                unknown.add(tp);
            }
        }
        Errors error = checkProducer(id, producerId, epoch);
        if (error == Errors.NONE && !unknown.isEmpty()) {
            for (final TopicPartition tp : partitions) {
                result.put(tp, unknown.contains(tp) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.OPERATION_NOT_ATTEMPTED);
            }
            return result;
        }
        if (error == Errors.NONE) {
            final TxnMetadata m = txns.get(id);
            if (m.state().isPrepare()) {
                error = Errors.CONCURRENT_TRANSACTIONS;
            } else if (m.state() != TransactionState.ONGOING || !m.partitions().containsAll(partitions)) {
                final Set<TopicPartition> all = new LinkedHashSet<>(m.partitions());
                all.addAll(partitions);
                final long now = clock.wallMillis();
                final long start = m.state() == TransactionState.ONGOING ? m.startMs() : now;
                write(id, m.with(m.producerEpoch(), TransactionState.ONGOING, all, start, now));
            }
        }
        for (final TopicPartition tp : partitions) {
            result.put(tp, error);
        }
        return result;
    }

    /** AddOffsetsToTxn: the group's {@code __consumer_offsets} partition joins the transaction. */
    public CompletableFuture<Errors> addOffsets(final String transactionalId, final long producerId, final short producerEpoch,
                                                final TopicPartition offsetsPartition) {
        return addPartitions(transactionalId, producerId, producerEpoch, List.of(offsetsPartition))
                .thenApply(r -> r.get(offsetsPartition));
    }

    private Errors checkProducer(final String id, final long producerId, final short epoch) {
        if (id == null || id.isEmpty()) {
            return Errors.INVALID_REQUEST;
        }
        final TxnMetadata m = txns.get(id);
        if (m == null || m.state() == TransactionState.DEAD || m.producerId() != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (m.producerEpoch() != epoch) {
            return Errors.PRODUCER_FENCED;
        }
        return Errors.NONE;
    }

    // --------------------------------------------------------------------------------------------- EndTxn

    public CompletableFuture<Errors> endTxn(final String transactionalId, final long producerId, final short producerEpoch,
                                            final boolean commit) {
        return submit(f -> f.complete(onEndTxn(transactionalId, producerId, producerEpoch, commit)));
    }

    private Errors onEndTxn(final String id, final long producerId, final short epoch, final boolean commit) {
        final Errors error = checkProducer(id, producerId, epoch);
        if (error != Errors.NONE) {
            return error;
        }
        final TxnMetadata m = txns.get(id);
        switch (m.state()) {
            case ONGOING -> {
                final TransactionState prepare = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
                final TxnMetadata prepared = m.with(m.producerEpoch(), prepare, m.partitions(), m.startMs(), clock.wallMillis());
                write(id, prepared);
                finish(id, prepared);
                return Errors.NONE;
            }
            case COMPLETE_COMMIT -> {
                return commit ? Errors.NONE : Errors.INVALID_TXN_STATE;
            }
            case COMPLETE_ABORT -> {
                return commit ? Errors.INVALID_TXN_STATE : Errors.NONE;
            }
            case PREPARE_COMMIT -> {
                return commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE;
            }
            case PREPARE_ABORT -> {
                return commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS;
            }
            default -> {
                return Errors.INVALID_TXN_STATE;
            }
        }
    }

    /**
     * Second phase: a marker in every partition, then the Complete state. A partition whose marker cannot
     * be written is logged and retried by the next sweep (the transaction stays in its Prepare state).
     */
    private TxnMetadata finish(final String id, final TxnMetadata prepared) {
        final boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        for (final TopicPartition tp : prepared.partitions()) {
            try {
                markers.writeMarker(tp, prepared.producerId(), prepared.producerEpoch(), COORDINATOR_EPOCH, commit);
            } catch (UnknownTopicOrPartitionException e) {
                LOG.info("No {} marker for {} of {}: the partition no longer exists", commit ? "COMMIT" : "ABORT", tp, id);
            } catch (RuntimeException e) {
                LOG.warn("Could not write the {} marker for {} of {}; will retry", commit ? "COMMIT" : "ABORT", tp, id, e);
                return prepared;
            }
        }
        final TxnMetadata complete = prepared.with(prepared.producerEpoch(),
                commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT, Set.of(), prepared.startMs(),
                clock.wallMillis());
        write(id, complete);
        return complete;
    }

    private void write(final String id, final TxnMetadata m) {
        log.append(partitionFor(id), List.of(TxnRecords.record(id, m)));
        install(id, m);
    }

    private void install(final String id, final TxnMetadata m) {
        final TxnMetadata previous = m == null ? txns.remove(id) : txns.put(id, m);
        if (previous != null && (m == null || previous.producerId() != m.producerId())) {
            byProducer.remove(previous.producerId(), previous);
        }
        if (m != null) {
            byProducer.put(m.producerId(), m);
        }
    }

    /**
     * KIP-890 part 1, on one node: may a transactional batch of this producer go into {@code tp} now? Only
     * if its transaction is open with the partition added (the client adds it and waits for the answer
     * before producing, so the answer is already here). Safe to call from any thread.
     *
     * @return NONE; INVALID_PRODUCER_EPOCH for an older epoch of the producer; INVALID_TXN_STATE when no
     *     open transaction of the producer holds the partition (an uninitialised or finished one)
     */
    public Errors verifyTransactionalProduce(final long producerId, final short producerEpoch, final TopicPartition tp) {
        final TxnMetadata m = byProducer.get(producerId);
        if (m != null && producerEpoch < m.producerEpoch()) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        if (m == null || producerEpoch != m.producerEpoch() || m.state() != TransactionState.ONGOING
                || !m.partitions().contains(tp)) {
            return Errors.INVALID_TXN_STATE;
        }
        return Errors.NONE;
    }

    // ---------------------------------------------------------------------------------- Timeout sweep

    /** Runs {@code pass} every {@code intervalMs} on the coordinator's timer, again even after a failed pass. */
    private void repeat(final String key, final int intervalMs, final Runnable pass) {
        timer.schedule(key, intervalMs, () -> {
            try {
                pass.run();
            } finally {
                repeat(key, intervalMs, pass);
            }
        });
    }

    /** Aborts (fencing their producers) transactions open longer than their timeout; retries unfinished ones. */
    void sweep() {
        final long now = clock.wallMillis();
        for (final Map.Entry<String, TxnMetadata> e : List.copyOf(txns.entrySet())) {
            final TxnMetadata m = e.getValue();
            try {
                if (m.state() == TransactionState.ONGOING && m.startMs() + m.timeoutMs() <= now) {
                    LOG.info("Aborting the transaction of {} (producer {}, epoch {}): open longer than its timeout of {} ms",
                            e.getKey(), m.producerId(), m.producerEpoch(), m.timeoutMs());
                    abortFenced(e.getKey(), m);
                } else if (m.state().isPrepare()) {
                    finish(e.getKey(), m);
                }
            } catch (RuntimeException ex) {
                LOG.warn("Could not abort the timed-out transaction of {}", e.getKey(), ex);
            }
        }
    }

    /**
     * Forgets transactional ids with no transaction in progress (EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT)
     * and no update for {@code transactional.id.expiration.ms}: a tombstone goes to {@code __transaction_state},
     * then the id leaves memory. A producer that comes back with the id gets a new producer id, as in Kafka.
     *
     * @return how many were forgotten
     */
    int removeExpired() {
        final long now = clock.wallMillis();
        int removed = 0;
        for (final Map.Entry<String, TxnMetadata> e : List.copyOf(txns.entrySet())) {
            final TxnMetadata m = e.getValue();
            final boolean idle = m.state() == TransactionState.EMPTY || m.state() == TransactionState.COMPLETE_COMMIT
                    || m.state() == TransactionState.COMPLETE_ABORT;
            if (idle && m.lastUpdateMs() <= now - config.transactionalIdExpirationMs()) {
                try {
                    write(e.getKey(), null);
                    removed++;
                } catch (RuntimeException ex) {
                    LOG.warn("Could not expire transactional id {}; will retry", e.getKey(), ex);
                }
            }
        }
        if (removed > 0) {
            LOG.info("Expired {} transactional id(s) idle for {} ms or more", removed, config.transactionalIdExpirationMs());
        }
        return removed;
    }

    // ------------------------------------------------------------------------- Describe / List

    public CompletableFuture<DescribeTransactionsResponseData> describe(final List<String> transactionalIds) {
        return submit(f -> {
            final DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
            for (final String id : transactionalIds) {
                response.transactionStates().add(describeOne(id));
            }
            f.complete(response);
        });
    }

    private DescribeTransactionsResponseData.TransactionState describeOne(final String id) {
        final DescribeTransactionsResponseData.TransactionState out =
                new DescribeTransactionsResponseData.TransactionState().setTransactionalId(id).setTransactionState("")
                        .setProducerId(-1).setProducerEpoch((short) -1).setTransactionStartTimeMs(-1);
        final TxnMetadata m = txns.get(id);
        if (m == null || m.state() == TransactionState.DEAD) {
            return out.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        }
        out.setTransactionState(m.state().displayName()).setTransactionTimeoutMs(m.timeoutMs())
                .setTransactionStartTimeMs(m.startMs()).setProducerId(m.producerId()).setProducerEpoch(m.producerEpoch());
        final Map<String, DescribeTransactionsResponseData.TopicData> topics = new LinkedHashMap<>();
        for (final TopicPartition tp : m.partitions()) {
            topics.computeIfAbsent(tp.topic(), t -> new DescribeTransactionsResponseData.TopicData().setTopic(t))
                    .partitions().add(tp.partition());
        }
        topics.values().forEach(out.topics()::add);
        return out;
    }

    public CompletableFuture<ListTransactionsResponseData> list(final ListTransactionsRequestData request, final short version) {
        return submit(f -> f.complete(onList(request, version)));
    }

    private ListTransactionsResponseData onList(final ListTransactionsRequestData request, final short version) {
        final ListTransactionsResponseData response = new ListTransactionsResponseData();
        final Set<TransactionState> states = new HashSet<>();
        for (final String s : request.stateFilters()) {
            final TransactionState state = TransactionState.fromName(s);
            if (state == null) {
                response.unknownStateFilters().add(s);
            } else {
                states.add(state);
            }
        }
        final Set<Long> producers = new HashSet<>(request.producerIdFilters());
        Pattern pattern = null;
        if (version >= 2 && request.transactionalIdPattern() != null && !request.transactionalIdPattern().isEmpty()) {
            try {
                pattern = Pattern.compile(request.transactionalIdPattern());
            } catch (PatternSyntaxException e) {
                return response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code());
            }
        }
        final long now = clock.wallMillis();
        final List<ListTransactionsResponseData.TransactionState> out = new ArrayList<>();
        for (final Map.Entry<String, TxnMetadata> e : txns.entrySet()) {
            final TxnMetadata m = e.getValue();
            final boolean durationOk = version < 1 || request.durationFilter() < 0
                    || (m.state() == TransactionState.ONGOING && now - m.startMs() >= request.durationFilter());
            if (m.state() == TransactionState.DEAD || (!states.isEmpty() && !states.contains(m.state()))
                    || (!producers.isEmpty() && !producers.contains(m.producerId())) || !durationOk
                    || (pattern != null && !pattern.matcher(e.getKey()).matches())) {
                continue;
            }
            out.add(new ListTransactionsResponseData.TransactionState().setTransactionalId(e.getKey())
                    .setProducerId(m.producerId()).setTransactionState(m.state().displayName()));
        }
        out.forEach(response.transactionStates()::add);
        return response;
    }
}
