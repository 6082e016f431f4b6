import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The bench's own client measurements, with the same kafka-clients as the perf tools, for any broker.
 *
 * <pre>
 * create   BOOTSTRAP TOPIC:PARTITIONS...  create topics (replication factor 1) and wait until every
 *                                       partition has a leader; a topic of more than one partition then
 *                                       gets one record per partition (acks=1, retried until accepted), so
 *                                       a timed producer starts when the broker takes writes everywhere
 *                                       (Kafka answers NOT_LEADER_OR_FOLLOWER for a while after creating
 *                                       1,000 partitions, although metadata already names the leader)
 * group    BOOTSTRAP TOPIC MEMBERS      "group_all_consuming_ms N": MEMBERS consumers of one group subscribe
 *                                       to a topic of MEMBERS partitions (one record each); clock from the
 *                                       subscribes until every member has received a record in the
 *                                       generation that has all of them, one partition each
 * headtail BOOTSTRAP TOPIC ROUNDS       "fetch_head_ms X" / "fetch_tail_ms Y": one consumer, partition 0
 *                                       assigned; alternately seek to offset 0 and to the last offset and
 *                                       time poll() until that record arrives; medians over ROUNDS each
 * </pre>
 */
public class BenchClient {
    public static void main(final String[] args) throws Exception {
        switch (args[0]) {
            case "create" -> create(args[1], Arrays.copyOfRange(args, 2, args.length));
            case "group" -> System.out.println("group_all_consuming_ms " + group(args[1], args[2], Integer.parseInt(args[3])));
            case "headtail" -> headTail(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static Properties props(final String bootstrap) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    static void create(final String bootstrap, final String[] specs) throws Exception {
        final List<NewTopic> topics = new ArrayList<>();
        for (final String spec : specs) {
            final String[] nameAndCount = spec.split(":");
            topics.add(new NewTopic(nameAndCount[0], Integer.parseInt(nameAndCount[1]), (short) 1));
        }
        try (Admin admin = Admin.create(props(bootstrap))) {
            admin.createTopics(topics).all().get();
            final List<String> names = topics.stream().map(NewTopic::name).toList();
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    final boolean ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0));
                    if (ready) {
                        break;
                    }
                } catch (final java.util.concurrent.ExecutionException e) {
                    // not yet known to the broker that answered: try again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + names + " without a leader after 60 s");
                }
                Thread.sleep(20);
            }
        }
        final Properties p = props(bootstrap);
        p.put("acks", "1");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            final List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (final NewTopic topic : topics) {
                for (int partition = 0; topic.numPartitions() > 1 && partition < topic.numPartitions(); partition++) {
                    sent.add(producer.send(new ProducerRecord<>(topic.name(), partition, null, new byte[1])));
                }
            }
            for (final java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        }
    }

    /** What each member thread publishes after every poll (read by the main thread). */
    static final class Member {
        volatile int generation = -1;
        volatile int consumedInGeneration = -2;
        volatile int assigned;
    }

    static long group(final String bootstrap, final String topic, final int members) throws Exception {
        try (Admin admin = Admin.create(props(bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, members, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(props(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < members; p++) {
                producer.send(new ProducerRecord<>(topic, p, null, new byte[1024])).get();
            }
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final Member[] state = new Member[members];
        final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            state[i] = new Member();
            final Properties p = props(bootstrap);
            p.put("group.id", topic + "-group");
            p.put("auto.offset.reset", "earliest");
            p.put("enable.auto.commit", "false");   // every new owner reads its partition from the start
            p.put("partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor");
            consumers.add(new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
        }
        final List<Thread> threads = new ArrayList<>();
        final long start = System.nanoTime();
        for (int i = 0; i < members; i++) {
            final KafkaConsumer<byte[], byte[]> c = consumers.get(i);
            final Member m = state[i];
            final Thread t = new Thread(() -> {
                try (c) {
                    c.subscribe(List.of(topic));
                    while (!stop.get()) {
                        final ConsumerRecords<byte[], byte[]> got = c.poll(Duration.ofMillis(20));
                        final int generation = c.groupMetadata().generationId();
                        m.assigned = c.assignment().size();
                        m.generation = generation;
                        if (!got.isEmpty()) {
                            m.consumedInGeneration = generation;
                        }
                    }
                }
            }, "member-" + i);
            t.start();
            threads.add(t);
        }
        final long deadline = start + 120_000_000_000L;
        long end = -1;
        while (System.nanoTime() < deadline) {
            final int generation = state[0].generation;
            final boolean done = generation >= 0 && Arrays.stream(state).allMatch(
                m -> m.generation == generation && m.consumedInGeneration == generation && m.assigned == 1);
            if (done) {
                end = System.nanoTime();
                break;
            }
            Thread.sleep(1);
        }
        stop.set(true);
        for (final Thread t : threads) {
            t.join();
        }
        if (end < 0) {
            throw new IllegalStateException("the group of " + members + " did not all consume within 120 s");
        }
        return (end - start) / 1_000_000;
    }

    static void headTail(final String bootstrap, final String topic, final int rounds) {
        final Properties p = props(bootstrap);
        p.put("max.partition.fetch.bytes", "1");   // one batch per fetch at either end (Kafka returns >= 1 batch)
        p.put("fetch.max.wait.ms", "0");           // a fetch at the tail must not wait for new data
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            final Map<TopicPartition, Long> ends = c.endOffsets(List.of(tp));
            final long last = ends.get(tp) - 1;
            if (last < 1) {
                throw new IllegalStateException(topic + " is empty");
            }
            timeFirstRecord(c, tp, last);   // connection and metadata set up, not timed
            final double[] head = new double[rounds];
            final double[] tail = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                head[i] = timeFirstRecord(c, tp, 0);
                tail[i] = timeFirstRecord(c, tp, last);
            }
            System.out.printf("fetch_head_ms %.3f%nfetch_tail_ms %.3f%n", median(head), median(tail));
        }
    }

    static double timeFirstRecord(final KafkaConsumer<byte[], byte[]> c, final TopicPartition tp, final long offset) {
        final long start = System.nanoTime();
        c.seek(tp, offset);
        final long deadline = start + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            final ConsumerRecords<byte[], byte[]> got = c.poll(Duration.ofMillis(100));
            if (!got.isEmpty()) {
                final ConsumerRecord<byte[], byte[]> first = got.records(tp).get(0);
                if (first.offset() != offset) {
                    throw new IllegalStateException("asked for offset " + offset + ", got " + first.offset());
                }
                return (System.nanoTime() - start) / 1e6;
            }
        }
        throw new IllegalStateException("no record at offset " + offset + " within 30 s");
    }

    static double median(final double[] values) {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
