package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** The ZooKeeper session expired: every ephemeral node of this client, and every lock or leadership held through it, is gone. */
public class SessionExpiredException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public SessionExpiredException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.SESSION_EXPIRED, path, message, cause);
    }
}
