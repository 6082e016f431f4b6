package dev.fjord.server.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger of {@link ConsoleLogProvider}: a fixed level, set when it is created. */
final class ConsoleLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    /** The lowest level written; {@code Integer.MAX_VALUE} when off. */
    private final int threshold;
    private final String shortName;
    private final transient ConsoleLogProvider out;

    ConsoleLogger(final String name, final Level level, final ConsoleLogProvider out) {
        this.name = name;
        this.threshold = level == null ? Integer.MAX_VALUE : level.toInt();
        this.shortName = name.substring(name.lastIndexOf('.') + 1);
        this.out = out;
    }

    @Override
    public boolean isTraceEnabled() {
        return threshold <= Level.TRACE.toInt();
    }

    @Override
    public boolean isDebugEnabled() {
        return threshold <= Level.DEBUG.toInt();
    }

    @Override
    public boolean isInfoEnabled() {
        return threshold <= Level.INFO.toInt();
    }

    @Override
    public boolean isWarnEnabled() {
        return threshold <= Level.WARN.toInt();
    }

    @Override
    public boolean isErrorEnabled() {
        return threshold <= Level.ERROR.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(final Level level, final Marker marker, final String pattern,
                                               final Object[] arguments, final Throwable throwable) {
        out.write(level, shortName, String.valueOf(MessageFormatter.basicArrayFormat(pattern, arguments)), throwable);
    }
}
