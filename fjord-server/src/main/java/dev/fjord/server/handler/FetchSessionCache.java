package dev.fjord.server.handler;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.Uuid;

/**
 * Incremental fetch sessions (KIP-227): the broker remembers which partitions a client fetches and at
 * which offsets, so that the client's next requests name only what changed and the answers carry only
 * partitions with something new.
 *
 * <p>Bounded: at most {@code maxSessions} sessions; creating one more evicts the least recently used
 * (its client gets FETCH_SESSION_ID_NOT_FOUND and starts a new session, as with Kafka). Thread-safe:
 * the map is guarded by this object; a session's contents by the session itself.
 */
final class FetchSessionCache {
    /** Kafka's max.incremental.fetch.session.cache.slots. */
    static final int DEFAULT_MAX_SESSIONS = 1000;

    /** One fetched partition: a topic id (zero before v13), its name (null when the id is unknown) and the index. */
    record PartitionKey(Uuid topicId, String topic, int partition) {
    }

    /** What the session remembers of one partition, and what it last told the client about it. */
    static final class CachedPartition {
        long fetchOffset;
        int maxBytes;
        int currentLeaderEpoch;
        long sentHighWatermark = -1;
        long sentLogStartOffset = -1;

        CachedPartition(final long fetchOffset, final int maxBytes, final int currentLeaderEpoch) {
            update(fetchOffset, maxBytes, currentLeaderEpoch);
        }

        void update(final long offset, final int bytes, final int leaderEpoch) {
            this.fetchOffset = offset;
            this.maxBytes = bytes;
            this.currentLeaderEpoch = leaderEpoch;
        }
    }

    static final class Session {
        final int id;
        /** The epoch the client's next incremental request must carry. */
        int nextEpoch = 1;
        final LinkedHashMap<PartitionKey, CachedPartition> partitions = new LinkedHashMap<>();

        Session(final int id) {
            this.id = id;
        }

        void advanceEpoch() {
            nextEpoch = nextEpoch == Integer.MAX_VALUE ? 1 : nextEpoch + 1;
        }
    }

    private final int maxSessions;
    /** Access-ordered: iteration starts at the least recently used session. */
    private final LinkedHashMap<Integer, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    FetchSessionCache(final int maxSessions) {
        this.maxSessions = maxSessions;
    }

    synchronized Session create() {
        if (sessions.size() >= maxSessions) {
            final Iterator<Map.Entry<Integer, Session>> lru = sessions.entrySet().iterator();
            lru.next();
            lru.remove();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        final Session session = new Session(id);
        sessions.put(id, session);
        return session;
    }

    synchronized Session get(final int id) {
        return sessions.get(id);
    }

    synchronized void remove(final int id) {
        sessions.remove(id);
    }

    synchronized int size() {
        return sessions.size();
    }
}
