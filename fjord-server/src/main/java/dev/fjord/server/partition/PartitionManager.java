package dev.fjord.server.partition;

import dev.fjord.common.Clock;
import dev.fjord.server.metadata.TopicConfigs;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.server.metadata.TopicRegistry;
import dev.fjord.storage.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the open {@link PartitionLog}s of this broker: opens them at start-up, creates and deletes them
 * with their topics, and is the one place produce appends go through, so that it can wake long-poll
 * fetches waiting on a partition.
 *
 * <p>Partition {@code p} of topic {@code t} lives in {@code <log dir>/t-p}; with several log
 * directories, a partition goes to the directory chosen by hashing its name, and is found again by
 * looking in each.
 *
 * <p>The partitions of an internal topic ({@code __consumer_offsets}, {@code __transaction_state}: 50 each by
 * default) are made on first use, not when the topic is created: a partition without a directory is empty,
 * and creating some 500 files and directories up front was most of a first start's time. {@link #get} opens
 * such a partition; {@link #getIfOpen} and {@link #all} do not.
 *
 * <p>Thread-safety: the map of logs is concurrent; each log serializes its own appends.
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final List<Path> logDirs;
    private final TopicRegistry topics;
    private final TopicConfigs topicConfigs;
    private final Clock clock;
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Partitions of internal topics whose (empty) logs are not made yet; opened by {@link #get} on first use. */
    private final Set<TopicPartition> unopened = ConcurrentHashMap.newKeySet();
    private final List<Consumer<TopicPartition>> appendListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> deleteListeners = new CopyOnWriteArrayList<>();

    public PartitionManager(final List<Path> logDirs, final TopicRegistry topics, final TopicConfigs topicConfigs,
                            final Clock clock) {
        this.logDirs = List.copyOf(logDirs);
        this.topics = topics;
        this.topicConfigs = topicConfigs;
        this.clock = clock;
    }

    /** Opens (recovering where needed) every partition of every known topic; removes directories of deleted topics. */
    public void openAll() throws IOException {
        for (final TopicInfo topic : topics.all()) {
            openTopic(topic);
        }
        for (final Path dir : logDirs) {
            try (Stream<Path> children = Files.list(dir)) {
                for (final Path child : (Iterable<Path>) children::iterator) {
                    maybeRemoveOrphan(child);
                }
            }
        }
    }

    private void maybeRemoveOrphan(final Path child) throws IOException {
        if (!Files.isDirectory(child)) {
            return;
        }
        final String name = child.getFileName().toString();
        final int dash = name.lastIndexOf('-');
        if (dash <= 0 || !name.substring(dash + 1).chars().allMatch(Character::isDigit) || dash == name.length() - 1) {
            return;
        }
        final TopicPartition tp = new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
        if (!logs.containsKey(tp)) {
            LOG.warn("Deleting {}: its topic no longer exists (deleted before the last shutdown)", child);
            deleteRecursively(child);
        }
    }

    /**
     * Opens or creates the logs of every partition of a topic; those of an internal topic that have no
     * directory yet are left to be made on first use.
     */
    public void openTopic(final TopicInfo topic) throws IOException {
        for (int p = 0; p < topic.partitions(); p++) {
            final TopicPartition tp = new TopicPartition(topic.name(), p);
            if (logs.containsKey(tp)) {
                continue;
            }
            if (topic.isInternal() && !hasDir(tp)) {
                unopened.add(tp);
            } else {
                open(tp, topic);
            }
        }
    }

    private synchronized PartitionLog open(final TopicPartition tp, final TopicInfo topic) throws IOException {
        PartitionLog log = logs.get(tp);
        if (log == null) {
            log = PartitionLog.open(dirFor(tp), tp, topicConfigs.logConfig(topic.configs()), clock);
            logs.put(tp, log);
        }
        unopened.remove(tp);
        return log;
    }

    private boolean hasDir(final TopicPartition tp) {
        final String name = tp.topic() + "-" + tp.partition();
        for (final Path dir : logDirs) {
            if (Files.isDirectory(dir.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    /** Whether the partition exists but its log is not made yet (it is empty). */
    public boolean isUnopened(final TopicPartition tp) {
        return unopened.contains(tp);
    }

    /** Gives the open logs of a topic its new settings; they apply from the next append or roll. */
    public void updateTopicConfig(final TopicInfo topic) {
        final dev.fjord.storage.log.LogConfig config = topicConfigs.logConfig(topic.configs());
        for (int p = 0; p < topic.partitions(); p++) {
            final PartitionLog log = logs.get(new TopicPartition(topic.name(), p));
            if (log != null) {
                log.updateConfig(config);
            }
        }
    }

    /** Closes and deletes the logs of every partition of a topic. */
    public void deleteTopic(final TopicInfo topic) {
        for (int p = 0; p < topic.partitions(); p++) {
            final TopicPartition tp = new TopicPartition(topic.name(), p);
            unopened.remove(tp);
            final PartitionLog log = logs.remove(tp);
            if (log != null) {
                log.delete();
            }
            appendListeners.forEach(l -> l.accept(tp));
        }
        deleteListeners.forEach(l -> l.accept(topic.name()));
    }

    /** Called with a topic's name after its logs are deleted. */
    public void addDeleteListener(final Consumer<String> listener) {
        deleteListeners.add(listener);
    }

    /** The log directories, absolute, in configured order. */
    public List<Path> logDirs() {
        return logDirs;
    }

    /** A snapshot of every open log. */
    public List<PartitionLog> all() {
        return List.copyOf(logs.values());
    }

    /** The log of a partition, made now if it is an internal topic's partition not used before; null if this broker has none. */
    public PartitionLog get(final TopicPartition tp) {
        final PartitionLog log = logs.get(tp);
        if (log != null || unopened.isEmpty() || !unopened.contains(tp)) {
            return log;
        }
        final TopicInfo topic = topics.get(tp.topic()).orElse(null);
        if (topic == null) {
            return logs.get(tp);
        }
        try {
            return open(tp, topic);
        } catch (IOException e) {
            throw new KafkaStorageException("Could not create the log of " + tp + ": " + e.getMessage(), e);
        }
    }

    /** The log of a partition if it is open; null otherwise (never makes one). */
    public PartitionLog getIfOpen(final TopicPartition tp) {
        return logs.get(tp);
    }

    /** Appends a produce request's records for one partition and wakes fetches waiting on it. */
    public PartitionLog.AppendResult append(final PartitionLog log, final MemoryRecords records) {
        final PartitionLog.AppendResult result = log.append(records, 0);
        for (final Consumer<TopicPartition> listener : appendListeners) {
            listener.accept(log.topicPartition());
        }
        return result;
    }

    /** Appends a transaction's COMMIT or ABORT marker and wakes fetches waiting on the partition (its LSO may move). */
    public PartitionLog.AppendResult appendTxnMarker(final PartitionLog log, final long producerId, final short producerEpoch,
                                                     final int coordinatorEpoch, final boolean commit) {
        final PartitionLog.AppendResult result = log.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, commit, 0);
        for (final Consumer<TopicPartition> listener : appendListeners) {
            listener.accept(log.topicPartition());
        }
        return result;
    }

    public void addAppendListener(final Consumer<TopicPartition> listener) {
        appendListeners.add(listener);
    }

    /**
     * One retention pass (run every {@code log.retention.check.interval.ms} on the broker scheduler): each
     * partition of a topic whose cleanup.policy includes {@code delete} drops the whole non-active segments
     * its {@code retention.ms} and {@code retention.bytes} no longer keep, read afresh from the topic's
     * configs so that altered values apply at the next pass. Compacted-only topics (such as
     * {@code __consumer_offsets}) are left alone.
     *
     * @return the number of segments deleted
     */
    public int applyRetention() {
        int deleted = 0;
        for (final PartitionLog log : logs.values()) {
            final TopicInfo topic = topics.get(log.topicPartition().topic()).orElse(null);
            if (topic == null) {
                continue;
            }
            final Map<String, String> own = topic.configs();
            final boolean deletes = topicConfigs.deletes(own);
            try {
                deleted += log.deleteRetainedSegments(
                        deletes ? Long.parseLong(topicConfigs.effective(own, "retention.ms")) : -1,
                        deletes ? Long.parseLong(topicConfigs.effective(own, "retention.bytes")) : -1,
                        Long.parseLong(topicConfigs.effective(own, "file.delete.delay.ms")));
            } catch (RuntimeException e) {
                LOG.error("Retention of {} failed", log.topicPartition(), e);
            }
        }
        return deleted;
    }

    /**
     * Forgets, in every partition, the idempotent producers idle for {@code expirationMs} without an open
     * transaction ({@code producer.id.expiration.ms}), so producer state stays bounded on a long-running broker.
     *
     * @return the number of producer entries removed
     */
    public int removeExpiredProducers(final long expirationMs) {
        int removed = 0;
        for (final PartitionLog log : logs.values()) {
            try {
                removed += log.removeExpiredProducers(expirationMs);
            } catch (RuntimeException e) {
                LOG.error("Expiring the producers of {} failed", log.topicPartition(), e);
            }
        }
        return removed;
    }

    /**
     * One log-cleaner pass (every {@code log.cleaner.backoff.ms} on the cleaner thread): each partition of a
     * topic whose cleanup.policy includes {@code compact} is compacted if it is dirty enough, with its topic's
     * settings read afresh. A failure is logged and the partition is tried again at the next pass.
     *
     * @return the number of partitions compacted
     */
    public int compactAll() {
        int cleaned = 0;
        for (final PartitionLog log : logs.values()) {
            final TopicInfo topic = topics.get(log.topicPartition().topic()).orElse(null);
            if (topic == null || !topicConfigs.compacts(topic.configs())) {
                continue;
            }
            try {
                if (log.compact(topicConfigs.compactionSettings(topic.configs())).cleaned()) {
                    cleaned++;
                }
            } catch (RuntimeException e) {
                LOG.error("Compaction of {} failed", log.topicPartition(), e);
            }
        }
        return cleaned;
    }

    /** Gives every log the chance to flush by time ({@code flush.ms}). */
    public void maybeFlushAll() {
        for (final PartitionLog log : logs.values()) {
            try {
                log.maybeFlush();
            } catch (KafkaStorageException e) {
                LOG.error("Periodic flush of {} failed", log.topicPartition(), e);
            }
        }
    }

    private Path dirFor(final TopicPartition tp) {
        final String name = tp.topic() + "-" + tp.partition();
        for (final Path dir : logDirs) {
            if (Files.isDirectory(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        return logDirs.get(Math.floorMod(name.hashCode(), logDirs.size())).resolve(name);
    }

    @Override
    public void close() {
        final List<RuntimeException> failures = new ArrayList<>();
        for (final PartitionLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        logs.clear();
        unopened.clear();
        if (!failures.isEmpty()) {
            final RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    static void deleteRecursively(final Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
