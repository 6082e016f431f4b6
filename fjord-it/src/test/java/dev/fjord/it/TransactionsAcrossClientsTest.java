package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fjord.testkit.EmbeddedFjord;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactions across clients and tools: librdkafka's transactional producer (confluent-kafka) read by a
 * kafka-clients read_committed consumer, and the Kafka CLI's {@code kafka-transactions list/describe} showing
 * an open transaction. The clients come from {@code compat/core/install.sh}; without them the tests are
 * skipped, except on CI ({@code CI=true}) where they fail.
 */
class TransactionsAcrossClientsTest {
    private static final String PYTHON = "/usr/bin/python3";

    private final Path compat = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath().resolve("../compat/core").normalize();
    private EmbeddedFjord fjord;

    @BeforeEach
    void start() throws Exception {
        fjord = EmbeddedFjord.start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("xtx", 1, (short) 1))).all().get();
        }
    }

    @AfterEach
    void stop() {
        fjord.close();
    }

    private static void requireClient(final boolean present, final String what) {
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " missing: run compat/core/install.sh");
        }
        Assumptions.assumeTrue(present, what + " missing: run compat/core/install.sh");
    }

    /** Runs a command from / with a time limit; returns its output, asserting exit code 0. */
    private static String run(final List<String> command) throws IOException, InterruptedException {
        final Path out = Files.createTempFile("fjord-xtx", ".out");
        try {
            final Process p = new ProcessBuilder(command).directory(new File("/")).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 120 s: " + Files.readString(out));
            }
            final String output = Files.readString(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void librdkafkaTransactionsAreReadCorrectlyByAJavaReadCommittedConsumer() throws Exception {
        requireClient(Files.isExecutable(Path.of(PYTHON)) && run(List.of("sh", "-c",
                PYTHON + " -c 'import confluent_kafka' && echo yes || echo no")).contains("yes"),
                "confluent-kafka for " + PYTHON);
        // -I: the script's own folder holds compat/core/confluent_kafka.py, which would shadow the package.
        final String out = run(List.of(PYTHON, "-I", compat.resolve("confluent_kafka_txn.py").toString(),
                fjord.bootstrapServers(), "xtx"));
        assertThat(out).contains("OK 13 5");

        final List<String> committed = read(IsolationLevel.READ_COMMITTED);
        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < 13; i++) {
            expected.add("c" + i);
        }
        assertThat(committed).containsExactlyElementsOf(expected);
        final List<String> everything = read(IsolationLevel.READ_UNCOMMITTED);
        assertThat(everything).hasSize(18).contains("a0", "a4");
    }

    @Test
    void kafkaTransactionsCliListsAndDescribesAnOpenTransaction() throws Exception {
        final Path tools = compat.resolve("cli/tools.sh");
        final File[] jars = compat.resolve("cli/lib").toFile().listFiles((d, n) -> n.startsWith("kafka-tools-"));
        requireClient(jars != null && jars.length > 0, "Kafka CLI jars in " + compat.resolve("cli/lib"));
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(),
                Map.of("transactional.id", "cli-visible", "transaction.timeout.ms", "60000"))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("xtx", 0, null, "open".getBytes(StandardCharsets.UTF_8))).get();

            final String list = run(List.of("bash", tools.toString(), "org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server", fjord.bootstrapServers(), "list"));
            assertThat(list).contains("cli-visible").contains("Ongoing");
            final String describe = run(List.of("bash", tools.toString(), "org.apache.kafka.tools.TransactionsCommand",
                    "--bootstrap-server", fjord.bootstrapServers(), "describe", "--transactional-id", "cli-visible"));
            assertThat(describe).contains("cli-visible").contains("Ongoing").contains("xtx-0");
            p.abortTransaction();
        }
    }

    private List<String> read(final IsolationLevel isolation) {
        final TopicPartition tp = new TopicPartition("xtx", 0);
        final List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(fjord.bootstrapServers(),
                Map.of("isolation.level", isolation.toString()))) {
            for (final ConsumerRecord<byte[], byte[]> r : Clients.readToEnd(c, List.of(tp), Duration.ofSeconds(30))) {
                values.add(new String(r.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }
}
