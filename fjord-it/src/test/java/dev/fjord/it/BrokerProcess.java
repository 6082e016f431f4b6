package dev.fjord.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Fjord broker in its own JVM, started through the same main class as {@code bin/fjord server}, so
 * that a test can kill it with SIGKILL. It listens on a free loopback port it picks itself; the port
 * is read from its start-up log line.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

    private final Process process;
    private final int port;
    private final List<String> output = new ArrayList<>();
    private Thread drain;

    private BrokerProcess(final Process process, final int port) {
        this.process = process;
        this.port = port;
    }

    static BrokerProcess start(final Path dataDir, final String... overrides) throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.fjord.server.FjordMain", "server",
                "--override", "listeners=PLAINTEXT://127.0.0.1:0",
                "--override", "log.dirs=" + dataDir));
        for (final String o : overrides) {
            command.add("--override");
            command.add(o);
        }
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        final List<String> seen = new ArrayList<>();
        final CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (seen) {
                        seen.add(line);
                    }
                    final Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                return -1;
            } catch (IOException e) {
                return -1;
            }
        });
        final int bound;
        try {
            bound = port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("Broker did not start: " + seen, e);
        }
        if (bound < 0) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("Broker exited before listening: " + seen);
        }
        final BrokerProcess broker = new BrokerProcess(p, bound);
        broker.output.addAll(seen);
        // Keep draining its output so the broker never blocks on a full pipe.
        final Thread drain = new Thread(() -> {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (broker.output) {
                        broker.output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // The process is gone.
            }
        }, "broker-output");
        drain.setDaemon(true);
        drain.start();
        broker.drain = drain;
        return broker;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for the clean stop. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        drain.join(10_000); // the last log lines
        return process.exitValue();
    }

    List<String> output() {
        synchronized (output) {
            return new ArrayList<>(output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
