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
package io.statesync.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The root of every error statesync throws or reports: unchecked, with a {@link Reason} a caller
 * can switch on and, where one applies, the path it concerns. ZooKeeper's own exceptions never
 * escape a public method; the original is kept as the cause.
 *
 * <p>The typed subclasses are the errors a caller can act on: {@link VersionConflictException},
 * {@link AccessDeniedException}, {@link ValueTooLargeException}, {@link SessionExpiredException},
 * {@link ConnectionLossException}, {@link DecodingException}, {@link LockLostException}, {@link
 * NotLeaderException}, {@link HistoryTruncatedException}, {@link OperationTimeoutException} and {@link
 * IncompatibleLayoutException}.
 */
public class StateSyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Reason {
        /** The connection dropped during the operation; whether it took effect is unknown. */
        CONNECTION_LOSS,
        /** The session expired; ephemeral nodes and locks of this client are gone. */
        SESSION_EXPIRED,
        /** The credentials do not permit the operation. */
        ACCESS_DENIED,
        /** A compare-and-set lost: the node's version is not the expected one. */
        VERSION_CONFLICT,
        /** The node does not exist. */
        NO_NODE,
        /** The node already exists. */
        NODE_EXISTS,
        /** The node has children and cannot be deleted. */
        NOT_EMPTY,
        /** The value is larger than the configured limit; nothing was sent. */
        VALUE_TOO_LARGE,
        /** Stored data does not decode with the codec. */
        DECODING_FAILED,
        /** The lock this write was guarded by is no longer held. */
        LOCK_LOST,
        /** The leadership this write was guarded by is no longer held. */
        NOT_LEADER,
        /** The requested history was compacted away. */
        HISTORY_TRUNCATED,
        /** A deadline passed. */
        TIMEOUT,
        /** Stored data is in a layout newer than this release understands; nothing was written. */
        INCOMPATIBLE_LAYOUT,
        /** The object was closed. */
        CLOSED,
        /** Anything else; the cause tells more. */
        OTHER
    }

    private final Reason reason;
    private final @Nullable String path;

    /**
     * Creates an exception.
     *
     * @param reason why the operation failed
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message the message; the path is appended if it is not already in it
     * @param cause the underlying error, or {@code null}
     */
    public StateSyncException(Reason reason, @Nullable String path, String message, @Nullable Throwable cause) {
        super(withPath(message, path), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.path = path;
    }

    /**
     * Why the operation failed.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The path concerned, relative to the coordinator's namespace, if the error concerns one.
     *
     * @return the path, or {@code null}
     */
    public @Nullable String path() {
        return path;
    }

    private static String withPath(String message, @Nullable String path) {
        if (path == null || message.contains(path)) {
            return message;
        }
        return message + " (path " + path + ")";
    }
}
