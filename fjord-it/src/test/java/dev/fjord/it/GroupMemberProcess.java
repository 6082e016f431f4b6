package dev.fjord.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A group member in a JVM of its own, so a test can kill it with SIGKILL: it never leaves the group, it
 * just stops. Prints {@code assigned P,P,...} whenever its assignment changes.
 *
 * <p>Arguments: BOOTSTRAP GROUP TOPIC ASSIGNOR_CLASS SESSION_TIMEOUT_MS
 */
public final class GroupMemberProcess {
    private GroupMemberProcess() {
    }

    public static void main(final String[] args) {
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.consumer(args[0], Map.of("group.id", args[1],
                "partition.assignment.strategy", args[3], "session.timeout.ms", args[4],
                "heartbeat.interval.ms", "200", "auto.offset.reset", "earliest"))) {
            consumer.subscribe(List.of(args[2]));
            String last = null;
            while (true) {
                consumer.poll(Duration.ofMillis(100));
                final TreeSet<Integer> owned = new TreeSet<>();
                consumer.assignment().forEach(tp -> owned.add(tp.partition()));
                final String now = "assigned " + owned.toString().replaceAll("[\\[\\] ]", "");
                if (!now.equals(last)) {
                    System.out.println(now);
                    System.out.flush();
                    last = now;
                }
            }
        }
    }
}
