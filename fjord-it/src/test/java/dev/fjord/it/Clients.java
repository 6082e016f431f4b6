package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Real kafka-clients with their default settings, plus what a test names. */
final class Clients {
    private Clients() {
    }

    static Admin admin(final String bootstrap) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return Admin.create(p);
    }

    static KafkaProducer<byte[], byte[]> producer(final String bootstrap, final Map<String, Object> extra) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(final String bootstrap, final Map<String, Object> extra) {
        final Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        p.putAll(extra);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads {@code partitions} from their beginning up to the end offsets they have when the read starts
     * (the last stable offset for a read_committed consumer), in the order polled.
     *
     * @throws AssertionError if that takes longer than {@code timeout}
     */
    static List<ConsumerRecord<byte[], byte[]>> readToEnd(final KafkaConsumer<byte[], byte[]> consumer,
                                                          final Collection<TopicPartition> partitions,
                                                          final Duration timeout) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        final List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            assertThat(System.nanoTime()).as("read %s up to %s within %s", partitions, end, timeout).isLessThan(deadline);
            for (final ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                out.add(r);
            }
        }
        return out;
    }

    /** Polls every consumer (100 ms each, records dropped) until {@code done} holds after a round; 60 s at most. */
    static void pollUntil(final List<KafkaConsumer<byte[], byte[]>> consumers, final BooleanSupplier done) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (final KafkaConsumer<byte[], byte[]> c : consumers) {
                c.poll(Duration.ofMillis(100));
            }
            if (done.getAsBoolean()) {
                return;
            }
        }
        final List<Set<TopicPartition>> got = new ArrayList<>();
        consumers.forEach(c -> got.add(c.assignment()));
        throw new AssertionError("Condition not reached within 60 s; assignments " + got);
    }

    /**
     * Polls every consumer until together they own exactly {@code partitions} partitions, each once, and
     * each consumer's own share passes {@code share}.
     */
    static void awaitAssignment(final List<KafkaConsumer<byte[], byte[]>> consumers, final int partitions,
                                final Predicate<Set<TopicPartition>> share) {
        pollUntil(consumers, () -> {
            final List<TopicPartition> all = new ArrayList<>();
            consumers.forEach(c -> all.addAll(c.assignment()));
            return all.size() == partitions && new HashSet<>(all).size() == partitions
                    && consumers.stream().allMatch(c -> share.test(c.assignment()));
        });
    }
}
