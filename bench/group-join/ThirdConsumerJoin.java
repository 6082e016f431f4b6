import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How long a consumer group takes to take in a third member: two consumers share a 6-partition topic,
 * a third subscribes, and the clock runs until each of the three has received a record from its new
 * assignment. Same client, same settings, for any broker.
 *
 * Usage: java -cp KAFKA_CLIENTS_CLASSPATH ThirdConsumerJoin.java BOOTSTRAP ASSIGNOR [RUNS]
 */
public class ThirdConsumerJoin {
    public static void main(final String[] args) throws Exception {
        final String bootstrap = args[0];
        final String assignor = args.length > 1 ? args[1] : "org.apache.kafka.clients.consumer.RangeAssignor";
        final int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        for (int run = 0; run < runs; run++) {
            System.out.println("third-consumer-join-ms " + once(bootstrap, assignor, run));
        }
    }

    static long once(final String bootstrap, final String assignor, final int run) throws Exception {
        final String topic = "third-join-" + System.nanoTime();
        final String group = topic + "-g";
        final Properties ap = new Properties();
        ap.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        final List<KafkaConsumer<String, String>> members = new ArrayList<>();
        try {
            members.add(consumer(bootstrap, group, assignor));
            members.add(consumer(bootstrap, group, assignor));
            for (final KafkaConsumer<String, String> c : members) {
                c.subscribe(List.of(topic));
            }
            while (members.get(0).assignment().size() + members.get(1).assignment().size() < 6) {
                members.forEach(c -> c.poll(Duration.ofMillis(50)));
            }
            final KafkaConsumer<String, String> third = consumer(bootstrap, group, assignor);
            members.add(third);
            // A record on every partition, so every member gets data from whatever it owns.
            try (KafkaProducer<String, String> p = producer(bootstrap)) {
                for (int i = 0; i < 6; i++) {
                    p.send(new ProducerRecord<>(topic, i, null, "x")).get();
                }
            }
            final long start = System.nanoTime();
            third.subscribe(List.of(topic));
            final Set<Integer> consuming = new HashSet<>();
            final long deadline = start + 120_000_000_000L;
            while (consuming.size() < 3 && System.nanoTime() < deadline) {
                for (int i = 0; i < 3; i++) {
                    final ConsumerRecords<String, String> got = members.get(i).poll(Duration.ofMillis(20));
                    final boolean allThreeOwn = members.stream().noneMatch(c -> c.assignment().isEmpty());
                    if (!got.isEmpty() && allThreeOwn) {
                        consuming.add(i);
                    } else if (allThreeOwn && !consuming.contains(i)) {
                        // Re-read what it owns so a member that consumed before the rebalance counts only after it.
                        for (final TopicPartition tp : members.get(i).assignment()) {
                            members.get(i).seek(tp, 0);
                        }
                    }
                }
            }
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            members.forEach(KafkaConsumer::close);
        }
    }

    static KafkaConsumer<String, String> consumer(final String bootstrap, final String group, final String assignor) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("partition.assignment.strategy", assignor);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    static KafkaProducer<String, String> producer(final String bootstrap) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
}
