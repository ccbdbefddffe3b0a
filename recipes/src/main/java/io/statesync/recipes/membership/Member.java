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
