package dev.fjord.server.metadata;

import java.io.IOException;
import java.io.Reader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The broker's catalogue of topics, kept in one small file so that names, ids, partition counts and
 * topic configs survive restarts. Single-node stand-in for the metadata quorum of cluster mode.
 *
 * <p>File {@code fjord-topics.properties} in the first log directory, Java properties syntax:
 * <pre>
 *   topic.&lt;name&gt;.id=&lt;base64 topic id&gt;
 *   topic.&lt;name&gt;.partitions=&lt;count&gt;
 *   topic.&lt;name&gt;.config.&lt;key&gt;=&lt;value&gt;
 * </pre>
 * Every change writes a temporary file, fsyncs it and renames it over the old one, so a crash leaves
 * either the old or the new catalogue, never a mix.
 *
 * <p>Thread-safety: changes are serialized by this object's monitor; reads see an immutable snapshot
 * through a volatile field and take no lock.
 */
public final class TopicRegistry {
    static final String FILE_NAME = "fjord-topics.properties";

    private final Path file;
    private volatile Map<String, TopicInfo> byName;
    private volatile Map<Uuid, TopicInfo> byId;

    private TopicRegistry(final Path file, final Map<String, TopicInfo> topics) {
        this.file = file;
        publish(topics);
    }

    /** Loads the catalogue from {@code dir}, or starts an empty one. */
    public static TopicRegistry open(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE_NAME);
        final Map<String, TopicInfo> topics = new TreeMap<>();
        if (Files.exists(file)) {
            final Properties props = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(reader);
            }
            final Map<String, Map<String, String>> configs = new HashMap<>();
            for (final String key : props.stringPropertyNames()) {
                if (key.startsWith("topic.") && key.endsWith(".id")) {
                    final String name = key.substring(6, key.length() - 3);
                    configs.putIfAbsent(name, new HashMap<>());
                }
            }
            for (final String key : props.stringPropertyNames()) {
                for (final String name : configs.keySet()) {
                    final String prefix = "topic." + name + ".config.";
                    if (key.startsWith(prefix)) {
                        configs.get(name).put(key.substring(prefix.length()), props.getProperty(key));
                    }
                }
            }
            for (final Map.Entry<String, Map<String, String>> e : configs.entrySet()) {
                final String name = e.getKey();
                topics.put(name, new TopicInfo(name, Uuid.fromString(props.getProperty("topic." + name + ".id")),
                        Integer.parseInt(props.getProperty("topic." + name + ".partitions")), e.getValue()));
            }
        }
        return new TopicRegistry(file, topics);
    }

    public Optional<TopicInfo> get(final String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TopicInfo> get(final Uuid id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<TopicInfo> all() {
        return byName.values();
    }

    /**
     * Adds a topic durably.
     *
     * @throws TopicExistsException if a topic of that name exists
     */
    public synchronized TopicInfo create(final String name, final int partitions, final Map<String, String> configs) {
        if (byName.containsKey(name)) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        Uuid id = RandomIds.uuid();
        while (byId.containsKey(id)) {
            id = RandomIds.uuid();
        }
        final TopicInfo topic = new TopicInfo(name, id, partitions, configs);
        final Map<String, TopicInfo> next = new TreeMap<>(byName);
        next.put(name, topic);
        persist(next);
        publish(next);
        return topic;
    }

    /** Replaces a topic's entry (new partition count or configs), durably. */
    public synchronized TopicInfo update(final TopicInfo topic) {
        final Map<String, TopicInfo> next = new TreeMap<>(byName);
        next.put(topic.name(), topic);
        persist(next);
        publish(next);
        return topic;
    }

    /** Removes a topic durably; returns it if it existed. */
    public synchronized Optional<TopicInfo> delete(final String name) {
        final TopicInfo topic = byName.get(name);
        if (topic == null) {
            return Optional.empty();
        }
        final Map<String, TopicInfo> next = new TreeMap<>(byName);
        next.remove(name);
        persist(next);
        publish(next);
        return Optional.of(topic);
    }

    private void publish(final Map<String, TopicInfo> topics) {
        final Map<Uuid, TopicInfo> ids = new HashMap<>();
        for (final TopicInfo t : topics.values()) {
            ids.put(t.id(), t);
        }
        this.byName = Map.copyOf(topics);
        this.byId = Map.copyOf(ids);
    }

    private void persist(final Map<String, TopicInfo> topics) {
        final StringBuilder out = new StringBuilder("# Fjord topic catalogue. Written by the broker; do not edit while it runs.\n");
        for (final TopicInfo t : topics.values()) {
            final String p = "topic." + t.name() + ".";
            out.append(p).append("id=").append(t.id()).append('\n');
            out.append(p).append("partitions=").append(t.partitions()).append('\n');
            for (final Map.Entry<String, String> c : new TreeMap<>(t.configs()).entrySet()) {
                out.append(p).append("config.").append(c.getKey()).append('=')
                        .append(escape(c.getValue())).append('\n');
            }
        }
        try {
            DurableFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KafkaStorageException("Could not write the topic catalogue " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A value as {@link Properties#load(Reader)} reads it back: backslash escapes for {@code \\}, tab, line
     * breaks, form feed and the separators and comment marks, a leading space escaped, other characters as
     * they are (the file is UTF-8). {@code Properties.store} would do the same, but it also formats a date
     * comment on every call (time-zone and calendar data: ~3.5 ms of CPU the first time).
     */
    private static String escape(final String value) {
        final StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                case ' ' -> out.append(i == 0 ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Atomic, durable replacement of small files. */
    public static final class DurableFiles {
        private DurableFiles() {
        }

        /** Writes {@code bytes} to a temporary file, fsyncs it, renames it over {@code file} and fsyncs the directory. */
        public static void replace(final Path file, final byte[] bytes) throws IOException {
            final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot fsync a directory; the rename is still atomic there.
            }
        }
    }

}
