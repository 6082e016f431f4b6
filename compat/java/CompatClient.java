// Compatibility scenarios for the Java kafka-clients, one source for every client version we test
// (2.8, 3.9, 4.4): it only uses APIs that exist in all of them (Admin, poll(Duration),
// committed(Set), groupMetadata(), sendOffsetsToTransaction(offsets, groupMetadata)).
//
//   java -cp 'lib-4.4/*' CompatClient.java BOOTSTRAP [CELL...]
//
// Prints one "CELL kafka-clients <version> <cell> PASS|FAIL|N/A <reason>" line per cell on stdout
// (the compat matrix protocol, see compat/README.md); client logs go to stderr. Every topic, group
// and transactional id is unique to the run, so it passes twice in a row against the same broker.
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

@SuppressWarnings({"deprecation", "removal"})
public class CompatClient {
    static final String VERSION = clientVersion();
    static final int MAJOR = Integer.parseInt(VERSION.split("\\.")[0]);
    static final long CELL_TIMEOUT_S = Long.getLong("cell.timeout.s", 90);
    static String bootstrap;
    static String run;
    static Admin admin;

    /** kafka-clients' own version file (its AppInfoParser moved to an internal package in 4.x). */
    static String clientVersion() {
        try (java.io.InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version").trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** Thrown to report a cell as N/A (the client cannot do it). */
    static final class NotApplicable extends RuntimeException {
        NotApplicable(String why) { super(why); }
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    interface Cell { void run() throws Exception; }

    public static void main(String[] args) throws Exception {
        bootstrap = args[0];
        run = System.currentTimeMillis() % 100000000 + "-" + new Random().nextInt(10000);
        LinkedHashMap<String, Cell> cells = new LinkedHashMap<>();
        cells.put("produce_consume", CompatClient::produceConsume);
        cells.put("key_partition", CompatClient::keyPartition);
        cells.put("explicit_partition", CompatClient::explicitPartition);
        cells.put("group_split", CompatClient::groupSplit);
        cells.put("two_groups", CompatClient::twoGroups);
        cells.put("commits", CompatClient::commits);
        cells.put("seek", CompatClient::seek);
        cells.put("assign", CompatClient::assign);
        cells.put("lag", CompatClient::lag);
        cells.put("static_membership", CompatClient::staticMembership);
        cells.put("cooperative", CompatClient::cooperative);
        cells.put("idempotent", CompatClient::idempotent);
        cells.put("transactions", CompatClient::transactions);
        cells.put("admin_topics", CompatClient::adminTopics);
        cells.put("admin_groups", CompatClient::adminGroups);
        cells.put("topic_configs", CompatClient::topicConfigs);
        cells.put("consumer_protocol", CompatClient::consumerProtocol);
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(1, args.length));

        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(ap);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
        int failed = 0;
        for (Map.Entry<String, Cell> e : cells.entrySet()) {
            if (!only.isEmpty() && !only.contains(e.getKey())) continue;
            long t0 = System.nanoTime();
            System.err.println("== cell " + e.getKey());
            String result;
            Future<?> f = pool.submit(() -> { e.getValue().run(); return null; });
            try {
                f.get(CELL_TIMEOUT_S, TimeUnit.SECONDS);
                result = "PASS " + ((System.nanoTime() - t0) / 1_000_000) + " ms";
            } catch (TimeoutException te) {
                f.cancel(true);
                result = "FAIL timed out after " + CELL_TIMEOUT_S + " s";
            } catch (ExecutionException ee) {
                Throwable c = ee.getCause();
                if (c instanceof NotApplicable) {
                    result = "N/A " + c.getMessage();
                } else {
                    c.printStackTrace();
                    result = "FAIL " + oneLine(c);
                }
            }
            if (result.startsWith("FAIL")) failed++;
            System.out.println("CELL kafka-clients " + VERSION + " " + e.getKey() + " " + result);
            System.out.flush();
        }
        admin.close(Duration.ofSeconds(5));
        System.exit(failed == 0 ? 0 : 1);
    }

    static String oneLine(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) t = t.getCause();
        String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        m = m.replaceAll("\\s+", " ");
        return m.length() > 200 ? m.substring(0, 200) + "..." : m;
    }

    // ------------------------------------------------------------------ helpers

    static String name(String what) { return "cj" + MAJOR + "-" + what + "-" + run; }

    static String topic(String what, int partitions, Map<String, String> configs) throws Exception {
        String t = name(what);
        NewTopic nt = new NewTopic(t, partitions, (short) 1);
        if (configs != null) nt.configs(configs);
        admin.createTopics(Collections.singleton(nt)).all().get(30, TimeUnit.SECONDS);
        return t;
    }

    static String topic(String what, int partitions) throws Exception { return topic(what, partitions, null); }

    /** key, value pairs; a null value removes the key (leaves the client's default). */
    static void put(Properties p, Object... kv) {
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) p.remove(kv[i]); else p.put(kv[i], kv[i + 1]);
        }
    }

    static KafkaProducer<String, String> producer(Object... kv) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        put(p, kv);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<String, String> consumer(String group, Object... kv) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500");
        put(p, kv);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Sends key/value records (partition null = by key) and waits for all acks; returns the metadata. */
    static List<RecordMetadata> send(KafkaProducer<String, String> p, String topic, Integer partition, int n, String prefix) throws Exception {
        List<Future<RecordMetadata>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) fs.add(p.send(new ProducerRecord<>(topic, partition, prefix + "-k" + i, prefix + "-v" + i)));
        p.flush();
        List<RecordMetadata> out = new ArrayList<>();
        for (Future<RecordMetadata> f : fs) out.add(f.get(30, TimeUnit.SECONDS));
        return out;
    }

    static void produce(String topic, int n, String prefix) throws Exception {
        try (KafkaProducer<String, String> p = producer()) { send(p, topic, null, n, prefix); }
    }

    /** Polls the consumers in turn until `n` records are read in all or the deadline passes. */
    @SafeVarargs
    static List<ConsumerRecord<String, String>> pollUntil(int n, long timeoutMs, KafkaConsumer<String, String>... cs) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long end = System.currentTimeMillis() + timeoutMs;
        while (got.size() < n && System.currentTimeMillis() < end) {
            for (KafkaConsumer<String, String> c : cs) for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) got.add(r);
        }
        check(got.size() >= n, "read " + got.size() + " records of " + n + " in " + timeoutMs + " ms");
        return got;
    }

    /** Polls the consumers in turn until cond holds. */
    @SafeVarargs
    static List<ConsumerRecord<String, String>> pollWhile(Supplier<Boolean> cond, String what, long timeoutMs, KafkaConsumer<String, String>... cs) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long end = System.currentTimeMillis() + timeoutMs;
        while (!cond.get()) {
            check(System.currentTimeMillis() < end, "not within " + timeoutMs + " ms: " + what);
            for (KafkaConsumer<String, String> c : cs) for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) got.add(r);
        }
        return got;
    }

    static Set<TopicPartition> parts(String topic, int n) {
        Set<TopicPartition> s = new HashSet<>();
        for (int i = 0; i < n; i++) s.add(new TopicPartition(topic, i));
        return s;
    }

    static Map<TopicPartition, Long> committed(KafkaConsumer<String, String> c, Set<TopicPartition> tps) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : c.committed(tps).entrySet())
            out.put(e.getKey(), e.getValue() == null ? null : e.getValue().offset());
        return out;
    }

    static Map<TopicPartition, Long> adminCommitted(String group) throws Exception {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet())
            out.put(e.getKey(), e.getValue().offset());
        return out;
    }

    static String header(ConsumerRecord<String, String> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ cells

    /** Keys, values and two headers, one batch per codec, read back in order with a standalone consumer. */
    static void produceConsume() throws Exception {
        String t = topic("codecs", 1);
        String[] codecs = {"none", "gzip", "snappy", "lz4", "zstd"};
        int per = 6;
        for (String codec : codecs) {
            try (KafkaProducer<String, String> p = producer(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec)) {
                List<Future<RecordMetadata>> fs = new ArrayList<>();
                for (int i = 0; i < per; i++) {
                    ProducerRecord<String, String> r = new ProducerRecord<>(t, codec + "-k" + i, codec + "-value-" + i + "-" + "compressible".repeat(20));
                    r.headers().add("codec", codec.getBytes(StandardCharsets.UTF_8));
                    r.headers().add("i", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                    fs.add(p.send(r));
                }
                p.flush();
                for (Future<RecordMetadata> f : fs) f.get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            TopicPartition tp = new TopicPartition(t, 0);
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            List<ConsumerRecord<String, String>> got = pollUntil(codecs.length * per, 30000, c);
            check(got.size() == codecs.length * per, "read " + got.size() + " records, not " + codecs.length * per);
            int i = 0;
            for (String codec : codecs) {
                for (int j = 0; j < per; j++, i++) {
                    ConsumerRecord<String, String> r = got.get(i);
                    check(r.offset() == i, "record " + i + " has offset " + r.offset());
                    check((codec + "-k" + j).equals(r.key()), codec + ": key " + r.key() + " at offset " + i);
                    check(r.value().startsWith(codec + "-value-" + j + "-compressible"), codec + ": value at offset " + i);
                    check(codec.equals(header(r, "codec")) && Integer.toString(j).equals(header(r, "i")), codec + ": headers at offset " + i + ": " + r.headers());
                }
            }
        }
    }

    /** The default partitioner puts a key on murmur2(key) % partitions; the consumer sees it there. */
    static void keyPartition() throws Exception {
        String t = topic("keys", 4);
        Map<String, Integer> where = new HashMap<>();
        try (KafkaProducer<String, String> p = producer()) {
            for (int round = 0; round < 3; round++) {
                for (int k = 0; k < 8; k++) {
                    String key = "key-" + k;
                    RecordMetadata m = p.send(new ProducerRecord<>(t, key, "v" + round)).get(30, TimeUnit.SECONDS);
                    int want = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 4;
                    check(m.partition() == want, key + " went to partition " + m.partition() + ", murmur2 says " + want);
                    Integer before = where.put(key, m.partition());
                    check(before == null || before == m.partition(), key + " moved partitions");
                }
            }
        }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            c.assign(parts(t, 4));
            c.seekToBeginning(parts(t, 4));
            for (ConsumerRecord<String, String> r : pollUntil(24, 30000, c))
                check(where.get(r.key()) == r.partition(), r.key() + " read from partition " + r.partition());
        }
    }

    static void explicitPartition() throws Exception {
        String t = topic("explicit", 4);
        try (KafkaProducer<String, String> p = producer()) {
            for (RecordMetadata m : send(p, t, 2, 5, "p2")) check(m.partition() == 2, "acked on partition " + m.partition());
            for (RecordMetadata m : send(p, t, 0, 3, "p0")) check(m.partition() == 0, "acked on partition " + m.partition());
        }
        Map<TopicPartition, Long> ends = admin.listOffsets(Map.of(
                new TopicPartition(t, 0), OffsetSpec.latest(), new TopicPartition(t, 1), OffsetSpec.latest(),
                new TopicPartition(t, 2), OffsetSpec.latest(), new TopicPartition(t, 3), OffsetSpec.latest()))
            .all().get(30, TimeUnit.SECONDS).entrySet().stream()
            .collect(HashMap::new, (m, e) -> m.put(e.getKey(), e.getValue().offset()), HashMap::putAll);
        check(ends.get(new TopicPartition(t, 0)) == 3 && ends.get(new TopicPartition(t, 1)) == 0
            && ends.get(new TopicPartition(t, 2)) == 5 && ends.get(new TopicPartition(t, 3)) == 0, "end offsets " + ends);
        try (KafkaConsumer<String, String> c = consumer(null)) {
            TopicPartition tp = new TopicPartition(t, 2);
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            for (ConsumerRecord<String, String> r : pollUntil(5, 30000, c)) check(r.key().startsWith("p2-"), "partition 2 holds " + r.key());
        }
    }

    /** Two members split 4 partitions 2/2 and read new records once; when one leaves the other gets all 4. */
    static void groupSplit() throws Exception {
        String t = topic("split", 4);
        String g = name("g-split");
        produce(t, 40, "a");
        try (KafkaConsumer<String, String> a = consumer(g); KafkaConsumer<String, String> b = consumer(g)) {
            a.subscribe(Collections.singleton(t));
            List<ConsumerRecord<String, String>> first = pollUntil(40, 30000, a);
            check(a.assignment().size() == 4, "first member has " + a.assignment());
            a.commitSync();
            b.subscribe(Collections.singleton(t));
            pollWhile(() -> a.assignment().size() == 2 && b.assignment().size() == 2, "a 2/2 split (a " + a.assignment() + ")", 30000, a, b);
            check(Collections.disjoint(a.assignment(), b.assignment()), "overlapping assignments");
            produce(t, 40, "b");
            List<ConsumerRecord<String, String>> got = pollUntil(40, 30000, a, b);
            Set<String> keys = new HashSet<>();
            for (ConsumerRecord<String, String> r : got) {
                check(r.key().startsWith("b-"), "re-read an old record " + r.key() + " after the rebalance");
                check(keys.add(r.key() + "@" + r.partition() + "/" + r.offset()), "read twice: " + r.key());
            }
            check(first.size() == 40, "first member read " + first.size());
            a.commitSync();
            b.commitSync();
            b.close();
            pollWhile(() -> a.assignment().size() == 4, "the remaining member gets all 4 partitions back", 30000, a);
        }
    }

    static void twoGroups() throws Exception {
        String t = topic("broadcast", 3);
        produce(t, 30, "x");
        try (KafkaConsumer<String, String> a = consumer(name("g1")); KafkaConsumer<String, String> b = consumer(name("g2"))) {
            a.subscribe(Collections.singleton(t));
            b.subscribe(Collections.singleton(t));
            List<ConsumerRecord<String, String>> ra = pollUntil(30, 30000, a);
            List<ConsumerRecord<String, String>> rb = pollUntil(30, 30000, b);
            check(ra.size() == 30 && rb.size() == 30, "groups read " + ra.size() + " and " + rb.size());
        }
    }

    /** Auto commit, commitSync(), commitAsync(callback), commitSync(offsets with metadata), read back. */
    static void commits() throws Exception {
        String t = topic("commits", 2);
        Set<TopicPartition> tps = parts(t, 2);
        produce(t, 20, "c");
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaConsumer<String, String> c = consumer(null)) { c.endOffsets(tps).forEach(ends::put); }

        String ga = name("g-auto");
        try (KafkaConsumer<String, String> c = consumer(ga, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true", ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, "200")) {
            c.subscribe(Collections.singleton(t));
            pollUntil(20, 30000, c);
            pollWhile(() -> ends.equals(committed(c, tps)), "auto commit reaches the end offsets " + ends, 15000, c);
        }

        String gs = name("g-sync");
        try (KafkaConsumer<String, String> c = consumer(gs)) {
            c.subscribe(Collections.singleton(t));
            pollUntil(20, 30000, c);
            c.commitSync();
            check(ends.equals(committed(c, tps)), "after commitSync committed " + committed(c, tps));
        }

        String gAsync = name("g-async");
        try (KafkaConsumer<String, String> c = consumer(gAsync)) {
            c.subscribe(Collections.singleton(t));
            pollUntil(20, 30000, c);
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> done = new CompletableFuture<>();
            c.commitAsync((offsets, e) -> { if (e != null) done.completeExceptionally(e); else done.complete(offsets); });
            pollWhile(done::isDone, "the commitAsync callback", 15000, c);
            Map<TopicPartition, OffsetAndMetadata> offsets = done.get();
            check(offsets.size() == 2, "callback offsets " + offsets);
            check(ends.equals(committed(c, tps)), "after commitAsync committed " + committed(c, tps));
        }

        String ge = name("g-explicit");
        try (KafkaConsumer<String, String> c = consumer(ge)) {
            c.subscribe(Collections.singleton(t));
            pollUntil(20, 30000, c);
            TopicPartition tp0 = new TopicPartition(t, 0);
            c.commitSync(Map.of(tp0, new OffsetAndMetadata(3, "meta-explicit")));
            OffsetAndMetadata om = c.committed(Collections.singleton(tp0)).get(tp0);
            check(om != null && om.offset() == 3 && "meta-explicit".equals(om.metadata()), "committed back " + om);
        }
        check(adminCommitted(ge).get(new TopicPartition(t, 0)) == 3, "admin sees " + adminCommitted(ge));
        // a new member of the sync group resumes after the commit: nothing more to read
        produce(t, 4, "d");
        try (KafkaConsumer<String, String> c = consumer(gs)) {
            c.subscribe(Collections.singleton(t));
            List<ConsumerRecord<String, String>> got = pollUntil(4, 30000, c);
            for (ConsumerRecord<String, String> r : got) check(r.key().startsWith("d-"), "resumed before the commit: " + r.key());
        }
    }

    /** seekToBeginning, seekToEnd, seek(offset), offsetsForTimes on explicit timestamps. */
    static void seek() throws Exception {
        String t = topic("seek", 1);
        TopicPartition tp = new TopicPartition(t, 0);
        long base = System.currentTimeMillis() - 3_600_000;
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 10; i++) p.send(new ProducerRecord<>(t, 0, base + i * 1000L, "k" + i, "v" + i));
            p.flush();
        }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            c.assign(Collections.singleton(tp));
            c.seekToEnd(Collections.singleton(tp));
            check(c.position(tp) == 10, "seekToEnd position " + c.position(tp));
            c.seekToBeginning(Collections.singleton(tp));
            check(c.position(tp) == 0, "seekToBeginning position " + c.position(tp));
            check(pollUntil(1, 30000, c).get(0).offset() == 0, "first record after seekToBeginning");
            c.seek(tp, 7);
            ConsumerRecord<String, String> r = pollUntil(1, 30000, c).get(0);
            check(r.offset() == 7 && "k7".equals(r.key()), "after seek(7) read " + r.offset());
            check(r.timestamp() == base + 7000, "timestamp " + r.timestamp() + " not the producer's");
            Map<TopicPartition, OffsetAndTimestamp> at = c.offsetsForTimes(Map.of(tp, base + 4500));
            check(at.get(tp) != null && at.get(tp).offset() == 5 && at.get(tp).timestamp() == base + 5000, "offsetsForTimes " + at);
            Map<TopicPartition, OffsetAndTimestamp> late = c.offsetsForTimes(Map.of(tp, base + 60000));
            check(late.get(tp) == null, "offsetsForTimes after the last record " + late);
            c.seek(tp, at.get(tp).offset());
            check("k5".equals(pollUntil(1, 30000, c).get(0).key()), "seek to the offset for the timestamp");
            check(c.beginningOffsets(Collections.singleton(tp)).get(tp) == 0 && c.endOffsets(Collections.singleton(tp)).get(tp) == 10, "beginning/end offsets");
        }
    }

    /** A consumer without group.id: assign() two partitions of three, reads only those. */
    static void assign() throws Exception {
        String t = topic("assign", 3);
        try (KafkaProducer<String, String> p = producer()) {
            for (int part = 0; part < 3; part++) send(p, t, part, 4, "p" + part);
        }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            Set<TopicPartition> mine = Set.of(new TopicPartition(t, 0), new TopicPartition(t, 2));
            c.assign(mine);
            c.seekToBeginning(mine);
            List<ConsumerRecord<String, String>> got = pollUntil(8, 30000, c);
            for (ConsumerRecord<String, String> r : got) check(r.partition() != 1, "read partition 1");
            check(got.size() == 8, "read " + got.size());
            check(c.subscription().isEmpty(), "subscription " + c.subscription());
        }
    }

    /** lag = end offset - committed, by the consumer and by the admin client; 0 once caught up. */
    static void lag() throws Exception {
        String t = topic("lag", 2);
        Set<TopicPartition> tps = parts(t, 2);
        String g = name("g-lag");
        try (KafkaProducer<String, String> p = producer()) { send(p, t, 0, 10, "a"); send(p, t, 1, 6, "b"); }
        try (KafkaConsumer<String, String> c = consumer(g)) {
            c.subscribe(Collections.singleton(t));
            pollUntil(16, 30000, c);
            c.commitSync(Map.of(new TopicPartition(t, 0), new OffsetAndMetadata(4), new TopicPartition(t, 1), new OffsetAndMetadata(6)));
        }
        Map<TopicPartition, Long> committed = adminCommitted(g);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(
            Map.of(new TopicPartition(t, 0), OffsetSpec.latest(), new TopicPartition(t, 1), OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (TopicPartition tp : tps) lag += ends.get(tp).offset() - committed.get(tp);
        check(lag == 6, "lag " + lag + " (committed " + committed + ")");
        try (KafkaConsumer<String, String> c = consumer(g)) {
            c.subscribe(Collections.singleton(t));
            pollUntil(6, 30000, c);
            c.commitSync();
            Map<TopicPartition, Long> endOffsets = c.endOffsets(tps);
            Map<TopicPartition, Long> now = committed(c, tps);
            check(endOffsets.equals(now), "lag not 0: end " + endOffsets + " committed " + now);
        }
    }

    /** group.instance.id: the member comes back after close() with the same id and the same partitions. */
    static void staticMembership() throws Exception {
        String t = topic("static", 2);
        String g = name("g-static");
        produce(t, 10, "s");
        Set<TopicPartition> first;
        try (KafkaConsumer<String, String> c = consumer(g, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-1",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000")) {
            c.subscribe(Collections.singleton(t));
            pollUntil(10, 30000, c);
            c.commitSync();
            first = new HashSet<>(c.assignment());
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS).get(g);
            check(d.members().size() == 1, "members " + d.members());
            MemberDescription m = d.members().iterator().next();
            check(m.groupInstanceId().isPresent() && m.groupInstanceId().get().equals("static-1"), "group.instance.id not described: " + m);
        }
        // a static member does not leave the group on close(): it stays a member until its session times out
        ConsumerGroupDescription after = admin.describeConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS).get(g);
        check(after.members().size() == 1, "after close() the static member is gone: " + after.members() + " state " + after.state());
        produce(t, 4, "s2");
        long t0 = System.currentTimeMillis();
        try (KafkaConsumer<String, String> c = consumer(g, ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-1",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "30000")) {
            c.subscribe(Collections.singleton(t));
            List<ConsumerRecord<String, String>> got = pollUntil(4, 20000, c);
            for (ConsumerRecord<String, String> r : got) check(r.key().startsWith("s2-"), "re-read " + r.key());
            check(c.assignment().equals(first), "rejoined with " + c.assignment() + " not " + first);
            check(System.currentTimeMillis() - t0 < 20000, "rejoin waited for the session timeout");
        }
    }

    /** CooperativeStickyAssignor: a joining member makes the first revoke only what moves, not all. */
    static void cooperative() throws Exception {
        String t = topic("coop", 4);
        String g = name("g-coop");
        produce(t, 20, "c");
        List<String> eventsA = Collections.synchronizedList(new ArrayList<>());
        List<String> eventsB = Collections.synchronizedList(new ArrayList<>());
        Object[] coop = {ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()};
        try (KafkaConsumer<String, String> a = consumer(g, coop); KafkaConsumer<String, String> b = consumer(g, coop)) {
            a.subscribe(Collections.singleton(t), listener("a", eventsA));
            pollUntil(20, 30000, a);
            check(a.assignment().size() == 4, "a has " + a.assignment());
            a.commitSync();
            eventsA.clear();
            b.subscribe(Collections.singleton(t), listener("b", eventsB));
            pollWhile(() -> a.assignment().size() == 2 && b.assignment().size() == 2, "a 2/2 split (a " + a.assignment() + ", b " + b.assignment() + ")", 30000, a, b);
            String revokes = String.join(" ", eventsA);
            check(revokes.contains("a revoked 2"), "a should revoke exactly the 2 partitions that move: " + eventsA);
            check(!revokes.contains("a revoked 4"), "a revoked everything (eager): " + eventsA);
            check(String.join(" ", eventsB).contains("b assigned 2"), "b events " + eventsB);
            produce(t, 8, "n");
            List<ConsumerRecord<String, String>> got = pollUntil(8, 30000, a, b);
            for (ConsumerRecord<String, String> r : got) check(r.key().startsWith("n-"), "re-read " + r.key());
        }
    }

    static ConsumerRebalanceListener listener(String who, List<String> events) {
        return new ConsumerRebalanceListener() {
            public void onPartitionsRevoked(Collection<TopicPartition> ps) { if (!ps.isEmpty()) events.add(who + " revoked " + ps.size()); }
            public void onPartitionsAssigned(Collection<TopicPartition> ps) { events.add(who + " assigned " + ps.size()); }
        };
    }

    /** enable.idempotence with 5 in flight: every record once, in order, consecutive offsets. */
    static void idempotent() throws Exception {
        String t = topic("idem", 1);
        int n = 500;
        try (KafkaProducer<String, String> p = producer(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                "max.in.flight.requests.per.connection", "5", ProducerConfig.BATCH_SIZE_CONFIG, "512",
                ProducerConfig.LINGER_MS_CONFIG, "0")) {
            List<RecordMetadata> ms = send(p, t, null, n, "i");
            for (int i = 0; i < n; i++) check(ms.get(i).offset() == i, "record " + i + " at offset " + ms.get(i).offset());
        }
        try (KafkaConsumer<String, String> c = consumer(null)) {
            TopicPartition tp = new TopicPartition(t, 0);
            c.assign(Collections.singleton(tp));
            c.seekToBeginning(Collections.singleton(tp));
            List<ConsumerRecord<String, String>> got = pollUntil(n, 30000, c);
            for (int i = 0; i < n; i++) check(("i-k" + i).equals(got.get(i).key()), "offset " + i + " holds " + got.get(i).key());
            check(c.endOffsets(Collections.singleton(tp)).get(tp) == n, "end offset " + c.endOffsets(Collections.singleton(tp)));
        }
    }

    /** commit, abort, then a consume-transform-produce commit with the group's offsets in the transaction. */
    static void transactions() throws Exception {
        String in = topic("txn-in", 1);
        String out = topic("txn-out", 2);
        String g = name("g-txn");
        produce(in, 5, "in");
        try (KafkaProducer<String, String> p = producer(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name("tx"));
             KafkaConsumer<String, String> c = consumer(g, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")) {
            p.initTransactions();
            p.beginTransaction();
            send(p, out, null, 4, "committed1");
            p.commitTransaction();
            p.beginTransaction();
            send(p, out, null, 3, "aborted");
            p.abortTransaction();
            c.subscribe(Collections.singleton(in));
            List<ConsumerRecord<String, String>> got = pollUntil(5, 30000, c);
            p.beginTransaction();
            for (ConsumerRecord<String, String> r : got) p.send(new ProducerRecord<>(out, r.key(), r.value().toUpperCase()));
            Map<TopicPartition, OffsetAndMetadata> offs = Map.of(new TopicPartition(in, 0), new OffsetAndMetadata(got.get(got.size() - 1).offset() + 1));
            p.sendOffsetsToTransaction(offs, c.groupMetadata());
            p.commitTransaction();
        }
        check(adminCommitted(g).get(new TopicPartition(in, 0)) == 5, "offsets in the transaction: " + adminCommitted(g));
        try (KafkaConsumer<String, String> rc = consumer(name("g-rc"), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
             KafkaConsumer<String, String> ru = consumer(name("g-ru"), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted")) {
            rc.subscribe(Collections.singleton(out));
            ru.subscribe(Collections.singleton(out));
            List<ConsumerRecord<String, String>> committed = pollUntil(9, 30000, rc);
            List<ConsumerRecord<String, String>> extra = new ArrayList<>();
            for (int i = 0; i < 10; i++) rc.poll(Duration.ofMillis(100)).forEach(extra::add);   // nothing more to come
            List<ConsumerRecord<String, String>> all = pollUntil(12, 30000, ru);
            for (ConsumerRecord<String, String> r : committed) check(!r.key().startsWith("aborted"), "read_committed read an aborted record");
            check(committed.size() == 9 && extra.isEmpty(), "read_committed read " + committed.size());
            check(all.size() == 12, "read_uncommitted read " + all.size());
        }
    }

    /** DescribeTopicsResult.all() (up to 3.x) became allTopicNames() (3.1 on; all() gone in 4.0): no common method. */
    @SuppressWarnings("unchecked")
    static TopicDescription describeTopic(String t) throws Exception {
        DescribeTopicsResult r = admin.describeTopics(List.of(t));
        java.lang.reflect.Method m;
        try {
            m = DescribeTopicsResult.class.getMethod("allTopicNames");
        } catch (NoSuchMethodException e) {
            m = DescribeTopicsResult.class.getMethod("all");
        }
        return ((org.apache.kafka.common.KafkaFuture<Map<String, TopicDescription>>) m.invoke(r)).get(30, TimeUnit.SECONDS).get(t);
    }

    /** create (with partitions), list, describe, add partitions, describeCluster, deleteRecords, delete. */
    static void adminTopics() throws Exception {
        String t = topic("admin", 3);
        check(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(t), "listTopics misses " + t);
        TopicDescription d = describeTopic(t);
        check(d.partitions().size() == 3, "describeTopics: " + d.partitions().size() + " partitions");
        admin.createPartitions(Map.of(t, NewPartitions.increaseTo(5))).all().get(30, TimeUnit.SECONDS);
        long end = System.currentTimeMillis() + 15000;
        while (describeTopic(t).partitions().size() != 5) {
            check(System.currentTimeMillis() < end, "createPartitions to 5 not seen");
            Thread.sleep(200);
        }
        check(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size() == 1, "describeCluster: not 1 node");
        TopicPartition tp0 = new TopicPartition(t, 0);
        try (KafkaProducer<String, String> p = producer()) { send(p, t, 0, 6, "dr"); }
        long low = admin.deleteRecords(Map.of(tp0, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp0).get(30, TimeUnit.SECONDS).lowWatermark();
        check(low == 4, "deleteRecords low watermark " + low);
        long earliest = admin.listOffsets(Map.of(tp0, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS).get(tp0).offset();
        check(earliest == 4, "earliest offset after deleteRecords " + earliest);
        try {
            admin.createTopics(List.of(new NewTopic(t, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            check(false, "creating an existing topic succeeded");
        } catch (ExecutionException e) {
            check(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException, "create existing: " + e.getCause());
        }
        admin.deleteTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        end = System.currentTimeMillis() + 15000;
        while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(t)) {
            check(System.currentTimeMillis() < end, "deleted topic still listed");
            Thread.sleep(200);
        }
    }

    /** list, describe (Stable with a member, then Empty), offsets, delete one partition's offset, delete the group (refused with a member). */
    static void adminGroups() throws Exception {
        String t = topic("agroups", 2);
        String g = name("g-admin");
        produce(t, 6, "a");
        try (KafkaConsumer<String, String> c = consumer(g, ConsumerConfig.CLIENT_ID_CONFIG, "compat-admin-member")) {
            c.subscribe(Collections.singleton(t));
            pollUntil(6, 30000, c);
            c.commitSync();
            boolean listed = false;
            for (ConsumerGroupListing l : admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS)) listed |= l.groupId().equals(g);
            check(listed, "listConsumerGroups misses " + g);
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS).get(g);
            check(String.valueOf(d.state()).equalsIgnoreCase("Stable"), "state " + d.state());
            check(d.members().size() == 1 && d.members().iterator().next().clientId().equals("compat-admin-member"), "members " + d.members());
            check(d.members().iterator().next().assignment().topicPartitions().size() == 2, "assignment " + d.members());
            try {
                admin.deleteConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS);
                check(false, "deleting a group with a member succeeded");
            } catch (ExecutionException e) {
                check(e.getCause() instanceof org.apache.kafka.common.errors.GroupNotEmptyException, "delete with a member: " + e.getCause());
            }
        }
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS).get(g);
        check(String.valueOf(d.state()).equalsIgnoreCase("Empty") && d.members().isEmpty(), "after close: " + d.state() + " " + d.members());
        check(adminCommitted(g).size() == 2, "offsets " + adminCommitted(g));
        admin.deleteConsumerGroupOffsets(g, Set.of(new TopicPartition(t, 1))).all().get(30, TimeUnit.SECONDS);
        check(adminCommitted(g).keySet().equals(Set.of(new TopicPartition(t, 0))), "after deleteConsumerGroupOffsets " + adminCommitted(g));
        admin.deleteConsumerGroups(List.of(g)).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> left = adminCommitted(g);
        check(left.isEmpty(), "offsets after delete " + left);
    }

    /** topic configs at create, describeConfigs (override vs default), incrementalAlterConfigs set/delete. */
    static void topicConfigs() throws Exception {
        String t = topic("configs", 1, Map.of("retention.ms", "123456789"));
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
        Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        check("123456789".equals(c.get("retention.ms").value()), "retention.ms " + c.get("retention.ms"));
        check(c.get("retention.ms").source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, "retention.ms source " + c.get("retention.ms").source());
        check(c.get("cleanup.policy") != null && "delete".equals(c.get("cleanup.policy").value()) && c.get("cleanup.policy").isDefault(), "cleanup.policy " + c.get("cleanup.policy"));
        admin.incrementalAlterConfigs(Map.of(r, List.of(
            new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SET),
            new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
        check("compact".equals(c.get("cleanup.policy").value()) && !c.get("cleanup.policy").isDefault(), "after alter cleanup.policy " + c.get("cleanup.policy"));
        check(c.get("retention.ms").isDefault(), "after delete retention.ms " + c.get("retention.ms"));
        try {
            admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "not-a-number"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
            check(false, "a bad value was accepted");
        } catch (ExecutionException e) {
            check(e.getCause() instanceof org.apache.kafka.common.errors.InvalidConfigurationException
                || e.getCause() instanceof org.apache.kafka.common.errors.InvalidRequestException, "bad value: " + e.getCause());
        }
    }

    /** group.protocol=consumer (KIP-848): two members split the partitions, each record read once. */
    static void consumerProtocol() throws Exception {
        if (MAJOR < 4) throw new NotApplicable("group.protocol=consumer (KIP-848) is GA from kafka-clients 4.0 (early access or preview in 3.7-3.9, absent before)");
        String t = topic("kip848", 4);
        String g = name("g-kip848");
        produce(t, 20, "a");
        try (KafkaConsumer<String, String> a = consumer(g, "group.protocol", "consumer", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, null, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, null);
             KafkaConsumer<String, String> b = consumer(g, "group.protocol", "consumer", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, null, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, null)) {
            a.subscribe(Collections.singleton(t));
            pollUntil(20, 30000, a);
            a.commitSync();
            b.subscribe(Collections.singleton(t));
            pollWhile(() -> a.assignment().size() == 2 && b.assignment().size() == 2, "a 2/2 split (a " + a.assignment() + ")", 30000, a, b);
            produce(t, 10, "b");
            for (ConsumerRecord<String, String> r : pollUntil(10, 30000, a, b)) check(r.key().startsWith("b-"), "re-read " + r.key());
        }
    }
}
