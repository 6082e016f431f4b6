package dev.fjord.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The server-side assignors: range's contiguous ranges, uniform's balance and stickiness. */
class ServerAssignorTest {
    private static final Uuid ORDERS = new Uuid(0, 1);
    private static final Uuid PAYMENTS = new Uuid(0, 2);
    private static final SortedMap<Uuid, Integer> COUNTS = new TreeMap<>(Map.of(ORDERS, 4, PAYMENTS, 2));

    private static SortedMap<String, Set<Uuid>> members(final String... ids) {
        final SortedMap<String, Set<Uuid>> out = new TreeMap<>();
        for (final String id : ids) {
            out.put(id, Set.of(ORDERS, PAYMENTS));
        }
        return out;
    }

    private static SortedSet<Integer> set(final Integer... ps) {
        return new TreeSet<>(Set.of(ps));
    }

    @Test
    void shouldGiveEachMemberContiguousRangesPerTopicWithRange() {
        final var out = ServerAssignor.named("range").assign(members("a", "b"), COUNTS, Map.of());

        assertThat(out.get("a")).isEqualTo(Map.of(ORDERS, set(0, 1), PAYMENTS, set(0)));
        assertThat(out.get("b")).isEqualTo(Map.of(ORDERS, set(2, 3), PAYMENTS, set(1)));
    }

    @Test
    void shouldBalanceAndKeepPreviousOwnersWithUniform() {
        final ServerAssignor uniform = ServerAssignor.named("uniform");
        final var two = uniform.assign(members("a", "b"), COUNTS, Map.of());
        assertThat(Assignments.size(two.get("a"))).isEqualTo(3);
        assertThat(Assignments.size(two.get("b"))).isEqualTo(3);

        final var three = uniform.assign(members("a", "b", "c"), COUNTS, two);
        for (final String m : new String[] {"a", "b"}) {
            assertThat(Assignments.size(three.get(m))).isEqualTo(2);
            assertThat(Assignments.minus(three.get(m), two.get(m))).as("%s only loses partitions", m).isEmpty();
        }
        assertThat(Assignments.size(three.get("c"))).isEqualTo(2);
    }

    @Test
    void shouldOnlyAssignSubscribedTopicsWithUniform() {
        final SortedMap<String, Set<Uuid>> subs = new TreeMap<>(Map.of("a", Set.of(ORDERS), "b", Set.of(PAYMENTS)));

        final var out = ServerAssignor.named("uniform").assign(subs, COUNTS, Map.of());
        assertThat(out.get("a")).isEqualTo(Map.of(ORDERS, set(0, 1, 2, 3)));
        assertThat(out.get("b")).isEqualTo(Map.of(PAYMENTS, set(0, 1)));
    }
}
