// A minimal Spring Boot application as people write one with spring-kafka: the topic declared as a
// NewTopic bean (created by Boot's KafkaAdmin), a KafkaTemplate sending keyed records with a header, a
// @KafkaListener in a consumer group receiving them (default container: batch acks, commits).
// Everything else comes from Boot's auto-configuration and spring.kafka.* properties.
//
//   java -cp 'classes:lib/*' dev.fjord.compat.spring.CompatSpringApp BOOTSTRAP   (spring.sh compiles and runs it)
// In a package of its own, as an application is: @SpringBootApplication scans its package and below.
//
// Prints "CELL spring-kafka <version> app PASS|FAIL <reason>" (compat/README.md) and exits.
package dev.fjord.compat.spring;

import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

@SpringBootApplication
public class CompatSpringApp {
    static final int RECORDS = 20;
    static final BlockingQueue<ConsumerRecord<String, String>> RECEIVED = new LinkedBlockingQueue<>();

    @Bean
    public NewTopic compatTopic(@Value("${compat.topic}") String topic) {
        return TopicBuilder.name(topic).partitions(3).replicas(1).build();
    }

    @KafkaListener(topics = "${compat.topic}", groupId = "${compat.group}")
    public void listen(ConsumerRecord<String, String> record) {
        RECEIVED.add(record);
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String run = System.currentTimeMillis() % 100000000 + "-" + new Random().nextInt(10000);
        String topic = "compat-spring-" + run, group = "compat-spring-group-" + run;
        String version = Optional.ofNullable(KafkaTemplate.class.getPackage().getImplementationVersion()).orElse("?");
        String boot = Optional.ofNullable(SpringApplication.class.getPackage().getImplementationVersion()).orElse("?");
        String result;
        try (ConfigurableApplicationContext ctx = SpringApplication.run(CompatSpringApp.class,
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--spring.kafka.consumer.auto-offset-reset=earliest",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--compat.topic=" + topic,
                "--compat.group=" + group)) {
            long t0 = System.currentTimeMillis();
            check(ctx, topic, group);
            result = "PASS Spring Boot " + boot + ": KafkaTemplate -> @KafkaListener, " + RECORDS + " keyed records with a header, offsets committed, in "
                + (System.currentTimeMillis() - t0) + " ms";
        } catch (Throwable t) {
            t.printStackTrace();
            String m = (t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())).replaceAll("\\s+", " ");
            result = "FAIL " + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
        }
        System.out.println("CELL spring-kafka " + version + " app " + result);
        System.exit(result.startsWith("PASS") ? 0 : 1);
    }

    @SuppressWarnings("unchecked")
    static void check(ConfigurableApplicationContext ctx, String topic, String group) throws Exception {
        KafkaTemplate<String, String> template = ctx.getBean(KafkaTemplate.class);
        List<CompletableFuture<SendResult<String, String>>> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, "key-" + i, "value-" + i);
            r.headers().add("source", "compat-spring".getBytes(StandardCharsets.UTF_8));
            sent.add(template.send(r));
        }
        Map<String, Integer> partitionOf = new HashMap<>();
        for (CompletableFuture<SendResult<String, String>> f : sent) {
            SendResult<String, String> res = f.get(30, TimeUnit.SECONDS);
            partitionOf.put(res.getProducerRecord().key(), res.getRecordMetadata().partition());
        }
        Map<String, String> got = new HashMap<>();
        long end = System.currentTimeMillis() + 60000;
        while (got.size() < RECORDS) {
            ConsumerRecord<String, String> r = RECEIVED.poll(Math.max(1, end - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (r == null) throw new AssertionError("the listener received " + got.size() + " of " + RECORDS + " records in 60 s");
            String h = new String(r.headers().lastHeader("source").value(), StandardCharsets.UTF_8);
            if (!"compat-spring".equals(h)) throw new AssertionError("header " + h);
            if (partitionOf.get(r.key()) != r.partition()) throw new AssertionError(r.key() + " received from partition " + r.partition());
            if (got.put(r.key(), r.value()) != null) throw new AssertionError("received twice: " + r.key());
        }
        for (int i = 0; i < RECORDS; i++) {
            if (!("value-" + i).equals(got.get("key-" + i))) throw new AssertionError("key-" + i + " -> " + got.get("key-" + i));
        }
        // the container commits after each batch: the group's offsets reach the end of the topic
        try (AdminClient admin = AdminClient.create(ctx.getBean(KafkaAdmin.class).getConfigurationProperties())) {
            end = System.currentTimeMillis() + 30000;
            while (true) {
                long committed = 0;
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).entrySet())
                    committed += e.getValue().offset();
                if (committed == RECORDS) break;
                if (System.currentTimeMillis() > end) throw new AssertionError("group offsets add up to " + committed + ", not " + RECORDS);
                Thread.sleep(200);
            }
        }
    }
}
