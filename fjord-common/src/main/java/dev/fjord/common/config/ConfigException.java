package dev.fjord.common.config;

/**
 * A configuration problem, worded for the person who has to fix it: which key, which value, what is
 * wrong with it and what to do. Thrown while parsing; never wraps a stack trace worth showing, so
 * launchers print {@link #getMessage()} alone.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Where users normally change settings; named in every remedy. */
    public static final String CONFIG_FILE_HINT = "config/server.properties";

    private final String key;
    private final String value;

    /** A problem that is not about one key, e.g. an unreadable config file. */
    public ConfigException(final String message) {
        this(null, null, message);
    }

    public ConfigException(final String key, final String value, final String message) {
        super(message);
        this.key = key;
        this.value = value;
    }

    /**
     * The standard message for a value that does not fit its key, e.g.
     * {@code Invalid value 'abc' for 'num.partitions': expected an integer >= 1. Fix it in
     * config/server.properties or pass --override num.partitions=3.}
     *
     * @param expected what a valid value looks like, e.g. "an integer >= 1"
     * @param example  a valid value to show in the remedy
     */
    public static ConfigException invalid(final String key, final String value, final String expected,
                                          final String example) {
        return new ConfigException(key, value,
            "Invalid value '" + value + "' for '" + key + "': expected " + expected + "." + unitsNote(value)
                + " " + remedy(key, example));
    }

    /** A key that has no default and was not set. */
    public static ConfigException missing(final String key, final String expected, final String example) {
        return new ConfigException(key, null,
            "Missing value for '" + key + "': expected " + expected + ". " + remedy(key, example));
    }

    /** "Fix it in config/server.properties or pass --override key=example." */
    public static String remedy(final String key, final String example) {
        return "Fix it in " + CONFIG_FILE_HINT + " or pass --override " + key + "="
            + (example == null || example.isEmpty() ? "<value>" : example) + ".";
    }

    /** People write "1GB" or "10s" by habit; say plainly that Kafka-style values carry no units. */
    private static String unitsNote(final String value) {
        if (value != null && value.trim().matches("-?[0-9]+(\\.[0-9]+)?\\s*[A-Za-z]+")) {
            return " Sizes and durations are plain numbers without units (bytes, or milliseconds for *.ms keys).";
        }
        return "";
    }

    /** The offending key, or null if the problem is not about one key. */
    public String key() {
        return key;
    }

    /** The offending value as written, or null if the key was missing. */
    public String value() {
        return value;
    }
}
