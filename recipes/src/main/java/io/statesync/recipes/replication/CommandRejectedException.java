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
package io.statesync.recipes.replication;

import io.statesync.core.StateSyncException;
import org.jspecify.annotations.Nullable;

/**
 * A submitted command was not applied: the transition function rejected it (threw, or returned
 * {@code null}), it did not decode on the leader and the policy skipped it, or the state it would
 * have produced was over the coordinator's value limit. The state stayed as it was; the command's
 * position was consumed, and no later leader applies it. Every node learns the rejection from the
 * published state, so the submitter's future fails with it even if the leader changed.
 */
public final class CommandRejectedException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final long position;
    private final String why;

    /**
     * Creates the exception.
     *
     * @param path the replicated state's path
     * @param position the command's position in the command log
     * @param why why it was rejected, as the leader recorded it
     * @param cause the local error, if this node saw it (on the leader), or {@code null}
     */
    public CommandRejectedException(String path, long position, String why, @Nullable Throwable cause) {
        super(Reason.OTHER, path, "command at position " + position + " of " + path + " was rejected: " + why, cause);
        this.position = position;
        this.why = why;
    }

    /**
     * The command's position in the command log.
     *
     * @return the position
     */
    public long position() {
        return position;
    }

    /**
     * Why the leader rejected it: the function's exception (class and message), an undecodable
     * command, or the size limit, as recorded in the published state (at most 256 characters).
     *
     * @return the recorded reason
     */
    public String why() {
        return why;
    }
}
