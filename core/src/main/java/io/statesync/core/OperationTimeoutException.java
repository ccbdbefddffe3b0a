package io.statesync.core;

import org.jspecify.annotations.Nullable;

/** A deadline passed before the operation could complete. */
public class OperationTimeoutException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public OperationTimeoutException(@Nullable String path, String message, @Nullable Throwable cause) {
        super(Reason.TIMEOUT, path, message, cause);
    }
}
