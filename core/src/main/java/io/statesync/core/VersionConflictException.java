package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** A compare-and-set lost: the node was changed since the caller read it. Read again and retry, or give up. */
public class VersionConflictException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public VersionConflictException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.VERSION_CONFLICT, path, message, cause);
    }
}
