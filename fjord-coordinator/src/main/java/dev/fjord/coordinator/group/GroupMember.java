package dev.fjord.coordinator.group;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/** One member of a classic group. Owned by the coordinator thread. */
final class GroupMember {
    String memberId;
    final String groupInstanceId;
    String clientId;
    String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    /** Protocol name to the member's metadata for it, in the member's order of preference. */
    Map<String, byte[]> protocols = new LinkedHashMap<>();
    byte[] assignment = new byte[0];
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> awaitingSync;

    GroupMember(final String memberId, final String groupInstanceId, final String clientId, final String clientHost,
                final int rebalanceTimeoutMs, final int sessionTimeoutMs) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    byte[] metadata(final String protocol) {
        final byte[] m = protocols.get(protocol);
        return m == null ? new byte[0] : m;
    }

    /** Whether the given protocols are the same, with the same metadata, as this member's. */
    boolean sameProtocols(final Map<String, byte[]> other) {
        if (!protocols.keySet().equals(other.keySet())) {
            return false;
        }
        for (final Map.Entry<String, byte[]> e : other.entrySet()) {
            if (!Arrays.equals(protocols.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }
}
