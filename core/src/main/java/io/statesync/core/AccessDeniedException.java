package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** The coordinator's credentials do not permit reading or changing the node (ZooKeeper's NOAUTH or AUTHFAILED). */
public class AccessDeniedException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public AccessDeniedException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.ACCESS_DENIED, path, message, cause);
    }
}
