package dev.fjord.server.handler;

import dev.fjord.coordinator.txn.TransactionCoordinator;
import dev.fjord.protocol.ApiHandler;
import dev.fjord.protocol.RequestContext;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * InitProducerId. For idempotent (non-transactional) producers: a new producer id at epoch 0, or, when
 * the producer asks to bump its epoch after a failed batch (KIP-360), the same id at the next epoch
 * (a new id once the epoch would overflow). A transactional id goes to the transaction coordinator,
 * which keeps one producer id per transactional id and fences older instances.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequestData> {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 4;
    private final BrokerState broker;
    private final TransactionCoordinator transactions;

    public InitProducerIdHandler(final BrokerState broker, final TransactionCoordinator transactions) {
        this.broker = broker;
        this.transactions = transactions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<InitProducerIdResponseData> handle(final RequestContext context,
                                                                final InitProducerIdRequestData request) {
        final InitProducerIdResponseData response = new InitProducerIdResponseData()
                .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
        if (request.transactionalId() != null) {
            final short version = context.apiVersion();
            return transactions.initProducerId(request.transactionalId(), request.transactionTimeoutMs(),
                    request.producerId(), request.producerEpoch()).thenApply(r -> {
                        Errors error = r.error();
                        if (error == Errors.PRODUCER_FENCED && version < FIRST_VERSION_WITH_PRODUCER_FENCED) {
                            error = Errors.INVALID_PRODUCER_EPOCH;
                        }
                        return response.setErrorCode(error.code()).setProducerId(r.producerId())
                                .setProducerEpoch(r.producerEpoch());
                    });
        }
        try {
            final boolean bump = request.producerId() != RecordBatch.NO_PRODUCER_ID
                    && request.producerEpoch() >= 0 && request.producerEpoch() < Short.MAX_VALUE - 1;
            if (bump) {
                response.setProducerId(request.producerId()).setProducerEpoch((short) (request.producerEpoch() + 1));
            } else {
                response.setProducerId(broker.producerIds().nextId()).setProducerEpoch((short) 0);
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Could not reserve producer ids: " + e.getMessage(), e);
        }
        return CompletableFuture.completedFuture(response);
    }
}
