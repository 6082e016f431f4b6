package dev.fjord.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

class ConsoleLogProviderTest {

    @Test
    void shouldTakeTheLevelOfTheLongestConfiguredPrefixOfTheLoggerName() {
        final Properties p = new Properties();
        assertThat(ConsoleLogProvider.level(p, "dev.fjord.server.Broker")).isEqualTo(Level.INFO);
        p.setProperty("fjord.log.level", "WARN");
        p.setProperty("fjord.log.level.dev.fjord", "debug");
        p.setProperty("fjord.log.level.dev.fjord.coordinator", "error");
        p.setProperty("fjord.log.level.dev.fjord.network.KafkaServer", "off");
        assertThat(ConsoleLogProvider.level(p, "dev.fjord.server.Broker")).isEqualTo(Level.DEBUG);
        assertThat(ConsoleLogProvider.level(p, "dev.fjord.coordinator.group.GroupCoordinator")).isEqualTo(Level.ERROR);
        assertThat(ConsoleLogProvider.level(p, "dev.fjord.network.KafkaServer")).isNull();
        assertThat(ConsoleLogProvider.level(p, "dev.fjordx.Other")).isEqualTo(Level.WARN);
        assertThat(ConsoleLogProvider.level(p, "io.netty.Foo")).isEqualTo(Level.WARN);
    }

    @Test
    void shouldReadAnUnknownLevelAsInfoSoThatATypoDoesNotSilenceTheLog() {
        assertThat(ConsoleLogProvider.parse("verbose")).isEqualTo(Level.INFO);
        assertThat(ConsoleLogProvider.parse(" Trace ")).isEqualTo(Level.TRACE);
    }

    @Test
    void shouldFormatTheTimeOfDayWithMilliseconds() {
        assertThat(timeOfDay(0)).isEqualTo("00:00:00.000");
        assertThat(timeOfDay(86_399_999)).isEqualTo("23:59:59.999");
        assertThat(timeOfDay(86_400_000L * 20_000 + 13 * 3_600_000 + 7 * 60_000 + 5_000 + 42)).isEqualTo("13:07:05.042");
        assertThat(timeOfDay(-1)).isEqualTo("23:59:59.999"); // before 1970, or a negative zone offset at the epoch
    }

    @Test
    void shouldWriteOneLinePerEventInSlf4jSimplesLayoutWithTheStackTraceAfterIt() {
        final ConsoleLogProvider provider = new ConsoleLogProvider();
        provider.initialize();
        final Logger log = provider.getLogger("dev.fjord.server.SomeClass");
        final String text = capturingStderr(() -> {
            log.info("hello {} and {}", 1, "two");
            log.debug("not at the default level");
            log.warn("it failed", new IllegalStateException("boom"));
            log.error("no arguments {}");
        });
        final String[] lines = text.split("\\R");
        assertThat(lines[0]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[INFO\\] SomeClass - hello 1 and two");
        assertThat(lines[1]).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[WARN\\] SomeClass - it failed");
        assertThat(lines[2]).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines[3]).contains("at dev.fjord.server.log.ConsoleLogProviderTest");
        assertThat(text).doesNotContain("not at the default level")
            .containsPattern("\\[ERROR\\] SomeClass - no arguments \\{\\}\\R$");
        assertThat(log.isDebugEnabled()).isFalse();
        assertThat(log.isInfoEnabled()).isTrue();
    }

    @Test
    void shouldBeTheBackendOfThisModulesTestsAsOfTheServer() {
        // The surefire configuration names it, as FjordMain does for `fjord server`.
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(ConsoleLogProvider.class);
    }

    private static String timeOfDay(final long localMillis) {
        final StringBuilder out = new StringBuilder();
        ConsoleLogProvider.appendTimeOfDay(out, localMillis);
        return out.toString();
    }

    private static String capturingStderr(final Runnable body) {
        final PrintStream saved = System.err;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
