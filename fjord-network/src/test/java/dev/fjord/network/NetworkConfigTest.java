package dev.fjord.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import org.junit.jupiter.api.Test;

class NetworkConfigTest {
    private static final NetworkConfig BASE = new NetworkConfig("PLAINTEXT", "127.0.0.1", 9092, 3, 1000, 5, -1, -1, 600_000);

    @Test
    void sameAsShouldAgreeWithEqualsOnEveryComponent() throws Exception {
        assertThat(BASE.sameAs(new NetworkConfig("PLAINTEXT", "127.0.0.1", 9092, 3, 1000, 5, -1, -1, 600_000))).isTrue();
        assertThat(BASE.sameAs(null)).isFalse();
        final RecordComponent[] components = NetworkConfig.class.getRecordComponents();
        for (int changed = 0; changed < components.length; changed++) {
            final Object[] values = new Object[components.length];
            final Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = components[i].getAccessor().invoke(BASE);
                if (i == changed) {
                    values[i] = other(values[i]);
                }
            }
            final NetworkConfig different = NetworkConfig.class.getDeclaredConstructor(types).newInstance(values);
            assertThat(different).isNotEqualTo(BASE);
            assertThat(BASE.sameAs(different)).as("differs in %s", components[changed].getName()).isFalse();
        }
    }

    private static Object other(final Object value) {
        if (value instanceof String) {
            return value + "x";
        }
        if (value instanceof Integer) {
            return (Integer) value + 1;
        }
        if (value instanceof Long) {
            return (Long) value + 1;
        }
        throw new AssertionError("a component of a type this test does not vary yet: " + value.getClass());
    }
}
