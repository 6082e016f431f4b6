// Kafka Streams word count with processing.guarantee=exactly_once_v2: lines -> words -> groupBy(word)
// (a repartition topic) -> count() in a persistent state store (a changelog topic) -> output topic.
// The counts read back read_committed, and from the state store, must equal the counts computed here.
//
//   java -cp 'lib/*' WordCount.java BOOTSTRAP
//
// Prints "CELL kafka-streams <version> app PASS|FAIL <reason>" (compat/README.md).
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

public class WordCount {
    static final String[] WORDS = {"fjord", "kafka", "stream", "count", "exactly", "once", "state", "store", "topic", "record"};

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String version = "unknown";
        try (java.io.InputStream v = KafkaStreams.class.getResourceAsStream("/kafka/kafka-streams-version.properties")) {
            Properties vp = new Properties();
            vp.load(v);
            version = vp.getProperty("version", version).trim();
        } catch (Exception e) {
            // keep "unknown"
        }
        String result;
        try {
            long ms = run(bootstrap);
            result = "PASS word count exactly_once_v2 (repartition + state store) in " + ms + " ms";
        } catch (Throwable t) {
            t.printStackTrace();
            String m = (t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())).replaceAll("\\s+", " ");
            result = "FAIL " + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
        }
        System.out.println("CELL kafka-streams " + version + " app " + result);
        System.exit(result.startsWith("PASS") ? 0 : 1);
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    static long run(String bootstrap) throws Exception {
        long t0 = System.currentTimeMillis();
        String id = "compat-wc-" + System.currentTimeMillis() % 100000000 + "-" + new Random().nextInt(10000);
        String in = id + "-lines", out = id + "-counts", storeName = "word-counts";
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Path stateDir = Files.createTempDirectory("compat-streams-state");
        try (Admin admin = Admin.create(ap)) {
            admin.createTopics(List.of(new NewTopic(in, 3, (short) 1), new NewTopic(out, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);

            // 300 lines of 1-5 words, keyed by line number: the words' keys only exist after the groupBy
            Random rnd = new Random(42);
            Map<String, Long> expected = new TreeMap<>();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                StringBuilder line = new StringBuilder();
                int n = 1 + rnd.nextInt(5);
                for (int w = 0; w < n; w++) {
                    String word = WORDS[rnd.nextInt(WORDS.length)];
                    line.append(w == 0 ? "" : " ").append(w % 2 == 0 ? word : word.toUpperCase());
                    expected.merge(word, 1L, Long::sum);
                }
                lines.add(line.toString());
            }

            StreamsBuilder b = new StreamsBuilder();
            b.<String, String>stream(in)
                .flatMapValues(v -> Arrays.asList(v.toLowerCase(Locale.ROOT).split(" ")))
                .groupBy((k, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
                .count(Materialized.as(storeName))
                .toStream()
                .to(out, Produced.with(Serdes.String(), Serdes.Long()));
            Properties sp = new Properties();
            sp.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
            sp.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            sp.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            sp.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
            sp.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            sp.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
            sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

            KafkaStreams streams = new KafkaStreams(b.build(), sp);
            try {
                streams.start();
                long end = System.currentTimeMillis() + 60000;
                while (streams.state() != KafkaStreams.State.RUNNING) {
                    check(System.currentTimeMillis() < end, "not RUNNING after 60 s: " + streams.state());
                    check(streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING, "streams " + streams.state());
                    Thread.sleep(100);
                }
                Properties pp = new Properties();
                pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                pp.put(ProducerConfig.ACKS_CONFIG, "all");
                try (KafkaProducer<String, String> p = new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
                    for (int i = 0; i < lines.size(); i++) p.send(new ProducerRecord<>(in, "line-" + i, lines.get(i)));
                    p.flush();
                }

                // the latest count per word on the output topic, read_committed, must reach the expected counts
                Properties cp = new Properties();
                cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
                cp.put(ConsumerConfig.GROUP_ID_CONFIG, id + "-reader");
                cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
                Map<String, Long> latest = new TreeMap<>();
                try (KafkaConsumer<String, Long> c = new KafkaConsumer<>(cp, new StringDeserializer(), new LongDeserializer())) {
                    c.subscribe(List.of(out));
                    end = System.currentTimeMillis() + 90000;
                    while (!latest.equals(expected)) {
                        check(System.currentTimeMillis() < end, "output counts " + latest + " not " + expected + " after 90 s (streams " + streams.state() + ")");
                        check(streams.state() == KafkaStreams.State.RUNNING || streams.state() == KafkaStreams.State.REBALANCING, "streams " + streams.state());
                        for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(200))) {
                            Long before = latest.put(r.key(), r.value());
                            check(before == null || r.value() > before, "count of " + r.key() + " went from " + before + " to " + r.value());
                            check(r.value() <= expected.getOrDefault(r.key(), 0L), "over-count: " + r.key() + " = " + r.value() + " > " + expected.get(r.key()));
                        }
                    }
                }

                ReadOnlyKeyValueStore<String, Long> store = streams.store(StoreQueryParameters.fromNameAndType(storeName, QueryableStoreTypes.keyValueStore()));
                for (Map.Entry<String, Long> e : expected.entrySet())
                    check(e.getValue().equals(store.get(e.getKey())), "state store: " + e.getKey() + " = " + store.get(e.getKey()) + " not " + e.getValue());

                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                check(topics.contains(id + "-by-word-repartition"), "no repartition topic " + id + "-by-word-repartition in " + topics);
                check(topics.contains(id + "-" + storeName + "-changelog"), "no changelog topic " + id + "-" + storeName + "-changelog");
            } finally {
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
            }
        } finally {
            try (var files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return System.currentTimeMillis() - t0;
    }
}
