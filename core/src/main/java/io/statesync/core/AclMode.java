package io.statesync.core;

/** Who may read and change the znodes a {@link Coordinator} creates. */
public enum AclMode {
    /** Anyone who can reach the ensemble may read and write (ZooKeeper's {@code world:anyone}). */
    OPEN,
    /**
     * Only the identity that created a znode may read or change it: ZooKeeper's {@code auth}
     * scheme with all permissions for the creator, nothing for anyone else. Requires digest
     * credentials ({@link Coordinator.Builder#digestAuthentication(String, String)}); every
     * coordinator of the service must use the same credentials. A client without them gets an
     * {@link AccessDeniedException}.
     */
    CREATOR_ONLY
}
