package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** A write guarded by leadership was refused because this node is no longer the leader (its election znode is gone, or the connection was lost under the coordinator's policy). Nothing was written. */
public class NotLeaderException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public NotLeaderException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.NOT_LEADER, path, message, cause);
    }
}
