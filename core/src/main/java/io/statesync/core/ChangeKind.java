package io.statesync.core;

/** What a {@link StateChange} reports. */
public enum ChangeKind {
    /**
     * The first change a listener receives: the value as it is when the listener starts watching.
     * {@link StateChange#current()} is absent if the node does not exist.
     */
    INITIAL,
    /** The node was created (or re-created after a delete: its czxid is new). */
    CREATED,
    /** The node's value changed; the previous value is the last one this listener was shown. */
    UPDATED,
    /** The node was deleted; {@link StateChange#current()} is absent. */
    DELETED,
    /**
     * After a reconnect or a new session the recipe re-read the node and cannot prove it was shown
     * every version in between: the listener must treat {@link StateChange#current()} as a fresh
     * snapshot, not as a delta. Never sent silently in place of an UPDATED.
     */
    RESYNCED
}
