package dev.fjord.server.partition;

import dev.fjord.server.metadata.TopicRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out producer ids that are never reused, across restarts too: ids are reserved in blocks, and
 * the end of the current block is written durably before any id of it is handed out, so a crash can
 * skip ids but never repeat one.
 *
 * <p>File {@code producer-ids} in the first log directory, one line: {@code <next unreserved id>}.
 * Thread-safe.
 */
public final class ProducerIdManager {
    /** Ids reserved per write: one fsync per thousand producers. */
    static final long BLOCK_SIZE = 1000;

    private final Path file;
    private long next;
    private long blockEnd;

    public ProducerIdManager(final Path dir) throws IOException {
        this.file = dir.resolve("producer-ids");
        long start = 0;
        if (Files.exists(file)) {
            start = Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim());
        }
        this.next = start;
        this.blockEnd = start;
    }

    public synchronized long nextId() throws IOException {
        if (next >= blockEnd) {
            final long end = next + BLOCK_SIZE;
            TopicRegistry.DurableFiles.replace(file, (end + "\n").getBytes(StandardCharsets.UTF_8));
            blockEnd = end;
        }
        return next++;
    }
}
