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

import java.util.Objects;

/**
 * Who leads an election, as one participant sees it: the leader's id and metadata and the
 * leadership's <b>epoch</b>, the creation zxid ({@code czxid}) of the leader's election znode.
 *
 * <p>Epochs strictly increase from one leader to the next (a later participant's znode is always
 * created by a later transaction), so the epoch is the fencing token of the leadership: a resource
 * that remembers the highest epoch it has seen and refuses lower ones can never be written by a
 * deposed leader after its successor. A leader that keeps its znode through a brief connection loss
 * (the session survived) leads again with the same epoch; nobody else can have led in between,
 * because its znode stayed first in line.
 *
 * <p>Thread-safe: immutable.
 */
public final class Leadership {
    private final String leaderId;
    private final String metadata;
    private final long epoch;
    private final boolean self;

    Leadership(String leaderId, String metadata, long epoch, boolean self) {
        this.leaderId = Objects.requireNonNull(leaderId, "leaderId");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.epoch = epoch;
        this.self = self;
    }

    /**
     * The participant id of the leader.
     *
     * @return the leader's id
     */
    public String leaderId() {
        return leaderId;
    }

    /**
     * The metadata the leader joined with (empty if none), e.g. its address.
     *
     * @return the leader's metadata
     */
    public String metadata() {
        return metadata;
    }

    /**
     * The epoch: the czxid of the leader's election znode, strictly higher for every later leader.
     * Use it as a fencing token.
     *
     * @return the epoch
     */
    public long epoch() {
        return epoch;
    }

    /**
     * Whether the leader is the participant this value was delivered to (the election instance it
     * came from).
     *
     * @return {@code true} if this participant leads
     */
    public boolean isSelf() {
        return self;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Leadership that)) {
            return false;
        }
        return epoch == that.epoch
                && self == that.self
                && leaderId.equals(that.leaderId)
                && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(leaderId, metadata, epoch, self);
    }

    @Override
    public String toString() {
        return "Leadership{" + leaderId + ", epoch=0x" + Long.toHexString(epoch) + (self ? ", self" : "") + '}';
    }
}
