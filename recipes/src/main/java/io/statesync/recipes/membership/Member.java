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
package io.statesync.recipes.membership;

import java.util.Objects;

/**
 * One member of a {@link GroupMembership}: its id, its typed metadata and the ZooKeeper session that
 * registered it.
 *
 * <p>Thread-safe if the metadata type is immutable (it is decoded afresh for every change).
 *
 * @param <T> the metadata type
 */
public final class Member<T> {
    private final String id;
    private final T metadata;
    private final long sessionId;

    Member(String id, T metadata, long sessionId) {
        this.id = Objects.requireNonNull(id, "id");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.sessionId = sessionId;
    }

    /**
     * The member's id, unique in its group (the name of its znode).
     *
     * @return the id
     */
    public String id() {
        return id;
    }

    /**
     * The metadata the member registered, decoded with the group's codec.
     *
     * @return the metadata
     */
    public T metadata() {
        return metadata;
    }

    /**
     * The ZooKeeper session that owns the member's ephemeral znode: it changes when the member
     * re-registers after a session expiry.
     *
     * @return the owning session id
     */
    public long sessionId() {
        return sessionId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Member<?> that)) {
            return false;
        }
        return sessionId == that.sessionId && id.equals(that.id) && metadata.equals(that.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, metadata, sessionId);
    }

    @Override
    public String toString() {
        return "Member{" + id + ", " + metadata + ", session=0x" + Long.toHexString(sessionId) + '}';
    }
}
