package dev.fjord.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

class ProtocolClassesTest {
    @Test
    void requestFrameParsesBackToTheSameHeaderAndBody() {
        final MetadataRequestData body = new MetadataRequestData().setTopics(null).setAllowAutoTopicCreation(false);
        final ByteBuffer frame = ProtocolClasses.requestFrame(ApiKeys.METADATA, (short) 12, 42, body);

        final RequestHeader header = RequestParser.parseHeader(frame);
        final MetadataRequest request = (MetadataRequest) RequestParser.parseBody(header, frame);

        assertThat(header.apiKey()).isEqualTo(ApiKeys.METADATA);
        assertThat(header.apiVersion()).isEqualTo((short) 12);
        assertThat(header.correlationId()).isEqualTo(42);
        assertThat(header.clientId()).isEqualTo("fjord");
        assertThat(request.data()).isEqualTo(body);
        assertThat(frame.hasRemaining()).isFalse();
    }

    @Test
    void initializeIsRepeatable() {
        ProtocolClasses.initialize();
        ProtocolClasses.initialize();
    }
}
