package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** A write guarded by a lock was refused because the lock is no longer held (its znode is gone, or the connection was lost under the coordinator's policy). Nothing was written. */
public class LockLostException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public LockLostException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.LOCK_LOST, path, message, cause);
    }
}
