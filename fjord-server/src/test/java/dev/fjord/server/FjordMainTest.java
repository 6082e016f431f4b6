package dev.fjord.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.server.FjordMain.Action;
import dev.fjord.server.FjordMain.Command;
import dev.fjord.server.FjordMain.UsageException;
import dev.fjord.server.config.BrokerConfig.Endpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FjordMainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parsesServerWithConfigAndOverrides() throws UsageException {
        final Command c = FjordMain.parse(new String[] {"server", "--config", "config/server.properties",
            "--override", "num.partitions=3", "--override=listeners=PLAINTEXT://:0", "--override", "a.b= x=y "});
        assertThat(c.action()).isEqualTo(Action.SERVER);
        assertThat(c.configFile()).isEqualTo(Path.of("config/server.properties"));
        assertThat(c.overrides()).containsExactly(
            Map.entry("num.partitions", "3"), Map.entry("listeners", "PLAINTEXT://:0"), Map.entry("a.b", " x=y "));
    }

    @Test
    void serverAloneMeansDefaults() throws UsageException {
        final Command c = FjordMain.parse(new String[] {"server"});
        assertThat(c.configFile()).isNull();
        assertThat(c.overrides()).isEmpty();
        assertThat(FjordMain.parse(new String[] {"server", "--config=x.properties"}).configFile())
            .isEqualTo(Path.of("x.properties"));
    }

    @Test
    void laterOverrideOfTheSameKeyWins() throws UsageException {
        assertThat(FjordMain.parse(new String[] {"server", "--override", "k=1", "--override", "k=2"}).overrides())
            .containsExactly(Map.entry("k", "2"));
    }

    @Test
    void helpAndVersion() throws UsageException {
        assertThat(FjordMain.parse(new String[] {"--help"}).action()).isEqualTo(Action.HELP);
        assertThat(FjordMain.parse(new String[] {"-h"}).action()).isEqualTo(Action.HELP);
        assertThat(FjordMain.parse(new String[] {"server", "--help"}).action()).isEqualTo(Action.HELP);
        assertThat(FjordMain.parse(new String[] {"version"}).action()).isEqualTo(Action.VERSION);
    }

    @Test
    void badArguments() {
        for (final List<String> bad : List.of(
            List.<String>of(),
            List.of("serve"),
            List.of("server", "--config"),
            List.of("server", "--config", "a", "--config", "b"),
            List.of("server", "--override", "novalue"),
            List.of("server", "--override", "=x"),
            List.of("server", "--override"),
            List.of("server", "extra"),
            List.of("server", "--port", "1"),
            List.of("version", "x"))) {
            assertThatThrownBy(() -> FjordMain.parse(bad.toArray(new String[0])))
                .as(bad.toString()).isInstanceOf(UsageException.class);
        }
    }

    @Test
    void badArgumentsExitWithUsage() {
        assertThat(FjordMain.run(new String[] {"server", "--override", "oops"}, out, err)).isEqualTo(2);
        assertThat(err()).startsWith("fjord: --override expects key=value, got 'oops'").contains("Usage: fjord server");
        assertThat(out()).isEmpty();
    }

    @Test
    void helpGoesToStdout() {
        assertThat(FjordMain.run(new String[] {"--help"}, out, err)).isZero();
        assertThat(out()).contains("Usage: fjord server [--config FILE] [--override key=value]...");
        assertThat(err()).isEmpty();
    }

    @Test
    void versionIsFilteredIn() {
        assertThat(FjordMain.run(new String[] {"version"}, out, err)).isZero();
        assertThat(out()).startsWith("Fjord ").doesNotContain("${").doesNotContain("unknown");
    }

    @Test
    void configErrorIsOneLineWithoutStackTrace() {
        assertThat(FjordMain.run(new String[] {"server", "--override", "num.partitions=abc"}, out, err)).isEqualTo(1);
        assertThat(err().strip()).isEqualTo("Invalid value 'abc' for 'num.partitions': expected an integer >= 1. "
            + "Fix it in config/server.properties or pass --override num.partitions=1.");
    }

    @Test
    void configErrorNamesTheConfigFileGiven() throws IOException {
        final java.nio.file.Path file = dir.resolve("my.properties");
        java.nio.file.Files.writeString(file, "num.partitions=abc\n");
        assertThat(FjordMain.run(new String[] {"server", "--config", file.toString()}, out, err)).isEqualTo(1);
        assertThat(err().strip()).isEqualTo("Invalid value 'abc' for 'num.partitions': expected an integer >= 1. "
            + "Fix it in " + file + " or pass --override num.partitions=1.");
    }

    @Test
    void missingConfigFileIsAConfigError() {
        assertThat(FjordMain.run(new String[] {"server", "--config", dir.resolve("nope").toString()}, out, err))
            .isEqualTo(1);
        assertThat(err()).contains("does not exist").doesNotContain("at dev.fjord");
    }

    @Test
    void portInUseIsAClearOneLineError() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final int port = taken.getLocalPort();
            final int code = FjordMain.run(new String[] {"server",
                "--override", "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--override", "log.dirs=" + dir.resolve("data")}, out, err);
            assertThat(code).isEqualTo(1);
            assertThat(err().strip()).isEqualTo("Port " + port + " on 127.0.0.1 is already in use (another broker running?). "
                + "Stop it or set listeners=PLAINTEXT://127.0.0.1:" + (port + 1) + " via --override.");
        }
    }

    @Test
    void addressInUseIsFoundInTheCauseChain() {
        assertThat(FjordMain.isAddressInUse(new IOException("wrapped", new BindException("Address already in use")))).isTrue();
        assertThat(FjordMain.isAddressInUse(new IOException("bind(..) failed: Address already in use"))).isTrue();
        assertThat(FjordMain.isAddressInUse(new IOException("disk full"))).isFalse();
    }

    @Test
    void portInUseMessageForAllInterfaces() {
        assertThat(FjordMain.portInUseMessage(new Endpoint("PLAINTEXT", "", 9092)))
            .isEqualTo("Port 9092 on all interfaces is already in use (another broker running?). "
                + "Stop it or set listeners=PLAINTEXT://:9093 via --override.");
    }

    @Test
    void shouldNameTheJdksOwnSelectorProviderOnLinuxButKeepOneTheUserNamed() {
        withPropertyRestored(FjordMain.SELECTOR_PROVIDER_PROPERTY, () -> {
            System.clearProperty(FjordMain.SELECTOR_PROVIDER_PROPERTY);
            FjordMain.useJdkSelectorProvider();
            if (System.getProperty("os.name").startsWith("Linux")) {
                // The class the JDK's default selector provider is, so nothing changes but the skipped scan.
                assertThat(System.getProperty(FjordMain.SELECTOR_PROVIDER_PROPERTY))
                    .isEqualTo(java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
            }
            System.setProperty(FjordMain.SELECTOR_PROVIDER_PROPERTY, "com.example.Mine");
            FjordMain.useJdkSelectorProvider();
            assertThat(System.getProperty(FjordMain.SELECTOR_PROVIDER_PROPERTY)).isEqualTo("com.example.Mine");
        });
    }

    @Test
    void shouldTurnOffNettysJfrEventsUnlessTheUserSetTheProperty() {
        withPropertyRestored(FjordMain.NETTY_JFR_PROPERTY, () -> {
            System.clearProperty(FjordMain.NETTY_JFR_PROPERTY);
            FjordMain.withoutNettyJfrEvents();
            assertThat(System.getProperty(FjordMain.NETTY_JFR_PROPERTY)).isEqualTo("false");
            System.setProperty(FjordMain.NETTY_JFR_PROPERTY, "true");
            FjordMain.withoutNettyJfrEvents();
            assertThat(System.getProperty(FjordMain.NETTY_JFR_PROPERTY)).isEqualTo("true");
        });
    }

    /** Runs {@code body}, then puts the system property back as it was. */
    private static void withPropertyRestored(final String key, final Runnable body) {
        final String saved = System.getProperty(key);
        try {
            body.run();
        } finally {
            if (saved == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, saved);
            }
        }
    }
}
