package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Crash safety under load: an idempotent acks=all producer and a committing consumer group run against a
 * broker process that is killed with SIGKILL at random moments and started again on the same port and data,
 * {@code fjord.crash.cycles} times (50 by default). Afterwards every acknowledged record is in the log exactly
 * once, at the offset it was acknowledged with, in the order it was sent; the group consumed every offset
 * (resuming from its commits, never skipping); and reads through the indexes (seek, offsetsForTimes) agree
 * with a full scan.
 */
class CrashRestartTest {
    private static final String TOPIC = "crashy";
    private static final int PARTITIONS = 3;
    private static final int CYCLES = Integer.getInteger("fjord.crash.cycles", 50);

    private Path dataDir;
    private int port;
    private BrokerProcess broker;

    @BeforeEach
    void start() throws Exception {
        dataDir = Files.createTempDirectory("fjord-crash");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        broker = startBroker();
    }

    @AfterEach
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private BrokerProcess startBroker() throws IOException, InterruptedException {
        // Segments small enough that the run crosses many segment boundaries and index files.
        return BrokerProcess.start(dataDir, "listeners=PLAINTEXT://127.0.0.1:" + port, "log.segment.bytes=65536",
                "group.initial.rebalance.delay.ms=0", "offsets.topic.num.partitions=3");
    }

    @Test
    void acknowledgedRecordsSurviveEveryCrashExactlyOnceAndInOrder() throws Exception {
        final String bootstrap = "127.0.0.1:" + port;
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        }
        final Map<Integer, ConcurrentSkipListMap<Long, Long>> acked = new ConcurrentHashMap<>();
        final Map<Integer, ConcurrentSkipListMap<Long, Integer>> consumed = new ConcurrentHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            acked.put(p, new ConcurrentSkipListMap<>());
            consumed.put(p, new ConcurrentSkipListMap<>());
        }
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        final Thread producer = new Thread(() -> produce(bootstrap, running, acked, failure), "crash-producer");
        final Thread consumer = new Thread(() -> consume(bootstrap, running, consumed, failure), "crash-consumer");
        producer.start();
        consumer.start();

        final Random random = new Random(42);
        for (int cycle = 0; cycle < CYCLES && failure.get() == null; cycle++) {
            Thread.sleep(150 + random.nextInt(600));
            broker.kill();
            broker = startBroker();
        }
        // Let both catch up with a broker that stays up, then stop them.
        Thread.sleep(2000);
        running.set(false);
        producer.join(TimeUnit.SECONDS.toMillis(120));
        consumer.join(TimeUnit.SECONDS.toMillis(120));
        assertThat(failure.get()).as("client failure").isNull();
        final long total = acked.values().stream().mapToLong(Map::size).sum();
        assertThat(total).as("records acknowledged over %d crashes", CYCLES).isGreaterThan(CYCLES);

        broker.kill();
        broker = startBroker();
        try (KafkaConsumer<byte[], byte[]> reader = Clients.consumer(bootstrap, Map.of())) {
            for (int p = 0; p < PARTITIONS; p++) {
                final TopicPartition tp = new TopicPartition(TOPIC, p);
                final TreeMap<Long, ConsumerRecord<byte[], byte[]>> log = readAll(reader, tp);
                // Every offset once, the values a strictly increasing sequence: no duplicates, no reordering.
                long expectedOffset = 0;
                long lastValue = -1;
                for (final ConsumerRecord<byte[], byte[]> r : log.values()) {
                    assertThat(r.offset()).isEqualTo(expectedOffset++);
                    final long value = Long.parseLong(new String(r.value()));
                    assertThat(value).as("value at offset %d of %s", r.offset(), tp).isGreaterThan(lastValue);
                    lastValue = value;
                }
                // Every acknowledged record where it was acknowledged.
                for (final Map.Entry<Long, Long> a : acked.get(p).entrySet()) {
                    assertThat(log).as("acknowledged offset %d of %s", a.getKey(), tp).containsKey(a.getKey());
                    assertThat(Long.parseLong(new String(log.get(a.getKey()).value()))).isEqualTo(a.getValue());
                }
                // The group read every offset it committed past: resuming from commits never skips.
                final ConcurrentSkipListMap<Long, Integer> seen = consumed.get(p);
                if (!seen.isEmpty()) {
                    for (long o = 0; o <= seen.lastKey(); o++) {
                        assertThat(seen).as("offset %d of %s consumed by the group", o, tp).containsKey(o);
                    }
                }
                checkIndexes(reader, tp, log);
            }
        }
        System.out.printf("crash-restart: %d SIGKILL cycles, %d records acknowledged, none lost or duplicated%n",
                CYCLES, total);
    }

    private static void produce(final String bootstrap, final AtomicBoolean running,
                                final Map<Integer, ConcurrentSkipListMap<Long, Long>> acked,
                                final AtomicReference<Throwable> failure) {
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(bootstrap, Map.of("acks", "all",
                "enable.idempotence", "true", "linger.ms", "2", "delivery.timeout.ms", "600000",
                "request.timeout.ms", "5000", "reconnect.backoff.max.ms", "200", "retry.backoff.max.ms", "200"))) {
            long value = 0;
            while (running.get() && failure.get() == null) {
                final long v = value++;
                final int partition = (int) (v % PARTITIONS);
                p.send(new ProducerRecord<>(TOPIC, partition, null, Long.toString(v).getBytes()), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.get(md.partition()).put(md.offset(), v);
                    }
                });
                if (v % 10 == 9) {
                    Thread.sleep(2); // a steady stream, not a flood
                }
            }
            p.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static void consume(final String bootstrap, final AtomicBoolean running,
                                final Map<Integer, ConcurrentSkipListMap<Long, Integer>> consumed,
                                final AtomicReference<Throwable> failure) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(bootstrap, Map.of("group.id", "crash-group",
                "auto.offset.reset", "earliest", "request.timeout.ms", "5000", "heartbeat.interval.ms", "500",
                "session.timeout.ms", "10000", "reconnect.backoff.max.ms", "200", "retry.backoff.max.ms", "200"))) {
            c.subscribe(List.of(TOPIC));
            while (running.get() && failure.get() == null) {
                try {
                    for (final ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        consumed.get(r.partition()).merge(r.offset(), 1, Integer::sum);
                    }
                    c.commitSync(Duration.ofSeconds(10));
                } catch (org.apache.kafka.common.errors.RetriableException
                         | org.apache.kafka.clients.consumer.CommitFailedException
                         | org.apache.kafka.common.errors.RebalanceInProgressException e) {
                    // The broker went away mid-commit: at-least-once means re-reading, never skipping.
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static TreeMap<Long, ConsumerRecord<byte[], byte[]>> readAll(final KafkaConsumer<byte[], byte[]> reader,
                                                                      final TopicPartition tp) {
        final long end = reader.endOffsets(List.of(tp)).get(tp);
        final TreeMap<Long, ConsumerRecord<byte[], byte[]>> log = new TreeMap<>();
        for (final ConsumerRecord<byte[], byte[]> r : Clients.readToEnd(reader, List.of(tp), Duration.ofSeconds(60))) {
            log.put(r.offset(), r);
        }
        assertThat((long) log.size()).as("records of %s", tp).isEqualTo(end);
        return log;
    }

    /** Seeks to offsets spread over the log, and looks records up by timestamp: both go through the indexes. */
    private static void checkIndexes(final KafkaConsumer<byte[], byte[]> reader, final TopicPartition tp,
                                     final TreeMap<Long, ConsumerRecord<byte[], byte[]>> log) {
        if (log.isEmpty()) {
            return;
        }
        final List<Long> probes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            probes.add(log.size() * (long) i / 20);
        }
        for (final long offset : probes) {
            reader.seek(tp, offset);
            final List<ConsumerRecord<byte[], byte[]>> got = reader.poll(Duration.ofSeconds(5)).records(tp);
            assertThat(got).as("records at offset %d of %s", offset, tp).isNotEmpty();
            assertThat(got.get(0).offset()).isEqualTo(offset);
            final long ts = log.get(offset).timestamp();
            final var found = reader.offsetsForTimes(Map.of(tp, ts)).get(tp);
            assertThat(found).as("offsetsForTimes(%d) on %s", ts, tp).isNotNull();
            assertThat(found.offset()).isLessThanOrEqualTo(offset);
            assertThat(log.get(found.offset()).timestamp()).isGreaterThanOrEqualTo(ts);
            if (found.offset() > 0) {
                assertThat(log.get(found.offset() - 1).timestamp()).isLessThan(ts);
            }
        }
    }
}
