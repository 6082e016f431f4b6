package dev.fjord.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.protocol.ResponseSerializer;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A response with records from a segment file, copied into one buffer instead of sent with sendfile. */
class SendFileRegionTest {
    @TempDir
    Path dir;

    @Test
    void copiesHeaderBodyAndFileRecordsIntoOneBuffer() throws IOException {
        final MemoryRecords batch = MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(1L, "k".getBytes(), "first".getBytes()), new SimpleRecord(2L, null, "second".getBytes()));
        try (FileRecords file = FileRecords.open(new File(dir.toFile(), "00000000000000000000.log"))) {
            file.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("before".getBytes())));
            final int start = file.sizeInBytes();
            file.append(batch);
            final Send send = fetchResponse(file.slice(start, batch.sizeInBytes()));

            final ByteBuffer copy = ByteBuffer.allocate((int) send.size());
            SendFileRegion.copy(send, copy);

            assertThat(copy.hasRemaining()).isFalse();
            copy.flip();
            copy.getInt();   // size prefix
            assertThat(ResponseHeader.parse(copy, ApiKeys.FETCH.responseHeaderVersion((short) 12)).correlationId()).isEqualTo(7);
            final FetchResponseData parsed = new FetchResponseData(new ByteBufferAccessor(copy), (short) 12);
            final MemoryRecords records = (MemoryRecords) parsed.responses().get(0).partitions().get(0).records();
            assertThat(records.buffer()).isEqualTo(batch.buffer());
        }
    }

    @Test
    void failsWhenTheFileIsShorterThanTheResponseSays() throws IOException {
        try (FileRecords file = FileRecords.open(new File(dir.toFile(), "00000000000000000000.log"))) {
            file.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())));
            final Send send = fetchResponse(file.slice(0, file.sizeInBytes()));
            file.truncateTo(0);

            assertThatThrownBy(() -> SendFileRegion.copy(send, ByteBuffer.allocate((int) send.size())))
                    .isInstanceOf(IOException.class);
        }
    }

    private static Send fetchResponse(final FileRecords records) {
        final FetchResponseData data = new FetchResponseData().setResponses(List.of(
                new FetchResponseData.FetchableTopicResponse().setTopic("t").setPartitions(List.of(
                        new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(3)
                                .setRecords(records)))));
        return ResponseSerializer.serialize(7, ApiKeys.FETCH.responseHeaderVersion((short) 12), data, (short) 12);
    }
}
