package dev.fjord.server;

import dev.fjord.common.Clock;
import dev.fjord.network.KafkaServer;
import dev.fjord.network.NetworkConfig;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.server.config.BrokerConfig;
import dev.fjord.coordinator.group.ConsumerGroupConfig;
import dev.fjord.coordinator.group.GroupCoordinator;
import dev.fjord.coordinator.group.GroupCoordinatorConfig;
import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.coordinator.txn.TxnCoordinatorConfig;
import dev.fjord.server.group.ConsumerGroupDescribeHandler;
import dev.fjord.server.group.ConsumerGroupHeartbeatHandler;
import dev.fjord.server.group.DeleteGroupsHandler;
import dev.fjord.server.group.DescribeGroupsHandler;
import dev.fjord.server.group.FindCoordinatorHandler;
import dev.fjord.server.group.HeartbeatHandler;
import dev.fjord.server.group.JoinGroupHandler;
import dev.fjord.server.group.LeaveGroupHandler;
import dev.fjord.server.group.ListGroupsHandler;
import dev.fjord.server.group.OffsetCommitHandler;
import dev.fjord.server.group.OffsetDeleteHandler;
import dev.fjord.server.group.OffsetFetchHandler;
import dev.fjord.server.group.OffsetsTopicLog;
import dev.fjord.server.group.RegistryTopicImage;
import dev.fjord.server.group.ScheduledCoordinatorTimer;
import dev.fjord.server.group.SyncGroupHandler;
import dev.fjord.server.handler.AlterConfigsHandler;
import dev.fjord.server.handler.ApiHandlerRegistry;
import dev.fjord.server.handler.ApiVersionsHandler;
import dev.fjord.server.handler.BrokerState;
import dev.fjord.server.handler.CreatePartitionsHandler;
import dev.fjord.server.handler.CreateTopicsHandler;
import dev.fjord.server.handler.DeleteRecordsHandler;
import dev.fjord.server.handler.DeleteTopicsHandler;
import dev.fjord.server.handler.DescribeClusterHandler;
import dev.fjord.server.handler.DescribeConfigsHandler;
import dev.fjord.server.handler.DescribeLogDirsHandler;
import dev.fjord.server.handler.FetchHandler;
import dev.fjord.server.handler.IncrementalAlterConfigsHandler;
import dev.fjord.server.handler.InitProducerIdHandler;
import dev.fjord.server.handler.ListOffsetsHandler;
import dev.fjord.server.handler.MetadataHandler;
import dev.fjord.server.handler.OffsetForLeaderEpochHandler;
import dev.fjord.server.handler.ProduceHandler;
import dev.fjord.server.metadata.ClusterIdentity;
import dev.fjord.server.metadata.DynamicBrokerConfigs;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicRegistry;
import dev.fjord.server.partition.FetchPurgatory;
import dev.fjord.server.partition.PartitionManager;
import dev.fjord.server.partition.ProducerIdManager;
import dev.fjord.server.txn.AddOffsetsToTxnHandler;
import dev.fjord.server.txn.AddPartitionsToTxnHandler;
import dev.fjord.server.txn.DescribeProducersHandler;
import dev.fjord.server.txn.DescribeTransactionsHandler;
import dev.fjord.server.txn.EndTxnHandler;
import dev.fjord.server.txn.ListTransactionsHandler;
import dev.fjord.server.txn.PartitionTxnMarkerWriter;
import dev.fjord.server.txn.TxnOffsetCommitHandler;
import dev.fjord.server.txn.WriteTxnMarkersHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Fjord broker: the single home of start-up and shutdown order.
 *
 * <p>Start: lock and identify the log directories, load the topic catalogue, open (and recover) every
 * partition log, then bind the listener (prepared here, or earlier by {@code fjord server}'s start-up
 * preload) and answer on it. Stop: close the listener (no new requests), drain the
 * request threads, stop the timers, then close every log cleanly (flush, snapshot, clean-shutdown
 * marker) and release the directory locks.
 *
 * <p>Threads: Netty event loops ({@code num.network.threads}) parse and write; request threads
 * ({@code num.io.threads}) run the handlers; one scheduler thread runs timeouts, periodic flushes and
 * retention passes.
 */
public final class Broker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);
    /** How often logs are asked whether {@code flush.ms} has passed (Kafka's log.flush.scheduler.interval.ms). */
    private static final long FLUSH_CHECK_INTERVAL_MS = 1000;
    static final String TRANSACTION_STATE_TOPIC = "__transaction_state";
    /** Kafka's transaction.state.log.segment.bytes default. */
    private static final String TRANSACTION_STATE_SEGMENT_BYTES = "104857600";

    private final BrokerConfig config;
    private final List<FileLock> dirLocks = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private PartitionManager partitions;
    private ExecutorService requestPool;
    /** The group coordinator's single thread: it owns all group state. */
    private ExecutorService coordinatorThread;
    /** The transaction coordinator's single thread: it owns all transaction state. */
    private ExecutorService txnCoordinatorThread;
    private ScheduledExecutorService scheduler;
    /** The log cleaner's own thread: a compaction pass reads and rewrites segments, too slow for the scheduler. */
    private ScheduledExecutorService cleaner;
    private KafkaServer server;
    private InetSocketAddress bound;
    private boolean closed;

    private Broker(final BrokerConfig config) {
        this.config = config;
    }

    /** Starts a broker with the system clock. */
    public static Broker start(final BrokerConfig config) throws IOException {
        return start(config, Clock.SYSTEM);
    }

    /**
     * Starts a broker and returns once its listener accepts connections.
     *
     * @throws java.net.BindException if the listener's port is taken
     * @throws IOException if a log directory cannot be used
     */
    public static Broker start(final BrokerConfig config, final Clock clock) throws IOException {
        return start(config, clock, ListenerSource.NEW);
    }

    /** Where a starting broker's listener comes from: {@linkplain KafkaServer#prepare prepared}, not yet bound. */
    interface ListenerSource {
        /** The broker prepares its listener itself, last in its start. */
        ListenerSource NEW = config -> new KafkaServer(config);

        KafkaServer prepared(NetworkConfig config);
    }

    /** As {@link #start(BrokerConfig, Clock)}, with the listener from {@code listeners} (bound earlier, perhaps). */
    static Broker start(final BrokerConfig config, final Clock clock, final ListenerSource listeners) throws IOException {
        final Broker broker = new Broker(config);
        try {
            broker.doStart(clock, listeners);
            return broker;
        } catch (IOException | RuntimeException e) {
            broker.close();
            throw e;
        } catch (InterruptedException e) {
            broker.close();
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while starting", e);
        }
    }

    private void doStart(final Clock clock, final ListenerSource listeners) throws IOException, InterruptedException {
        final long startNanos = clock.nanos();
        final List<Path> logDirs = new ArrayList<>();
        for (final Path dir : config.logDirs()) {
            logDirs.add(prepareLogDir(dir.toAbsolutePath().normalize()));
        }
        final ClusterIdentity identity = ClusterIdentity.loadOrCreate(logDirs, config.clusterId(), config.nodeId());
        final TopicRegistry topics = TopicRegistry.open(logDirs.get(0));
        final TopicConfigs topicConfigs = TopicConfigs.fromBroker(config.originals());
        final DynamicBrokerConfigs dynamicConfigs = DynamicBrokerConfigs.open(logDirs.get(0));
        TopicConfigs.validateDynamic(dynamicConfigs.clusterDefaults(), dynamicConfigs.file() + " (default.*)");
        TopicConfigs.validateDynamic(dynamicConfigs.node(), dynamicConfigs.file() + " (node.*)");
        topicConfigs.reconfigure(dynamicConfigs.clusterDefaults(), dynamicConfigs.node());
        partitions = new PartitionManager(logDirs, topics, topicConfigs, clock);
        partitions.openAll();
        requestPool = new ThreadPoolExecutor(config.numIoThreads(), config.numIoThreads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), named("fjord-request"));
        scheduler = new ScheduledThreadPoolExecutor(1, named("fjord-scheduler"));
        final ScheduledThreadPoolExecutor timers = (ScheduledThreadPoolExecutor) scheduler;
        timers.setRemoveOnCancelPolicy(true);
        // At shutdown, pending timeouts (session expiries, long polls) are moot: do not wait for them.
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timers.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        final FetchPurgatory purgatory = new FetchPurgatory(scheduler, requestPool);
        partitions.addAppendListener(purgatory::onAppend);
        scheduler.scheduleWithFixedDelay(partitions::maybeFlushAll, FLUSH_CHECK_INTERVAL_MS, FLUSH_CHECK_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        // Retention shares the scheduler thread with timeouts; a pass only unlinks files, which is quick.
        scheduler.scheduleWithFixedDelay(partitions::applyRetention, config.logRetentionCheckIntervalMs(),
                config.logRetentionCheckIntervalMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> partitions.removeExpiredProducers(config.producerIdExpirationMs()),
                config.producerIdExpirationCheckIntervalMs(), config.producerIdExpirationCheckIntervalMs(), TimeUnit.MILLISECONDS);
        // The log cleaner is scheduled like retention, but on a thread of its own (Kafka's log.cleaner.threads=1):
        // a pass reads and may rewrite whole segments, which must not hold up the scheduler's timeouts.
        if (config.logCleanerEnable()) {
            cleaner = Executors.newSingleThreadScheduledExecutor(named("fjord-log-cleaner"));
            cleaner.scheduleWithFixedDelay(partitions::compactAll, config.logCleanerBackoffMs(),
                    config.logCleanerBackoffMs(), TimeUnit.MILLISECONDS);
        }

        final BrokerState.AdvertisedAddress advertised = new BrokerState.AdvertisedAddress();
        final BrokerState state = new BrokerState(identity.nodeId(), identity.clusterId(), advertised, topics, topicConfigs,
                dynamicConfigs, partitions, purgatory, new ProducerIdManager(logDirs.get(0)), clock, config.numPartitions(),
                (short) config.defaultReplicationFactor(), config.autoCreateTopicsEnable(), 0);
        final GroupCoordinator groups = startGroupCoordinator(state, clock);
        final TransactionCoordinator transactions = startTransactionCoordinator(state, groups, clock);
        final ApiHandlerRegistry registry = registry(state, groups, transactions, config);

        final BrokerConfig.Endpoint listener = config.listeners().get(0);
        server = listeners.prepared(networkConfig(config));
        bound = server.bind(); // the port opens only now, as Kafka's does once it is ready
        advertise(advertised, listener); // before the first request can ask for it
        server.serve(registry, requestPool);
        LOG.info("Fjord node {} of cluster {} listening on {}:{} (advertised as {}:{}), data in {}; started in {} ms",
                identity.nodeId(), identity.clusterId(), bound.getHostString(), bound.getPort(),
                state.advertisedHost(), state.advertisedPort(), logDirs, (clock.nanos() - startNanos) / 1_000_000);
    }

    /** The listener's settings: the first of {@code listeners}. */
    static NetworkConfig networkConfig(final BrokerConfig config) {
        final BrokerConfig.Endpoint listener = config.listeners().get(0);
        return new NetworkConfig(listener.name(), listener.host(), listener.port(), config.numNetworkThreads(),
                config.socketRequestMaxBytes(), config.maxInflightRequestsPerConnection(), config.socketSendBufferBytes(),
                config.socketReceiveBufferBytes(), config.connectionsMaxIdleMs());
    }

    private GroupCoordinator startGroupCoordinator(final BrokerState state, final Clock clock) {
        coordinatorThread = Executors.newSingleThreadExecutor(named("fjord-group-coordinator"));
        final OffsetsTopicLog offsetsLog = OffsetsTopicLog.open(state, config.offsetsTopicNumPartitions());
        final GroupCoordinator groups = new GroupCoordinator(new GroupCoordinatorConfig(offsetsLog.partitions(),
                config.groupMinSessionTimeoutMs(), config.groupMaxSessionTimeoutMs(), config.groupInitialRebalanceDelayMs(),
                config.groupMaxSize(), config.offsetMetadataMaxBytes(), config.offsetsRetentionMs(),
                config.offsetsRetentionCheckIntervalMs()),
                new ConsumerGroupConfig(config.consumerGroupProtocolEnabled(), config.groupConsumerSessionTimeoutMs(),
                        config.groupConsumerHeartbeatIntervalMs(), config.groupConsumerMaxSize(),
                        config.groupConsumerAssignors()),
                new RegistryTopicImage(state.topics()), offsetsLog, new ScheduledCoordinatorTimer(scheduler, coordinatorThread), clock, coordinatorThread,
                tp -> partitions.get(tp) != null);
        groups.load();
        state.partitions().addDeleteListener(topic -> groups.offsets().onTopicsDeleted(Set.of(topic)));
        return groups;
    }

    private TransactionCoordinator startTransactionCoordinator(final BrokerState state, final GroupCoordinator groups,
                                                               final Clock clock) {
        txnCoordinatorThread = Executors.newSingleThreadExecutor(named("fjord-txn-coordinator"));
        final OffsetsTopicLog stateLog = OffsetsTopicLog.openInternal(state, TRANSACTION_STATE_TOPIC,
                config.transactionStateLogNumPartitions(), TRANSACTION_STATE_SEGMENT_BYTES);
        final TransactionCoordinator transactions = new TransactionCoordinator(new TxnCoordinatorConfig(stateLog.partitions(),
                config.transactionMaxTimeoutMs(), config.transactionAbortTimedOutCleanupIntervalMs(),
                config.transactionalIdExpirationMs(), config.transactionRemoveExpiredCleanupIntervalMs()), stateLog,
                new PartitionTxnMarkerWriter(partitions, groups), () -> {
                    try {
                        return state.producerIds().nextId();
                    } catch (IOException e) {
                        throw new KafkaStorageException("Could not reserve producer ids: " + e.getMessage(), e);
                    }
                }, new ScheduledCoordinatorTimer(scheduler, txnCoordinatorThread), clock, txnCoordinatorThread,
                tp -> partitions.get(tp) != null);
        transactions.load();
        return transactions;
    }

    private static ApiHandlerRegistry registry(final BrokerState state, final GroupCoordinator groups,
                                               final TransactionCoordinator transactions,
                                               final BrokerConfig config) {
        final List<ApiHandler<? extends ApiMessage>> handlers = new ArrayList<>();
        final ApiHandlerRegistry[] self = new ApiHandlerRegistry[1];
        handlers.add(new ApiVersionsHandler(() -> self[0].apiVersions()));
        handlers.add(new MetadataHandler(state));
        handlers.add(new CreateTopicsHandler(state));
        handlers.add(new DeleteTopicsHandler(state));
        handlers.add(new DescribeClusterHandler(state));
        handlers.add(new ProduceHandler(state, config.transactionPartitionVerificationEnable()
                ? transactions::verifyTransactionalProduce : ProduceHandler.TransactionVerifier.NONE));
        handlers.add(new FetchHandler(state));
        handlers.add(new ListOffsetsHandler(state));
        handlers.add(new InitProducerIdHandler(state, transactions));
        handlers.add(new OffsetForLeaderEpochHandler(state));
        handlers.add(new DescribeConfigsHandler(state, config));
        handlers.add(new AlterConfigsHandler(state));
        handlers.add(new CreatePartitionsHandler(state));
        handlers.add(new DeleteRecordsHandler(state));
        handlers.add(new DescribeLogDirsHandler(state));
        handlers.add(new IncrementalAlterConfigsHandler(state));
        handlers.add(new FindCoordinatorHandler(state));
        handlers.add(new JoinGroupHandler(groups));
        handlers.add(new SyncGroupHandler(groups));
        handlers.add(new HeartbeatHandler(groups));
        handlers.add(new LeaveGroupHandler(groups));
        handlers.add(new OffsetCommitHandler(groups));
        handlers.add(new OffsetFetchHandler(groups));
        handlers.add(new DescribeGroupsHandler(groups));
        handlers.add(new ListGroupsHandler(groups));
        handlers.add(new DeleteGroupsHandler(groups));
        handlers.add(new OffsetDeleteHandler(groups));
        if (config.consumerGroupProtocolEnabled()) {
            // Advertised only when served: clients pick group.protocol=consumer from ApiVersions.
            handlers.add(new ConsumerGroupHeartbeatHandler(groups));
            handlers.add(new ConsumerGroupDescribeHandler(groups));
        }
        handlers.add(new AddPartitionsToTxnHandler(transactions));
        handlers.add(new AddOffsetsToTxnHandler(transactions, groups));
        handlers.add(new EndTxnHandler(transactions));
        handlers.add(new TxnOffsetCommitHandler(groups));
        handlers.add(new DescribeTransactionsHandler(transactions));
        handlers.add(new ListTransactionsHandler(transactions));
        handlers.add(new DescribeProducersHandler(state.partitions()));
        handlers.add(new WriteTxnMarkersHandler(new PartitionTxnMarkerWriter(state.partitions(), groups)));
        self[0] = new ApiHandlerRegistry(handlers);
        return self[0];
    }

    private void advertise(final BrokerState.AdvertisedAddress advertised, final BrokerConfig.Endpoint listener)
            throws IOException {
        BrokerConfig.Endpoint chosen = listener;
        for (final BrokerConfig.Endpoint e : config.advertisedListeners()) {
            if (e.name().equals(listener.name())) {
                chosen = e;
            }
        }
        String host = chosen.host();
        if (host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            host = InetAddress.getLocalHost().getCanonicalHostName();
        }
        advertised.set(host, chosen.port() == 0 || chosen.port() == listener.port() ? bound.getPort() : chosen.port());
    }

    private Path prepareLogDir(final Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (AccessDeniedException e) {
            throw new IOException("Cannot create log directory " + dir + ": permission denied. "
                    + "Set log.dirs to a directory this user can write.", e);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("Log directory " + dir + " is not writable. Set log.dirs to a directory this user can write.");
        }
        final FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        final FileLock lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new IOException("Log directory " + dir + " is in use by another broker process. "
                    + "Stop that broker, or set log.dirs to another directory.");
        }
        dirLocks.add(lock);
        return dir;
    }

    /** The address the listener is bound to. */
    public InetSocketAddress boundAddress() {
        return bound;
    }

    /** The port the listener is bound to (the real one when port 0 was configured). */
    public int boundPort() {
        return bound.getPort();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /** Stops the broker cleanly; idempotent. Every log is flushed and marked cleanly shut down. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        final List<Throwable> failures = new ArrayList<>();
        run(failures, () -> {
            if (server != null) {
                server.close();
            }
        });
        run(failures, () -> shutdown(requestPool));
        run(failures, () -> shutdown(txnCoordinatorThread));
        run(failures, () -> shutdown(coordinatorThread));
        run(failures, () -> shutdown(scheduler));
        run(failures, () -> {
            if (cleaner != null) {
                shutdown(cleaner);
            }
        });
        run(failures, () -> {
            if (partitions != null) {
                partitions.close();
            }
        });
        for (final FileLock lock : dirLocks) {
            run(failures, () -> {
                lock.release();
                lock.channel().close();
            });
        }
        stopped.countDown();
        if (!failures.isEmpty()) {
            LOG.error("Errors while stopping the broker", failures.get(0));
        } else if (bound == null) {
            LOG.info("Fjord did not start; what it had opened is closed");
        } else {
            LOG.info("Fjord stopped cleanly");
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void run(final List<Throwable> failures, final Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    private static void shutdown(final ExecutorService pool) throws InterruptedException {
        if (pool != null) {
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        }
    }

    private static ThreadFactory named(final String prefix) {
        final AtomicInteger n = new AtomicInteger();
        return r -> {
            final Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
