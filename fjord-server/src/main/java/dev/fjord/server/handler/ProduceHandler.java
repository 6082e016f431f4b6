package dev.fjord.server.handler;

import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import dev.fjord.server.metadata.TopicInfo;
import dev.fjord.storage.log.PartitionLog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's batches to its log and answers with the assigned base offset.
 * On one node, {@code acks=1} and {@code acks=all} both mean "on this broker's log": the answer goes
 * out after the append returns. With {@code acks=0} no answer is sent.
 *
 * <p>Transactional batches are appended like any other; the log tracks each producer's open transaction
 * (which holds back the partition's last stable offset) until the coordinator's marker ends it.
 *
 * <p>Batches are appended as they came off the wire (the storage layer checks each batch's header and
 * CRC and patches in offsets); no record is decoded here.
 */
public final class ProduceHandler implements ApiHandler<ProduceRequestData> {
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);
    /**
     * zstd came with Produce v7 (KIP-110): an older request carrying a zstd batch is answered
     * UNSUPPORTED_COMPRESSION_TYPE, as Kafka does (kafka-clients' {@code ProduceRequest.validateRecords}).
     */
    private static final short ZSTD_MIN_VERSION = 7;

    /**
     * Checks a transactional batch against its producer's open transaction before it is written (KIP-890
     * part 1): a batch of a producer that never initialised a transaction, or for a partition it never
     * added, would otherwise hold the partition's last stable offset back forever.
     */
    @FunctionalInterface
    public interface TransactionVerifier {
        TransactionVerifier NONE = (producerId, producerEpoch, tp) -> Errors.NONE;

        Errors verify(long producerId, short producerEpoch, TopicPartition tp);
    }

    private final BrokerState broker;
    private final TransactionVerifier verifier;

    public ProduceHandler(final BrokerState broker) {
        this(broker, TransactionVerifier.NONE);
    }

    public ProduceHandler(final BrokerState broker, final TransactionVerifier verifier) {
        this.broker = broker;
        this.verifier = verifier;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 3;
    }

    @Override
    public short maxVersion() {
        return 13;
    }

    @Override
    public CompletableFuture<ProduceResponseData> handle(final RequestContext context, final ProduceRequestData request) {
        final short acks = request.acks();
        if (acks != 0 && acks != 1 && acks != -1) {
            throw new InvalidRequiredAcksException("acks must be -1, 0 or 1, not " + acks);
        }
        final boolean byId = context.apiVersion() >= 13;
        final ProduceResponseData response = new ProduceResponseData();
        for (final ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            final Optional<TopicInfo> topic = byId ? broker.topics().get(topicData.topicId())
                    : broker.topics().get(topicData.name());
            final TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            for (final ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                topicResponse.partitionResponses().add(appendPartition(topic, byId, context.apiVersion(), partitionData));
            }
            response.responses().add(topicResponse);
        }
        return CompletableFuture.completedFuture(acks == 0 ? null : response);
    }

    /**
     * Cheap unless an append would fsync ({@code flush.messages} set) or recompress a batch
     * (the topic's {@code compression.type} differs from the producer's codec): a page-cache write and a CRC
     * check, so it runs on the event loop without two thread hand-offs.
     */
    @Override
    public boolean cheap(final RequestContext context, final ProduceRequestData request) {
        final boolean byId = context.apiVersion() >= 13;
        for (final ProduceRequestData.TopicProduceData topicData : request.topicData()) {
            final Optional<TopicInfo> topic = byId ? broker.topics().get(topicData.topicId())
                    : broker.topics().get(topicData.name());
            if (topic.isEmpty()) {
                continue;
            }
            for (final ProduceRequestData.PartitionProduceData data : topicData.partitionData()) {
                final TopicPartition tp = new TopicPartition(topic.get().name(), data.index());
                final PartitionLog log = broker.partitions().getIfOpen(tp);
                if (log == null && broker.partitions().isUnopened(tp)) {
                    return false; // its log would be made first: files and directories
                }
                if (log != null && data.records() != null && log.appendMayFsync(data.records().sizeInBytes())) {
                    return false;
                }
                if (log != null && data.records() instanceof MemoryRecords records && log.appendMayRecompress(records)) {
                    return false; // decompressing and compressing again is CPU work for a storage thread
                }
            }
        }
        return true;
    }

    private PartitionProduceResponse appendPartition(final Optional<TopicInfo> topic, final boolean byId, final short version,
                                                     final ProduceRequestData.PartitionProduceData data) {
        final PartitionProduceResponse out = new PartitionProduceResponse().setIndex(data.index())
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
        final PartitionLog log = topic.map(t -> broker.partitions().get(new TopicPartition(t.name(), data.index())))
                .orElse(null);
        if (log == null) {
            return out.setErrorCode((topic.isEmpty() && byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
        }
        if (!(data.records() instanceof MemoryRecords)) {
            return out.setErrorCode(Errors.CORRUPT_MESSAGE.code()).setErrorMessage("No record batches");
        }
        final MemoryRecords records = (MemoryRecords) data.records();
        if (version < ZSTD_MIN_VERSION && hasZstd(records)) {
            return out.setErrorCode(Errors.UNSUPPORTED_COMPRESSION_TYPE.code())
                    .setErrorMessage("Produce v" + version + " may not carry zstd batches (v" + ZSTD_MIN_VERSION + " or later)");
        }
        final Errors verified = verifyTransactional(records, log.topicPartition());
        if (verified != Errors.NONE) {
            return out.setErrorCode(verified.code()).setErrorMessage(verified == Errors.INVALID_TXN_STATE
                    ? "The producer has no open transaction that includes " + log.topicPartition()
                    : verified.message());
        }
        try {
            final PartitionLog.AppendResult result = broker.partitions().append(log, records);
            return out.setBaseOffset(result.firstOffset()).setLogAppendTimeMs(result.logAppendTimeMs())
                    .setLogStartOffset(result.logStartOffset());
        } catch (dev.fjord.storage.log.KeylessRecordsException e) {
            LOG.debug("Produce to {} failed: {}", log.topicPartition(), e.getMessage());
            for (final org.apache.kafka.common.requests.ProduceResponse.RecordError r : e.recordErrors()) {
                out.recordErrors().add(new ProduceResponseData.BatchIndexAndErrorMessage().setBatchIndex(r.batchIndex)
                        .setBatchIndexErrorMessage(r.message));
            }
            return out.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(e.getMessage());
        } catch (ApiException e) {
            LOG.debug("Produce to {} failed: {}", log.topicPartition(), e.getMessage());
            return out.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
        }
    }

    private static boolean hasZstd(final MemoryRecords records) {
        for (final RecordBatch batch : records.batches()) {
            if (batch.compressionType() == CompressionType.ZSTD) {
                return true;
            }
        }
        return false;
    }

    private Errors verifyTransactional(final MemoryRecords records, final TopicPartition tp) {
        final var batches = records.batches().iterator();
        if (!batches.hasNext()) {
            return Errors.NONE; // the log refuses an empty request with its own error
        }
        final var first = batches.next();
        if (!first.isTransactional() || first.isControlBatch()) {
            return Errors.NONE;
        }
        return verifier.verify(first.producerId(), first.producerEpoch(), tp);
    }
}
