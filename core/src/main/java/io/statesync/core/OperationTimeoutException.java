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
 * A deadline passed, or the caller was interrupted, before the operation could complete. {@link
 * #outcome()} says whether the operation may have taken effect: {@link Outcome#NOT_APPLIED} when
 * nothing was sent or the server's answer is known to be "not applied", {@link Outcome#UNKNOWN}
 * when a request was sent and no answer came back in time (it may land later, or may have landed
 * already).
 *
 * <p>When it reports an interrupt, the thread's interrupt flag is set again before it is thrown.
 */
public class OperationTimeoutException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    /** Whether the operation that timed out may have taken effect. */
    public enum Outcome {
        /** Nothing was sent, or the server's answer says nothing changed: safe to try again. */
        NOT_APPLIED,
        /**
         * A request was sent and its answer did not come in time: it may have landed or may still
         * land. Read before trying again, or use an idempotent operation.
         */
        UNKNOWN
    }

    private final Outcome outcome;

    /**
     * Creates the exception with an unknown outcome.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param cause the underlying error, or {@code null}
     */
    public OperationTimeoutException(@Nullable String path, String message, @Nullable Throwable cause) {
        this(path, message, Outcome.UNKNOWN, cause);
    }

    /**
     * Creates the exception.
     *
     * @param path the path concerned, relative to the namespace, or {@code null}
     * @param message what happened
     * @param outcome whether the operation may have taken effect
     * @param cause the underlying error, or {@code null}
     */
    public OperationTimeoutException(
            @Nullable String path, String message, Outcome outcome, @Nullable Throwable cause) {
        super(Reason.TIMEOUT, path, message, cause);
        this.outcome = Objects.requireNonNull(outcome, "outcome");
    }

    /**
     * Whether the operation may have taken effect.
     *
     * @return {@link Outcome#NOT_APPLIED} if it certainly did not, {@link Outcome#UNKNOWN} otherwise
     */
    public Outcome outcome() {
        return outcome;
    }
}
