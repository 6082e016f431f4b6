package dev.fjord.server.log;

import java.io.PrintStream;
import java.util.Properties;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The log backend of {@code fjord server}: one line per event on standard error,
 * {@code HH:mm:ss.SSS [LEVEL] ShortName - message}, then the stack trace if there is one.
 *
 * <p>Why not slf4j-simple, whose output this keeps: its timestamp is a {@link java.text.SimpleDateFormat},
 * whose creation loads the JDK's locale and calendar data, about 20 ms of CPU on the path to the first
 * answer (a tenth of a cold start, measured A/B in bench/ANALYSIS.md). A local time of day needs only the
 * time zone's offset.
 *
 * <p>Not registered as a {@link java.util.ServiceLoader} service, so that a project embedding Fjord keeps
 * its own backend: {@link dev.fjord.server.FjordMain} names it in the {@value #PROVIDER_PROPERTY} system
 * property, which also spares SLF4J the scan of every jar on the class path for providers.
 *
 * <p>Levels: {@value #LEVEL_PROPERTY} (default {@code info}) for all loggers, and
 * {@value #LEVEL_PROPERTY}{@code .<name>} for a logger and those below it in the dotted name
 * ({@code -Dfjord.log.level.dev.fjord.coordinator=debug}); the longest match wins.
 */
public final class ConsoleLogProvider implements SLF4JServiceProvider, ILoggerFactory {
    /** SLF4J's own key for the provider to use, bypassing its service scan. */
    public static final String PROVIDER_PROPERTY = "slf4j.provider";
    public static final String LEVEL_PROPERTY = "fjord.log.level";

    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private volatile Properties levels = new Properties();
    private volatile TimeZone zone = TimeZone.getTimeZone("UTC");

    @Override
    public void initialize() {
        levels = System.getProperties();
        zone = TimeZone.getDefault();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return this;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public Logger getLogger(final String name) {
        return loggers.computeIfAbsent(name, n -> new ConsoleLogger(n, level(levels, n), this));
    }

    /** The level configured for a logger name in {@code properties}: its longest configured prefix, else the default. */
    static Level level(final Properties properties, final String name) {
        for (String n = name; !n.isEmpty(); n = n.lastIndexOf('.') < 0 ? "" : n.substring(0, n.lastIndexOf('.'))) {
            final String value = properties.getProperty(LEVEL_PROPERTY + "." + n);
            if (value != null) {
                return parse(value);
            }
        }
        return parse(properties.getProperty(LEVEL_PROPERTY, "info"));
    }

    /** A level name, any case; an unknown one means {@code info}, so a typo never silences the log. */
    static Level parse(final String value) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "trace": return Level.TRACE;
            case "debug": return Level.DEBUG;
            case "warn": return Level.WARN;
            case "error": return Level.ERROR;
            case "off": return null;
            default: return Level.INFO;
        }
    }

    /** Writes one event; lines from different threads do not interleave. */
    void write(final Level level, final String shortName, final String message, final Throwable throwable) {
        final long now = System.currentTimeMillis();
        final StringBuilder line = new StringBuilder(message.length() + shortName.length() + 24);
        appendTimeOfDay(line, now + zone.getOffset(now));
        line.append(" [").append(level.name()).append("] ").append(shortName).append(" - ").append(message);
        final PrintStream err = System.err;
        synchronized (ConsoleLogProvider.class) {
            err.println(line);
            if (throwable != null) {
                throwable.printStackTrace(err);
            }
            err.flush();
        }
    }

    /** {@code HH:mm:ss.SSS} of a local time in epoch milliseconds. */
    static void appendTimeOfDay(final StringBuilder out, final long localMillis) {
        final long ms = Math.floorMod(localMillis, 86_400_000L);
        twoDigits(out, (int) (ms / 3_600_000)).append(':');
        twoDigits(out, (int) (ms / 60_000 % 60)).append(':');
        twoDigits(out, (int) (ms / 1000 % 60)).append('.');
        final int millis = (int) (ms % 1000);
        out.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10));
    }

    private static StringBuilder twoDigits(final StringBuilder out, final int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}
