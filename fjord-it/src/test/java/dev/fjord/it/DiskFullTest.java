package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.testkit.EmbeddedFjord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A full disk: the log directory is a small tmpfs (the test needs the right to mount one, as root in CI
 * has; elsewhere it is skipped). Produce gets KAFKA_STORAGE_ERROR, reads go on, and once there is room
 * again writes resume with no gap or garbage in the log, also after a restart.
 */
class DiskFullTest {
    private static final int RECORD = 1024;

    private Path mount;
    private EmbeddedFjord fjord;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        mount = Files.createTempDirectory("fjord-full-disk");
        final boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount.toString());
        if (!mounted) {
            Files.deleteIfExists(mount);
        }
        Assumptions.assumeTrue(mounted, "cannot mount a small tmpfs here (needs root)");
    }

    @AfterEach
    void unmount() throws Exception {
        if (fjord != null) {
            fjord.close();
        }
        if (mount != null && Files.exists(mount)) {
            // Lazy: the broker's index mappings are released only when the JVM collects them.
            run("umount", "-l", mount.toString());
            Files.deleteIfExists(mount);
        }
    }

    private static boolean run(final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void produceFailsWithAStorageErrorReadsGoOnAndWritesResumeWithRoom() throws Exception {
        fjord = EmbeddedFjord.builder().dataDir(mount).config("log.segment.bytes", "1048576")
                .config("offsets.topic.num.partitions", "1").start();
        try (Admin admin = Clients.admin(fjord.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("full", 1, (short) 1))).all().get();
        }
        final TopicPartition tp = new TopicPartition("full", 0);
        // No retries: the first KAFKA_STORAGE_ERROR comes back as it is.
        final Map<String, Object> noRetries = Map.of("acks", "1", "retries", "0", "enable.idempotence", "false",
                "linger.ms", "0");
        long acknowledged = 0;
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), noRetries)) {
            final byte[] value = new byte[RECORD];
            Throwable failure = null;
            for (int i = 0; i < 10_000 && failure == null; i++) {
                try {
                    p.send(new ProducerRecord<>("full", 0, null, value)).get();
                    acknowledged++;
                } catch (ExecutionException e) {
                    failure = e.getCause();
                }
            }
            assertThat(failure).as("a produce to a full disk fails").isInstanceOf(KafkaStorageException.class);
            assertThat(acknowledged).isGreaterThan(100).isLessThan(3 * 1024);
            // Still full: still the same clear error, nothing half-written.
            assertThatThrownBy(() -> p.send(new ProducerRecord<>("full", 0, null, value)).get())
                    .hasCauseInstanceOf(KafkaStorageException.class);
        }

        // Reads go on.
        assertThat(readAll(tp)).hasSize((int) acknowledged);

        // Room again: writes resume right after the last acknowledged record.
        assertThat(run("mount", "-o", "remount,size=16m", mount.toString())).isTrue();
        try (KafkaProducer<byte[], byte[]> p = Clients.producer(fjord.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 100; i++) {
                assertThat(p.send(new ProducerRecord<>("full", 0, null, ("after-" + i).getBytes())).get().offset())
                        .isEqualTo(acknowledged + i);
            }
        }
        assertThat(readAll(tp)).hasSize((int) acknowledged + 100);
        fjord.restart();
        final List<ConsumerRecord<byte[], byte[]>> after = readAll(tp);
        assertThat(after).hasSize((int) acknowledged + 100);
        assertThat(new String(after.get(after.size() - 1).value())).isEqualTo("after-99");
    }

    private List<ConsumerRecord<byte[], byte[]>> readAll(final TopicPartition tp) {
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(fjord.bootstrapServers(), Map.of())) {
            final List<ConsumerRecord<byte[], byte[]>> out = Clients.readToEnd(c, List.of(tp), Duration.ofSeconds(60));
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i).offset()).isEqualTo(i);
            }
            return out;
        }
    }
}
