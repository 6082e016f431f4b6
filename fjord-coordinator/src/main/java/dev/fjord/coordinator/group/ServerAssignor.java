package dev.fjord.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A KIP-848 server-side assignor: computes a consumer group's target assignment from its members'
 * subscriptions. Pure functions of their arguments (members and topics come sorted), so the same group
 * state always yields the same assignment.
 */
interface ServerAssignor {
    String name();

    /**
     * @param subscriptions member id to the ids of the existing topics it subscribes to
     * @param partitionCounts topic id to its partition count, for every subscribed topic
     * @param previous the previous target assignment (member id to partitions); members may have left
     * @return member id to its target partitions, an entry for every member
     */
    Map<String, TreeMap<Uuid, SortedSet<Integer>>> assign(SortedMap<String, Set<Uuid>> subscriptions,
                                                          SortedMap<Uuid, Integer> partitionCounts,
                                                          Map<String, ? extends Map<Uuid, SortedSet<Integer>>> previous);

    /** The assignor of that short name (Kafka's class names are accepted too), or null. */
    static ServerAssignor named(final String name) {
        if (name == null) {
            return null;
        }
        return switch (name.trim()) {
            case "uniform", "org.apache.kafka.coordinator.group.assignor.UniformAssignor" -> UniformAssignor.INSTANCE;
            case "range", "org.apache.kafka.coordinator.group.assignor.RangeAssignor" -> RangeAssignor.INSTANCE;
            default -> null;
        };
    }

    /** Short name of a configured assignor (Kafka class names map to {@code uniform} / {@code range}). */
    static String shortName(final String name) {
        final ServerAssignor a = named(name);
        return a == null ? name : a.name();
    }

    /**
     * {@code range}: for each topic, its members (by member id) get contiguous ranges of partitions, the first
     * {@code partitions % members} one more. Members subscribed to the same co-partitioned topics get the same
     * partition numbers of each.
     */
    final class RangeAssignor implements ServerAssignor {
        static final RangeAssignor INSTANCE = new RangeAssignor();

        @Override
        public String name() {
            return "range";
        }

        @Override
        public Map<String, TreeMap<Uuid, SortedSet<Integer>>> assign(final SortedMap<String, Set<Uuid>> subscriptions,
                                                                     final SortedMap<Uuid, Integer> partitionCounts,
                                                                     final Map<String, ? extends Map<Uuid, SortedSet<Integer>>> previous) {
            final Map<String, TreeMap<Uuid, SortedSet<Integer>>> out = new HashMap<>();
            subscriptions.keySet().forEach(m -> out.put(m, Assignments.empty()));
            for (final Map.Entry<Uuid, Integer> topic : partitionCounts.entrySet()) {
                final List<String> members = new ArrayList<>();
                subscriptions.forEach((m, topics) -> {
                    if (topics.contains(topic.getKey())) {
                        members.add(m);
                    }
                });
                if (members.isEmpty()) {
                    continue;
                }
                final int per = topic.getValue() / members.size();
                final int extra = topic.getValue() % members.size();
                int next = 0;
                for (int i = 0; i < members.size(); i++) {
                    final int n = per + (i < extra ? 1 : 0);
                    for (int k = 0; k < n; k++) {
                        Assignments.add(out.get(members.get(i)), topic.getKey(), next++);
                    }
                }
            }
            return out;
        }
    }

    /**
     * {@code uniform} (the default): spreads partitions so that members' counts differ by at most one where
     * their subscriptions allow, keeping each member's previous partitions where that balance permits, so a
     * membership change moves as few partitions as it can.
     *
     * <p>Three steps: keep the previous owner of each partition that still exists and is still subscribed;
     * give every other partition to the eligible member with the fewest; then move partitions one at a time
     * from a member to an eligible one with at least two fewer, until none can move. Each move lowers the
     * sum of squared counts, so the last step ends.
     */
    final class UniformAssignor implements ServerAssignor {
        static final UniformAssignor INSTANCE = new UniformAssignor();

        @Override
        public String name() {
            return "uniform";
        }

        @Override
        public Map<String, TreeMap<Uuid, SortedSet<Integer>>> assign(final SortedMap<String, Set<Uuid>> subscriptions,
                                                                     final SortedMap<Uuid, Integer> partitionCounts,
                                                                     final Map<String, ? extends Map<Uuid, SortedSet<Integer>>> previous) {
            final Map<String, TreeMap<Uuid, SortedSet<Integer>>> out = new HashMap<>();
            final Map<String, Integer> counts = new HashMap<>();
            subscriptions.keySet().forEach(m -> {
                out.put(m, Assignments.empty());
                counts.put(m, 0);
            });
            final Map<Uuid, Set<Integer>> taken = new HashMap<>();
            // 1. Stickiness: each partition stays with its previous owner if that owner may still have it.
            subscriptions.forEach((m, topics) -> {
                final Map<Uuid, SortedSet<Integer>> before = previous.get(m);
                if (before == null) {
                    return;
                }
                before.forEach((topic, ps) -> {
                    final Integer count = partitionCounts.get(topic);
                    if (count == null || !topics.contains(topic)) {
                        return;
                    }
                    for (final int p : ps) {
                        if (p < count && taken.computeIfAbsent(topic, t -> new java.util.HashSet<>()).add(p)) {
                            Assignments.add(out.get(m), topic, p);
                            counts.merge(m, 1, Integer::sum);
                        }
                    }
                });
            });
            // 2. Every other partition goes to the eligible member with the fewest partitions.
            for (final Map.Entry<Uuid, Integer> topic : partitionCounts.entrySet()) {
                for (int p = 0; p < topic.getValue(); p++) {
                    if (taken.getOrDefault(topic.getKey(), Set.of()).contains(p)) {
                        continue;
                    }
                    final String least = leastLoaded(subscriptions, counts, topic.getKey(), Integer.MAX_VALUE);
                    if (least != null) {
                        Assignments.add(out.get(least), topic.getKey(), p);
                        counts.merge(least, 1, Integer::sum);
                    }
                }
            }
            balance(subscriptions, out, counts);
            return out;
        }

        /** 3. Moves partitions from fuller members to eligible members with at least two fewer. */
        private static void balance(final SortedMap<String, Set<Uuid>> subscriptions,
                                    final Map<String, TreeMap<Uuid, SortedSet<Integer>>> out,
                                    final Map<String, Integer> counts) {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (final String from : subscriptions.keySet()) {
                    final TreeMap<Uuid, SortedSet<Integer>> owned = out.get(from);
                    for (final Uuid topic : new ArrayList<>(owned.descendingKeySet())) {
                        final SortedSet<Integer> ps = owned.get(topic);
                        while (ps != null && !ps.isEmpty()) {
                            final String to = leastLoaded(subscriptions, counts, topic, counts.get(from) - 1);
                            if (to == null) {
                                break;
                            }
                            final int p = ps.last();
                            ps.remove(p);
                            Assignments.add(out.get(to), topic, p);
                            counts.merge(from, -1, Integer::sum);
                            counts.merge(to, 1, Integer::sum);
                            moved = true;
                        }
                        if (ps != null && ps.isEmpty()) {
                            owned.remove(topic);
                        }
                    }
                }
            }
        }

        /** The member subscribed to {@code topic} with the fewest partitions, if fewer than {@code below}. */
        private static String leastLoaded(final SortedMap<String, Set<Uuid>> subscriptions,
                                          final Map<String, Integer> counts, final Uuid topic, final int below) {
            String best = null;
            int bestCount = below;
            for (final Map.Entry<String, Set<Uuid>> e : subscriptions.entrySet()) {
                final int c = counts.get(e.getKey());
                if (e.getValue().contains(topic) && c < bestCount) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            return best;
        }
    }
}
