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
package io.statesync.recipes.replication;

import io.statesync.core.Versioned;
import java.util.Objects;

/**
 * What a {@link ReplicatedState#submit} future completes with: the command was applied by the
 * leader and published.
 *
 * <p>Thread-safe: immutable.
 *
 * @param <S> the state type
 */
public final class Applied<S> {
    private final long position;
    private final Versioned<S> state;

    Applied(long position, Versioned<S> state) {
        this.position = position;
        this.state = Objects.requireNonNull(state, "state");
    }

    /**
     * The command's position in the command log (0 for the first command ever submitted).
     *
     * @return the position
     */
    public long position() {
        return position;
    }

    /**
     * The state version the command produced: {@code position() + 1}, the next position to consume
     * once it was applied (on the ZooKeeper command log, the number of commands consumed; on a log
     * whose positions have gaps, such as a Kafka log, a position). Every node's {@link
     * ReplicatedState#version()} reaches at least this version.
     *
     * @return the version
     */
    public long version() {
        return position + 1;
    }

    /**
     * The first published state this node saw that covers the command: the state right after it,
     * or a later one if the leader applied more commands in the same batch (or this node skipped a
     * publication): it has consumed at least {@link #version()} commands. Its {@link
     * Versioned#version()} is the published state znode's data version.
     *
     * @return the covering state
     */
    public Versioned<S> state() {
        return state;
    }

    @Override
    public String toString() {
        return "Applied{position=" + position + ", state=" + state + '}';
    }
}
