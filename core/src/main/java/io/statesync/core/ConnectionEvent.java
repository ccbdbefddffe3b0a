/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.core;

import java.util.Objects;

/**
 * One connection transition of a {@link Coordinator}.
 *
 * <p>{@link #isLoss()} is decided once, by the coordinator's {@link ConnectionLossPolicy}: every
 * recipe that holds something (leadership, a lock) gives it up on exactly the events where it is
 * {@code true}.
 *
 * <p>Thread-safe: immutable.
 */
public final class ConnectionEvent {

    /** The kinds of transition. */
    public enum Kind {
        /** The first connection after {@link Coordinator#start()}. */
        CONNECTED,
        /**
         * The connection to ZooKeeper dropped; the session may still be alive. Nothing this client
         * holds can be trusted until RECONNECTED.
         */
        SUSPENDED,
        /**
         * Connected again after SUSPENDED or LOST. {@link #isNewSession()} tells whether the session
         * survived (ephemeral nodes and watches kept) or a new one began.
         */
        RECONNECTED,
        /**
         * The session is gone: expired by the server, or the session timeout passed while
         * disconnected. Every ephemeral node of this client has been or will be deleted.
         */
        LOST,
        /** Connected to a server that is partitioned from its quorum; reads only. */
        READ_ONLY
    }

    private final Kind kind;
    private final long sessionId;
    private final boolean newSession;
    private final boolean loss;

    /**
     * Creates an event.
     *
     * @param kind the transition
     * @param sessionId the ZooKeeper session id after the transition, or 0 if none is established
     * @param newSession whether a session other than the previous one is now established
     * @param loss whether recipes must give up what they hold, under the coordinator's policy
     */
    public ConnectionEvent(Kind kind, long sessionId, boolean newSession, boolean loss) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.sessionId = sessionId;
        this.newSession = newSession;
        this.loss = loss;
    }

    /**
     * The transition.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The session this transition concerns: the session in effect after CONNECTED and RECONNECTED
     * (a new one if {@link #isNewSession()}), the session that may be lost for SUSPENDED, and the
     * session that was lost for LOST, so that a client's log line can be matched to the server's
     * "Expiring session" line; 0 if no session was ever established.
     *
     * @return the session id
     */
    public long sessionId() {
        return sessionId;
    }

    /**
     * Whether the session after this transition differs from the one before (always {@code true}
     * for the first CONNECTED, and for a RECONNECTED after the session was lost).
     *
     * @return {@code true} if a new session began
     */
    public boolean isNewSession() {
        return newSession;
    }

    /**
     * Whether, under the coordinator's {@link ConnectionLossPolicy}, this transition means that
     * leadership and locks held through this coordinator are no longer safe to act on.
     *
     * @return {@code true} if recipes must give up what they hold
     */
    public boolean isLoss() {
        return loss;
    }

    /**
     * Whether the client is connected after this transition (CONNECTED, RECONNECTED, READ_ONLY).
     *
     * @return {@code true} if connected
     */
    public boolean isConnected() {
        return kind == Kind.CONNECTED || kind == Kind.RECONNECTED || kind == Kind.READ_ONLY;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ConnectionEvent that)) {
            return false;
        }
        return kind == that.kind && sessionId == that.sessionId && newSession == that.newSession && loss == that.loss;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, sessionId, newSession, loss);
    }

    @Override
    public String toString() {
        return "ConnectionEvent{" + kind + ", session=0x" + Long.toHexString(sessionId)
                + (newSession ? ", new session" : "") + (loss ? ", loss" : "") + '}';
    }
}
