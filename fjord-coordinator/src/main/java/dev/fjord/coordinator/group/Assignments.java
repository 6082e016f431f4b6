package dev.fjord.coordinator.group;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Helpers over a member's partitions as KIP-848 carries them: topic id to a sorted set of partition indexes.
 * Empty sets are never kept, so two equal assignments compare equal.
 */
final class Assignments {
    private Assignments() {
    }

    static TreeMap<Uuid, SortedSet<Integer>> empty() {
        return new TreeMap<>();
    }

    static TreeMap<Uuid, SortedSet<Integer>> copy(final Map<Uuid, ? extends SortedSet<Integer>> a) {
        final TreeMap<Uuid, SortedSet<Integer>> out = new TreeMap<>();
        a.forEach((t, ps) -> {
            if (!ps.isEmpty()) {
                out.put(t, new TreeSet<>(ps));
            }
        });
        return out;
    }

    static void add(final Map<Uuid, SortedSet<Integer>> a, final Uuid topic, final int partition) {
        a.computeIfAbsent(topic, t -> new TreeSet<>()).add(partition);
    }

    static boolean contains(final Map<Uuid, SortedSet<Integer>> a, final Uuid topic, final int partition) {
        final SortedSet<Integer> ps = a.get(topic);
        return ps != null && ps.contains(partition);
    }

    /** {@code a} without the partitions of {@code b}. */
    static TreeMap<Uuid, SortedSet<Integer>> minus(final Map<Uuid, SortedSet<Integer>> a,
                                                   final Map<Uuid, SortedSet<Integer>> b) {
        final TreeMap<Uuid, SortedSet<Integer>> out = new TreeMap<>();
        a.forEach((t, ps) -> {
            for (final int p : ps) {
                if (!contains(b, t, p)) {
                    add(out, t, p);
                }
            }
        });
        return out;
    }

    /** The partitions in both. */
    static TreeMap<Uuid, SortedSet<Integer>> intersect(final Map<Uuid, SortedSet<Integer>> a,
                                                       final Map<Uuid, SortedSet<Integer>> b) {
        final TreeMap<Uuid, SortedSet<Integer>> out = new TreeMap<>();
        a.forEach((t, ps) -> {
            for (final int p : ps) {
                if (contains(b, t, p)) {
                    add(out, t, p);
                }
            }
        });
        return out;
    }

    static boolean intersects(final Map<Uuid, SortedSet<Integer>> a, final Map<Uuid, SortedSet<Integer>> b) {
        return !intersect(a, b).isEmpty();
    }

    static int size(final Map<Uuid, SortedSet<Integer>> a) {
        int n = 0;
        for (final SortedSet<Integer> ps : a.values()) {
            n += ps.size();
        }
        return n;
    }
}
