package dev.fjord.coordinator.txn;

/** Hands out producer ids that are never reused; the server's implementation persists them. */
public interface ProducerIdSource {
    /** @throws org.apache.kafka.common.errors.KafkaStorageException if no id could be reserved */
    long nextProducerId();
}
