package dev.fjord.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.fjord.testkit.EmbeddedFjord;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the third-party client scenarios in {@code compat/core/} as subprocesses against an embedded
 * Fjord: the group-less ones (kcat, kafka-python, confluent-kafka) and the consumer-group ones
 * (kafka-python, confluent-kafka, kafkajs, the Apache Kafka CLI tools). The same scripts pass
 * against Apache Kafka 4.4, so a failure here is a Fjord incompatibility, not a scenario to relax.
 *
 * <p>The clients are Debian packages, kafkajs in {@code compat/core/node/} and the Kafka CLI jars in
 * {@code compat/core/cli/lib/}, all put there by {@code compat/core/install.sh}. Without them the
 * test is skipped, except on CI ({@code CI=true}) where it fails.
 */
class ClientScenariosTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final int SCENARIO_TIMEOUT_S = intEnv("SCENARIO_TIMEOUT_S", 120);

    private static Path scenarios;
    private static String missingClients;
    private static EmbeddedFjord fjord;

    @BeforeAll
    static void startBroker() throws Exception {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().resolve("..").normalize();
        scenarios = root.resolve("compat/core");
        assertThat(scenarios.resolve("run.sh")).as("compat/core scenarios under the repository root %s", root).isRegularFile();
        missingClients = missingClients();
        if (missingClients != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(missingClients);
            }
            return; // each test reports itself as skipped
        }
        fjord = EmbeddedFjord.builder().config("auto.create.topics.enable", "true").start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (fjord != null) {
            fjord.close();
        }
    }

    @BeforeEach
    void clientsInstalled() {
        Assumptions.assumeTrue(missingClients == null, missingClients);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kcat.sh", "kafka-python.sh", "confluent-kafka.sh", "confluent-admin-ops.sh",
            "kafka-python-groups.sh", "confluent-kafka-groups.sh", "kafkajs-groups.sh", "cli-groups.sh", "kafka-cli-ops.sh"})
    void scenarioPassesAgainstFjord(String script) throws Exception {
        Path out = Files.createTempFile("fjord-compat-" + script, ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder("bash", scenarios.resolve(script).toString(), fjord.bootstrapServers())
                    .directory(scenarios.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().put("SCENARIO_TIMEOUT_S", Integer.toString(SCENARIO_TIMEOUT_S));
            Process p = pb.start();
            // the script bounds itself; this only guards against a wrapper that does not
            if (!p.waitFor(SCENARIO_TIMEOUT_S + 30L, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail(script + " did not finish within " + (SCENARIO_TIMEOUT_S + 30) + " s; output:\n" + read(out));
            }
            String output = read(out);
            System.out.println(script + " against " + fjord.bootstrapServers() + ":\n" + output);
            assertThat(p.exitValue()).as("%s exit code; output:%n%s", script, output).isZero();
            assertThat(output).as("%s output", script).containsPattern("(?m)^PASS ");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Why the scenarios cannot run (kcat, /usr/bin/python3 with the client modules, node with kafkajs in
     * compat/core/node, java with the Kafka CLI jars in compat/core/cli/lib missing), or null.
     */
    private static String missingClients() throws InterruptedException {
        List<String> missing = new ArrayList<>();
        if (!onPath("kcat")) {
            missing.add("kcat");
        }
        if (!Files.isExecutable(Path.of(PYTHON))) {
            missing.add(PYTHON);
        } else {
            for (String module : List.of("kafka", "confluent_kafka")) {
                if (!succeeds(PYTHON, "-c", "import " + module)) {
                    missing.add("python module " + module + " for " + PYTHON);
                }
            }
        }
        if (!onPath("node")) {
            missing.add("node");
        } else if (!Files.isRegularFile(scenarios.resolve("node/node_modules/kafkajs/package.json"))) {
            missing.add("kafkajs in " + scenarios.resolve("node"));
        }
        if (!onPath("java")) {
            missing.add("java on PATH (for the Kafka CLI tools)");
        }
        if (!hasKafkaToolsJar(scenarios.resolve("cli/lib"))) {
            missing.add("Kafka CLI jars in " + scenarios.resolve("cli/lib"));
        }
        return missing.isEmpty() ? null
                : "client scenarios need " + String.join(", ", missing) + ": run compat/core/install.sh";
    }

    private static boolean hasKafkaToolsJar(Path lib) {
        try (var files = Files.list(lib)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("kafka-tools-[0-9].*\\.jar"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }

    private static boolean succeeds(String... command) throws InterruptedException {
        try {
            // from / so that compat/core/confluent_kafka.py cannot shadow the real package
            Process p = new ProcessBuilder(command).directory(new File("/"))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static int intEnv(String name, int dflt) {
        String v = System.getenv(name);
        try {
            return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
