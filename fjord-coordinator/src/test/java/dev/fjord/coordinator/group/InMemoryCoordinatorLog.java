package dev.fjord.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A {@link CoordinatorLog} in memory: records per partition in append order, replayable any number of times. */
final class InMemoryCoordinatorLog implements CoordinatorLog {
    private final Map<Integer, List<GroupRecords.Record>> partitions = new HashMap<>();

    @Override
    public void append(final int partition, final List<GroupRecords.Record> records) {
        partitions.computeIfAbsent(partition, p -> new ArrayList<>()).addAll(records);
    }

    @Override
    public void replay(final int partition, final RecordConsumer consumer) {
        for (final GroupRecords.Record r : partitions.getOrDefault(partition, List.of())) {
            consumer.accept(ByteBuffer.wrap(r.key()), r.value() == null ? null : ByteBuffer.wrap(r.value()));
        }
    }

    /** Every record appended so far, over all partitions. */
    int size() {
        int n = 0;
        for (final List<GroupRecords.Record> records : partitions.values()) {
            n += records.size();
        }
        return n;
    }
}
