package dev.fjord.server.handler;

import org.apache.kafka.common.protocol.Errors;

/** The client's view of the leader epoch against ours, as Fetch, ListOffsets and OffsetForLeaderEpoch check it. */
final class LeaderEpochs {
    /** A client that does not know the epoch sends -1 and is not checked. */
    static final int UNKNOWN = -1;

    private LeaderEpochs() {
    }

    static Errors check(final int clientEpoch, final int ourEpoch) {
        if (clientEpoch == UNKNOWN || clientEpoch == ourEpoch) {
            return Errors.NONE;
        }
        return clientEpoch > ourEpoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
    }
}
