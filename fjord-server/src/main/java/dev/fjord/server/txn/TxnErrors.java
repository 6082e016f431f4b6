package dev.fjord.server.txn;

import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-588 brought PRODUCER_FENCED to the transactional APIs at a given version; older clients only
 * know INVALID_PRODUCER_EPOCH for the same situation, so that is what they get.
 */
final class TxnErrors {
    private TxnErrors() {
    }

    static Errors forVersion(final Errors error, final short version, final short firstVersionWithProducerFenced) {
        return error == Errors.PRODUCER_FENCED && version < firstVersionWithProducerFenced ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
