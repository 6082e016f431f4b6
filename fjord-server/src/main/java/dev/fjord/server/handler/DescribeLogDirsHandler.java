package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeLogDirs (the {@code kafka-log-dirs} tool): each log directory with the partitions in it, their
 * size on disk and, from v4, the directory's file-system total and usable bytes. A single node has no
 * followers, so every offset lag is 0, and no partition is ever being moved ({@code is_future_key} false).
 * A directory whose file system cannot be read answers KAFKA_STORAGE_ERROR on its own.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequestData> {
    private final BrokerState broker;

    public DescribeLogDirsHandler(final BrokerState broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<DescribeLogDirsResponseData> handle(final RequestContext context,
                                                                 final DescribeLogDirsRequestData request) {
        final DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        for (final Path dir : broker.partitions().logDirs()) {
            final DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(dir.toString())
                    .setErrorCode(Errors.NONE.code());
            final Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
            for (final PartitionLog log : broker.partitions().all()) {
                if (!dir.equals(log.dir().getParent()) || !wanted(request, log)) {
                    continue;
                }
                topics.computeIfAbsent(log.topicPartition().topic(), t -> new DescribeLogDirsTopic().setName(t))
                        .partitions().add(new DescribeLogDirsPartition().setPartitionIndex(log.topicPartition().partition())
                                .setPartitionSize(log.sizeInBytes()).setOffsetLag(0).setIsFutureKey(false));
            }
            for (final DescribeLogDirsTopic t : topics.values()) {
                t.partitions().sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
                result.topics().add(t);
            }
            if (context.apiVersion() >= 4) {
                try {
                    final FileStore store = Files.getFileStore(dir);
                    result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
                } catch (IOException e) {
                    result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).topics().clear();
                }
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static boolean wanted(final DescribeLogDirsRequestData request, final PartitionLog log) {
        if (request.topics() == null) {
            return true;
        }
        final DescribableLogDirTopic t = request.topics().find(log.topicPartition().topic());
        return t != null && t.partitions().contains(log.topicPartition().partition());
    }
}
