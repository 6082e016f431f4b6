package dev.fjord.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed result of {@link ConfigDef#parse(Map)}: one value per defined key (null when the key has no
 * default and was not set), plus the keys that were set explicitly and the keys the table did not know.
 * Immutable.
 */
public final class ConfigValues {
    private final ConfigDef def;
    private final Map<String, Object> values;
    private final Set<String> explicitlySet;
    private final Set<String> unknownKeys;

    ConfigValues(final ConfigDef def, final Map<String, Object> values, final Set<String> explicitlySet,
                 final Set<String> unknownKeys) {
        this.def = def;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.explicitlySet = Set.copyOf(explicitlySet);
        this.unknownKeys = Collections.unmodifiableSet(new java.util.LinkedHashSet<>(unknownKeys));
    }

    /** The value of a defined key; null if unset without default. */
    public Object get(final String name) {
        if (!def.isKnown(name)) {
            throw new IllegalArgumentException("no such config key defined: " + name);
        }
        return values.get(name);
    }

    public Integer getInt(final String name) {
        return typed(name, ConfigDef.Type.INT, Integer.class);
    }

    public Long getLong(final String name) {
        return typed(name, ConfigDef.Type.LONG, Long.class);
    }

    public Boolean getBoolean(final String name) {
        return typed(name, ConfigDef.Type.BOOLEAN, Boolean.class);
    }

    public String getString(final String name) {
        return typed(name, ConfigDef.Type.STRING, String.class);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(final String name) {
        return typed(name, ConfigDef.Type.LIST, List.class);
    }

    /** Whether the key was present in the parsed settings (as opposed to falling back to its default). */
    public boolean isSet(final String name) {
        return explicitlySet.contains(name);
    }

    /** Settings whose key is not defined, in the order they were given. Callers warn once per key. */
    public Set<String> unknownKeys() {
        return unknownKeys;
    }

    private <T> T typed(final String name, final ConfigDef.Type type, final Class<T> cls) {
        final ConfigDef.ConfigKey key = def.key(name);
        if (key == null) {
            throw new IllegalArgumentException("no such config key defined: " + name);
        }
        if (key.type() != type) {
            throw new IllegalArgumentException("config key " + name + " is " + key.type() + ", not " + type);
        }
        return cls.cast(values.get(name));
    }
}
