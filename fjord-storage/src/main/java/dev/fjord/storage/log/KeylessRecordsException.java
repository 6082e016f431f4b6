package dev.fjord.storage.log;

import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Records without a key sent to a compacted log (INVALID_RECORD). Carries one error per refused record,
 * with its index in the batch, for the produce response's record errors, as Kafka answers: a producer
 * then fails only those records.
 */
public final class KeylessRecordsException extends InvalidRecordException {
    private static final long serialVersionUID = 1L;
    private final transient List<ProduceResponse.RecordError> recordErrors;

    KeylessRecordsException(final List<ProduceResponse.RecordError> recordErrors) {
        super("One or more records have been rejected due to " + recordErrors.size() + " record errors in total, and "
                + "only showing the first three errors at most: " + recordErrors.subList(0, Math.min(3, recordErrors.size())));
        this.recordErrors = List.copyOf(recordErrors);
    }

    /** Each refused record: its index in its batch and why. */
    public List<ProduceResponse.RecordError> recordErrors() {
        return recordErrors;
    }
}
