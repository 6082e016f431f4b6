package dev.fjord.common.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A table of configuration keys: for each, its type, default, validator, importance and a one-line doc.
 * {@link #parse(Map)} turns string settings (from a properties file and command-line overrides) into typed
 * values, failing with a {@link ConfigException} that names the key, the value, the problem and the fix.
 *
 * <p>Keys not in the table are not errors: they are collected in {@link ConfigValues#unknownKeys()} so the
 * caller can warn about each one. Keys declared with {@link #defineIgnored} are known (no warning) but
 * their values are kept only as raw strings.
 *
 * <p>Values are trimmed before parsing. Sizes are plain numbers of bytes and durations plain numbers of
 * milliseconds (or hours etc. as the key's name says) — no unit suffixes, as in Kafka.
 */
public final class ConfigDef {

    /** The value types a key can have. LIST is comma-separated, trimmed, with empty items dropped. */
    public enum Type {
        INT("an integer"),
        LONG("an integer"),
        BOOLEAN("true or false"),
        STRING("a string"),
        LIST("a comma-separated list");

        private final String noun;

        Type(final String noun) {
            this.noun = noun;
        }

        /** How the type is described in error messages, e.g. "an integer". */
        public String noun() {
            return noun;
        }
    }

    /** How much a user should care about a key; used to order documentation. */
    public enum Importance { HIGH, MEDIUM, LOW }

    /** Marker default: the key has no default and must be set. (A {@code null} default means "unset is fine".) */
    public static final Object REQUIRED = new Object() {
        @Override
        public String toString() {
            return "<required>";
        }
    };

    /** A check on an already-typed value. */
    public interface Validator {
        /** Whether the typed value is acceptable (never called with null). */
        boolean accepts(Object value);

        /** What a valid value looks like, given the key's type, e.g. "an integer >= 1". */
        String expected(Type type);

        /** A valid value to suggest in error messages, or null to fall back to the key's default. */
        default String example() {
            return null;
        }
    }

    /** One row of the table. */
    public record ConfigKey(String name, Type type, Object defaultValue, Validator validator,
                            Importance importance, String doc, boolean ignored) {
        public ConfigKey {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(importance, "importance");
            doc = doc == null ? "" : doc;
        }

        public boolean required() {
            return defaultValue == REQUIRED;
        }

        /** What a valid value looks like, e.g. "an integer >= 1". */
        public String expected() {
            return validator == null ? type.noun() : validator.expected(type);
        }

        /** A valid value to show in a remedy. */
        String example() {
            if (validator != null && validator.example() != null) {
                return validator.example();
            }
            if (defaultValue != null && defaultValue != REQUIRED) {
                return format(defaultValue);
            }
            return null;
        }
    }

    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();

    /** Adds a key. Defaults are typed values (Integer for INT, List&lt;String&gt; for LIST, ...), null, or {@link #REQUIRED}. */
    public ConfigDef define(final String name, final Type type, final Object defaultValue, final Validator validator,
                            final Importance importance, final String doc) {
        if (keys.containsKey(name)) {
            throw new IllegalArgumentException("config key defined twice: " + name);
        }
        final ConfigKey key = new ConfigKey(name, type, defaultValue, validator, importance, doc, false);
        if (defaultValue != null && defaultValue != REQUIRED) {
            checkDefault(key);
        }
        keys.put(name, key);
        return this;
    }

    /** Adds a key without a validator. */
    public ConfigDef define(final String name, final Type type, final Object defaultValue, final Importance importance,
                            final String doc) {
        return define(name, type, defaultValue, null, importance, doc);
    }

    /**
     * Adds a key that is accepted for compatibility but has no effect: setting it does not warn, and its
     * value is available only as a raw string.
     */
    public ConfigDef defineIgnored(final String name, final String doc) {
        if (keys.containsKey(name)) {
            throw new IllegalArgumentException("config key defined twice: " + name);
        }
        keys.put(name, new ConfigKey(name, Type.STRING, null, null, Importance.LOW, doc, true));
        return this;
    }

    /** The keys in definition order. */
    public Collection<ConfigKey> keys() {
        return Collections.unmodifiableCollection(keys.values());
    }

    public ConfigKey key(final String name) {
        return keys.get(name);
    }

    public boolean isKnown(final String name) {
        return keys.containsKey(name);
    }

    /**
     * Parses string settings into typed values. Every defined key gets a value (its default when not set;
     * ignored keys get their raw string or null). Settings whose key is not defined are reported, not
     * rejected.
     *
     * @throws ConfigException for the first invalid or missing value, in definition order
     */
    public ConfigValues parse(final Map<String, String> settings) {
        final Map<String, Object> values = new LinkedHashMap<>();
        final Set<String> explicitlySet = new LinkedHashSet<>();
        for (final ConfigKey key : keys.values()) {
            final String raw = settings.get(key.name());
            if (raw != null) {
                explicitlySet.add(key.name());
            }
            if (key.ignored()) {
                values.put(key.name(), raw);
                continue;
            }
            final Object value;
            if (raw == null) {
                if (key.required()) {
                    throw ConfigException.missing(key.name(), key.expected(), key.example());
                }
                value = key.defaultValue();
            } else {
                value = parseValue(key, raw);
            }
            values.put(key.name(), value);
        }
        final Set<String> unknown = new LinkedHashSet<>();
        for (final String name : settings.keySet()) {
            if (!keys.containsKey(name)) {
                unknown.add(name);
            }
        }
        return new ConfigValues(this, values, explicitlySet, unknown);
    }

    /** Parses and validates one raw value for a key. */
    public static Object parseValue(final ConfigKey key, final String raw) {
        final String trimmed = raw.trim();
        final Object value;
        try {
            value = parseType(key.type(), trimmed);
        } catch (final IllegalArgumentException e) {
            throw ConfigException.invalid(key.name(), trimmed, key.expected(), key.example());
        }
        if (key.validator() != null && !key.validator().accepts(value)) {
            throw ConfigException.invalid(key.name(), trimmed, key.expected(), key.example());
        }
        return value;
    }

    private static Object parseType(final Type type, final String s) {
        switch (type) {
            case INT:
                return Integer.valueOf(s);
            case LONG:
                return Long.valueOf(s);
            case BOOLEAN:
                if (s.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (s.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException("not a boolean: " + s);
            case STRING:
                return s;
            case LIST:
                return splitList(s);
            default:
                throw new IllegalStateException("unhandled type " + type);
        }
    }

    /** Splits a comma-separated list, trimming items and dropping empty ones. */
    public static List<String> splitList(final String s) {
        final List<String> items = new ArrayList<>();
        for (final String part : s.split(",", -1)) {
            final String item = part.trim();
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return List.copyOf(items);
    }

    /** Formats a typed value the way it would be written in a properties file. */
    public static String format(final Object value) {
        if (value instanceof List) {
            return String.join(",", ((List<?>) value).stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }

    private static void checkDefault(final ConfigKey key) {
        final Class<?> expectedClass;
        switch (key.type()) {
            case INT:
                expectedClass = Integer.class;
                break;
            case LONG:
                expectedClass = Long.class;
                break;
            case BOOLEAN:
                expectedClass = Boolean.class;
                break;
            case STRING:
                expectedClass = String.class;
                break;
            default:
                expectedClass = List.class;
                break;
        }
        if (!expectedClass.isInstance(key.defaultValue())) {
            throw new IllegalArgumentException("default for " + key.name() + " must be a " + expectedClass.getSimpleName()
                + " but is " + key.defaultValue().getClass().getSimpleName());
        }
        if (key.validator() != null && !key.validator().accepts(key.defaultValue())) {
            throw new IllegalArgumentException("default for " + key.name() + " fails its own validator: "
                + key.defaultValue());
        }
    }

    // ---------------------------------------------------------------- validators

    /** Numbers in [min, max]; either bound may be null for "unbounded". */
    public static Validator range(final Number min, final Number max) {
        return new Validator() {
            @Override
            public boolean accepts(final Object value) {
                final long v = ((Number) value).longValue();
                return (min == null || v >= min.longValue()) && (max == null || v <= max.longValue());
            }

            @Override
            public String expected(final Type type) {
                if (min != null && max != null) {
                    return type.noun() + " between " + min + " and " + max;
                }
                if (min != null) {
                    return type.noun() + " >= " + min;
                }
                if (max != null) {
                    return type.noun() + " <= " + max;
                }
                return type.noun();
            }
        };
    }

    /** Numbers &gt;= min. */
    public static Validator atLeast(final Number min) {
        return range(min, null);
    }

    /**
     * One of the given strings, compared ignoring case. For LIST keys every item must be one of them
     * (and the list may not be empty).
     */
    public static Validator oneOf(final String... allowed) {
        final List<String> options = List.of(allowed);
        return new Validator() {
            @Override
            public boolean accepts(final Object value) {
                if (value instanceof List) {
                    final List<?> items = (List<?>) value;
                    return !items.isEmpty() && items.stream().allMatch(i -> matches(String.valueOf(i)));
                }
                return matches(String.valueOf(value));
            }

            private boolean matches(final String s) {
                for (final String option : options) {
                    if (option.equalsIgnoreCase(s)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public String expected(final Type type) {
                return (type == Type.LIST ? "a comma-separated list of " : "one of ") + String.join(", ", options);
            }

            @Override
            public String example() {
                return options.get(0);
            }
        };
    }

    /** A non-blank string or a list with at least one item. */
    public static Validator nonEmpty() {
        return new Validator() {
            @Override
            public boolean accepts(final Object value) {
                if (value instanceof List) {
                    return !((List<?>) value).isEmpty();
                }
                return !String.valueOf(value).isBlank();
            }

            @Override
            public String expected(final Type type) {
                return type == Type.LIST ? "a non-empty comma-separated list" : "a non-empty string";
            }
        };
    }

    /** The canonical spelling of a value accepted by {@link #oneOf}: the option as declared. */
    public static String canonical(final String value, final String... allowed) {
        for (final String option : allowed) {
            if (option.equalsIgnoreCase(value)) {
                return option;
            }
        }
        throw new IllegalArgumentException(value + " is not one of " + String.join(", ", allowed));
    }
}
