package dev.fjord.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsetMapTest {
    private static ByteBuffer key(final String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldPutGetAndOverwrite() {
        final OffsetMap map = new OffsetMap(10, 0.9);
        assertThat(map.get(key("a"))).isEqualTo(-1);
        map.put(key("a"), 0);
        map.put(key("b"), 1);
        map.put(key("a"), 7);
        assertThat(map.get(key("a"))).isEqualTo(7);
        assertThat(map.get(key("b"))).isEqualTo(1);
        assertThat(map.get(key("c"))).isEqualTo(-1);
        assertThat(map.size()).isEqualTo(2);
    }

    @Test
    void shouldTreatKeysByTheirBytesWhateverTheBufferAndLeaveItsPositionAlone() {
        final OffsetMap map = new OffsetMap(4, 0.9);
        final ByteBuffer wide = ByteBuffer.wrap("xxkeyxx".getBytes(StandardCharsets.UTF_8));
        final ByteBuffer slice = wide.position(2).limit(5).slice();
        map.put(slice, 3);
        assertThat(slice.position()).isZero();
        assertThat(slice.remaining()).isEqualTo(3);
        final ByteBuffer direct = ByteBuffer.allocateDirect(3).put("key".getBytes(StandardCharsets.UTF_8)).flip();
        assertThat(map.get(direct)).isEqualTo(3);
        assertThat(map.get(ByteBuffer.allocate(0))).isEqualTo(-1);
        map.put(ByteBuffer.allocate(0), 0);
        assertThat(map.get(ByteBuffer.allocate(0))).isZero();
    }

    @Test
    void shouldRefuseANewKeyWhenFullButStillOverwrite() {
        final OffsetMap map = new OffsetMap(3, 1.0);
        assertThat(map.capacity()).isEqualTo(3);
        assertThat(map.slots()).isEqualTo(4); // one slot always stays empty, so probes end
        map.put(key("a"), 0);
        map.put(key("b"), 1);
        map.put(key("c"), 2);
        assertThatThrownBy(() -> map.put(key("d"), 3)).isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
        map.put(key("b"), 4);
        assertThat(map.get(key("b"))).isEqualTo(4);
        assertThat(map.get(key("d"))).isEqualTo(-1);
        assertThat(map.size()).isEqualTo(3);
    }

    @Test
    void shouldSizeTheSlotsByTheLoadFactor() {
        final OffsetMap map = new OffsetMap(90, 0.9);
        assertThat(map.slots()).isEqualTo(100);
        assertThat(map.capacity()).isEqualTo(90);
        assertThat(map.memoryBytes()).isEqualTo(2400);
        assertThat(new OffsetMap(0, 0.9).slots()).isEqualTo(1);
    }

    @Test
    void shouldGrowKeepingEveryEntry() {
        final OffsetMap map = new OffsetMap(8, 0.75);
        for (int i = 0; i < 8; i++) {
            map.put(key("k" + i), i);
        }
        map.ensureCapacity(9, 1000);
        assertThat(map.capacity()).isEqualTo(16); // doubled
        map.ensureCapacity(17, 20);
        assertThat(map.capacity()).isEqualTo(20); // doubled, up to the ceiling
        map.ensureCapacity(1000, 20);
        assertThat(map.capacity()).isEqualTo(1000); // beyond the ceiling when asked for
        for (int i = 8; i < 1000; i++) {
            map.put(key("k" + i), i);
        }
        for (int i = 0; i < 1000; i++) {
            assertThat(map.get(key("k" + i))).isEqualTo(i);
        }
    }

    @Test
    void shouldAgreeWithAHashMapOverManyKeys() {
        final int keys = 200_000;
        // Starts small and grows as the compactor grows it.
        final OffsetMap map = new OffsetMap(1024, 0.9);
        final Map<String, Long> reference = new HashMap<>();
        final Random random = new Random(42);
        for (long offset = 0; offset < 3L * keys; offset++) {
            final String k = "key-" + random.nextInt(keys);
            map.ensureCapacity(map.size() + 1, keys);
            map.put(key(k), offset);
            reference.put(k, offset);
        }
        assertThat(map.size()).isEqualTo(reference.size());
        assertThat(map.capacity()).isLessThanOrEqualTo(keys);
        reference.forEach((k, offset) -> assertThat(map.get(key(k))).isEqualTo(offset));
        for (int i = 0; i < 1000; i++) {
            assertThat(map.get(key("absent-" + i))).isEqualTo(-1);
        }
    }

    @Test
    void shouldBoundEntriesAsKafkaDoes() {
        assertThat(LogCompactor.Settings.maxMapEntries(134_217_728L, 0.9)).isEqualTo(5_033_164);
        assertThat(LogCompactor.Settings.defaults().maxMapEntries()).isEqualTo(5_033_164);
        assertThat(LogCompactor.Settings.maxMapEntries(Long.MAX_VALUE, 1.0)).isEqualTo(Integer.MAX_VALUE / 24);
        assertThat(LogCompactor.Settings.maxMapEntries(10, 0.9)).isEqualTo(1);
    }
}
