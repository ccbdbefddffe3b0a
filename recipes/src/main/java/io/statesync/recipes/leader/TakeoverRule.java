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
package io.statesync.recipes.leader;

import java.time.Duration;

/**
 * The takeover delay rule: a node first in line whose handover marker names another leader's epoch
 * (that leader did not hand over cleanly: its task may still be running) waits the takeover delay,
 * counted from the moment it first saw that epoch, before it leads. No wait when the marker is clear,
 * names the epoch this node is about to claim, or names this node's own earlier leadership (whose
 * task has ended). Decided on readings of the coordinator's {@link io.statesync.core.Ticker}; not
 * thread-safe (the election calls it under its lock).
 */
final class TakeoverRule {
    /** The unclean epoch last seen, 0 if none. */
    private long uncleanEpoch;
    /** The ticker reading when {@link #uncleanEpoch} was first seen. */
    private long seenAt;

    /**
     * Whether the marker's epoch obliges this node to wait.
     *
     * @param markerEpoch the epoch the handover marker names as still leading, 0 if released
     * @param epoch the epoch this node would lead with (its znode's czxid)
     * @param ownEpoch the epoch this node last claimed, 0 if none
     * @return {@code true} if a previous leader did not hand over cleanly
     */
    static boolean unclean(long markerEpoch, long epoch, long ownEpoch) {
        return markerEpoch != 0 && markerEpoch != epoch && markerEpoch != ownEpoch;
    }

    /**
     * Notes an unclean handover of {@code markerEpoch} seen at {@code now}; the wait starts the first
     * time an epoch is seen, and a new epoch starts it again.
     *
     * @param markerEpoch the unclean epoch
     * @param now the ticker's reading
     * @return {@code true} if this epoch was not seen before (the wait starts now)
     */
    boolean seen(long markerEpoch, long now) {
        if (uncleanEpoch == markerEpoch) {
            return false;
        }
        uncleanEpoch = markerEpoch;
        seenAt = now;
        return true;
    }

    /**
     * The time still to wait before leading.
     *
     * @param delay the takeover delay
     * @param now the ticker's reading
     * @return nanoseconds left; 0 or less once the delay has passed since the epoch was first seen
     */
    long remainingNanos(Duration delay, long now) {
        return delay.toNanos() - (now - seenAt);
    }
}
