package dev.fjord.server.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void shouldMakeDistinctVersion4IdsThatKafkaToolsCanTakeOnACommandLine() {
        final Set<Uuid> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            final Uuid id = RandomIds.uuid();
            final UUID asJdk = new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits());
            assertThat(asJdk.version()).isEqualTo(4);
            assertThat(asJdk.variant()).isEqualTo(2);
            assertThat(id.toString()).doesNotStartWith("-").hasSize(22);
            assertThat(id).isNotEqualTo(Uuid.ZERO_UUID).isNotEqualTo(Uuid.METADATA_TOPIC_ID);
            assertThat(Uuid.fromString(id.toString())).isEqualTo(id);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void shouldSpreadItsRandomBitsOverTheWholeId() {
        long msbOr = 0;
        long lsbOr = 0;
        long msbAnd = -1;
        long lsbAnd = -1;
        for (int i = 0; i < 200; i++) {
            final Uuid id = RandomIds.uuid();
            msbOr |= id.getMostSignificantBits();
            msbAnd &= id.getMostSignificantBits();
            lsbOr |= id.getLeastSignificantBits();
            lsbAnd &= id.getLeastSignificantBits();
        }
        // Every bit but the 4 version and 2 variant bits takes both values.
        assertThat(msbOr ^ msbAnd).isEqualTo(~0xF000L);
        assertThat(lsbOr ^ lsbAnd).isEqualTo(0x3FFF_FFFF_FFFF_FFFFL);
    }
}
