package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How members come and go, for each of Kafka's assignors: the rebalance listener's callbacks, a member
 * killed without leaving, a static member restarting inside its session timeout.
 */
class GroupMembershipTest {
    private static final String TOPIC = "members";
    private static final int PARTITIONS = 6;

    private EmbeddedFjord fjord;
    private Admin admin;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.start();
        admin = Clients.admin(fjord.bootstrapServers());
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
    }

    @AfterEach
    void stop() {
        admin.close();
        fjord.close();
    }

    static String assignorClass(final String name) {
        switch (name) {
            case "range":
                return "org.apache.kafka.clients.consumer.RangeAssignor";
            case "roundrobin":
                return "org.apache.kafka.clients.consumer.RoundRobinAssignor";
            case "sticky":
                return "org.apache.kafka.clients.consumer.StickyAssignor";
            default:
                return "org.apache.kafka.clients.consumer.CooperativeStickyAssignor";
        }
    }

    private KafkaConsumer<byte[], byte[]> member(final String group, final String assignor, final Map<String, Object> extra) {
        final Map<String, Object> config = new HashMap<>(Map.of("group.id", group,
                "partition.assignment.strategy", assignorClass(assignor), "auto.offset.reset", "earliest",
                "heartbeat.interval.ms", "200", "session.timeout.ms", "6000"));
        config.putAll(extra);
        return Clients.consumer(fjord.bootstrapServers(), config);
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void listenerSeesRevocationsAsTheProtocolPrescribes(final String assignor) {
        final String group = "listen-" + assignor;
        final Events events = new Events();
        try (KafkaConsumer<byte[], byte[]> a = member(group, assignor, Map.of());
             KafkaConsumer<byte[], byte[]> b = member(group, assignor, Map.of())) {
            a.subscribe(List.of(TOPIC), events);
            pollUntil(List.of(a), () -> a.assignment().size() == PARTITIONS);
            assertThat(events.assigned()).containsExactly(all());
            events.clear();

            b.subscribe(List.of(TOPIC));
            pollUntil(List.of(a, b), () -> a.assignment().size() + b.assignment().size() == PARTITIONS
                    && !a.assignment().isEmpty() && !b.assignment().isEmpty());
            final Set<TopicPartition> moved = new HashSet<>(b.assignment());
            if (assignor.equals("cooperative-sticky")) {
                // Incremental: only what moved to b is revoked; a keeps the rest without interruption.
                assertThat(events.revoked()).containsExactly(moved);
            } else {
                // Eager: everything is revoked before the rebalance, then the new share assigned.
                assertThat(events.revoked()).containsExactly(all());
                assertThat(events.assigned()).last().isEqualTo(a.assignment());
            }
            assertThat(events.lost()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "cooperative-sticky"})
    void partitionsAreLostWhenTheMemberMissesItsPollInterval(final String assignor) throws Exception {
        final Events events = new Events();
        try (KafkaConsumer<byte[], byte[]> a = member("lost-" + assignor, assignor,
                Map.of("max.poll.interval.ms", "1000"))) {
            a.subscribe(List.of(TOPIC), events);
            pollUntil(List.of(a), () -> a.assignment().size() == PARTITIONS);
            // Not polling for longer than max.poll.interval.ms: the client's heartbeat thread leaves the group.
            Thread.sleep(2500);
            pollUntil(List.of(a), () -> !events.lost().isEmpty() && a.assignment().size() == PARTITIONS);
            assertThat(events.lost()).containsExactly(all());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void killedMembersPartitionsMoveAfterTheSessionTimeout(final String assignor) throws Exception {
        final String group = "killed-" + assignor;
        final Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), GroupMemberProcess.class.getName(),
                fjord.bootstrapServers(), group, TOPIC, assignorClass(assignor), "6000")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (KafkaConsumer<byte[], byte[]> a = member(group, assignor, Map.of())) {
            final List<String> lines = new CopyOnWriteArrayList<>();
            final Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the process was killed
                }
            });
            reader.setDaemon(true);
            reader.start();
            a.subscribe(List.of(TOPIC));
            pollUntil(List.of(a), () -> !a.assignment().isEmpty() && a.assignment().size() < PARTITIONS
                    && !lines.isEmpty() && !lines.get(lines.size() - 1).equals("assigned "));
            final int otherOwned = lines.get(lines.size() - 1).substring("assigned ".length()).split(",").length;
            assertThat(a.assignment().size() + otherOwned).isEqualTo(PARTITIONS);

            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            // No LeaveGroup was sent: the coordinator finds out when the session times out.
            pollUntil(List.of(a), () -> a.assignment().size() == PARTITIONS);
        } finally {
            other.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void staticMemberRestartsWithoutARebalance(final String assignor) {
        final String group = "static-" + assignor;
        final Map<String, Object> longSession = Map.of("session.timeout.ms", "30000");
        final Events bEvents = new Events();
        final Set<TopicPartition> before;
        final int generation;
        try (KafkaConsumer<byte[], byte[]> b = member(group, assignor, with(longSession, "group.instance.id", "b"))) {
            try (KafkaConsumer<byte[], byte[]> a = member(group, assignor, with(longSession, "group.instance.id", "a"))) {
                a.subscribe(List.of(TOPIC));
                b.subscribe(List.of(TOPIC), bEvents);
                pollUntil(List.of(a, b), () -> a.assignment().size() + b.assignment().size() == PARTITIONS
                        && !a.assignment().isEmpty() && !b.assignment().isEmpty());
                before = new HashSet<>(a.assignment());
                generation = a.groupMetadata().generationId();
            }
            // a is closed; a static member does not leave, so nothing rebalances until its session would expire.
            bEvents.clear();
            try (KafkaConsumer<byte[], byte[]> again = member(group, assignor, with(longSession, "group.instance.id", "a"))) {
                again.subscribe(List.of(TOPIC));
                pollUntil(List.of(again, b), () -> !again.assignment().isEmpty());
                assertThat(again.assignment()).isEqualTo(before);
                assertThat(again.groupMetadata().generationId()).isEqualTo(generation);
                // b keeps heartbeating through the restart without being asked to rejoin.
                final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                while (System.nanoTime() < until) {
                    b.poll(Duration.ofMillis(100));
                    again.poll(Duration.ofMillis(100));
                }
                assertThat(b.groupMetadata().generationId()).isEqualTo(generation);
                assertThat(bEvents.revoked()).isEmpty();
                assertThat(bEvents.lost()).isEmpty();
            }
        }
    }

    private static Map<String, Object> with(final Map<String, Object> base, final String key, final Object value) {
        final Map<String, Object> m = new HashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static Set<TopicPartition> all() {
        final Set<TopicPartition> all = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        return all;
    }

    private static void pollUntil(final List<KafkaConsumer<byte[], byte[]>> consumers, final BooleanSupplier done) {
        Clients.pollUntil(consumers, done);
    }

    /** Every non-empty callback, in order. */
    private static final class Events implements ConsumerRebalanceListener {
        private final List<Set<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
        private final List<Set<TopicPartition>> assigned = new CopyOnWriteArrayList<>();
        private final List<Set<TopicPartition>> lost = new CopyOnWriteArrayList<>();

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {
            add(revoked, partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            add(assigned, partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions) {
            add(lost, partitions);
        }

        private static void add(final List<Set<TopicPartition>> to, final Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                to.add(new HashSet<>(partitions));
            }
        }

        List<Set<TopicPartition>> revoked() {
            return revoked;
        }

        List<Set<TopicPartition>> assigned() {
            return assigned;
        }

        List<Set<TopicPartition>> lost() {
            return lost;
        }

        void clear() {
            revoked.clear();
            assigned.clear();
            lost.clear();
        }
    }
}
