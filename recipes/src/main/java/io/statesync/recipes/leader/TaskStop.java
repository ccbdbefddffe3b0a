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
package io.statesync.recipes.leader;

import java.time.Duration;
import java.util.Objects;

/**
 * A report of one stop of a singleton task: why it was stopped, and how long it took from the
 * interrupt to the task's end.
 *
 * <p>A task that ends within the election's stop timeout is reported once, with {@link #ended()}
 * {@code true}. A task that is still running when the stop timeout passes is reported at that moment
 * with {@link #ended()} {@code false} and a duration of the stop timeout, and again when it finally
 * ends. Until then this node does not lead again.
 *
 * <p>Thread-safe: immutable.
 */
public final class TaskStop {

    /** Why the task was stopped. */
    public enum Reason {
        /**
         * The connection was suspended and the coordinator's policy counts that as a loss (after the
         * election's grace period, if one is set). Also when the clock showed it first: no reply from
         * the server for the connection's read timeout (two thirds of the negotiated session timeout)
         * under {@code ON_SUSPENDED}, as after this process was paused, before the client reported it.
         */
        CONNECTION_SUSPENDED,
        /**
         * The session was lost (expired by the server, or the session timeout passed: under {@code
         * ON_LOST}, also when the clock showed no reply from the server for the negotiated session
         * timeout before the client reported it, as after this process was paused).
         */
        SESSION_LOST,
        /** The client reconnected with a new session: the old session, and its leadership, are gone. */
        NEW_SESSION,
        /** This node's election znode disappeared (deleted by another client): it may no longer lead. */
        LEADERSHIP_LOST,
        /** {@link LeaderElection#relinquish()} was called. */
        RELINQUISHED,
        /** {@link LeaderElection#close()} was called. */
        CLOSED,
        /** The task returned or threw by itself; the node relinquishes. Duration is zero. */
        TASK_ENDED
    }

    private final Leadership leadership;
    private final Reason reason;
    private final Duration duration;
    private final boolean ended;

    TaskStop(Leadership leadership, Reason reason, Duration duration, boolean ended) {
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.duration = Objects.requireNonNull(duration, "duration");
        this.ended = ended;
    }

    /**
     * The leadership the task ran under (its epoch is the task's fencing token).
     *
     * @return the leadership
     */
    public Leadership leadership() {
        return leadership;
    }

    /**
     * Why the task was stopped.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * From the interrupt to the task's end; if {@link #ended()} is {@code false}, the stop timeout
     * that passed without the task ending.
     *
     * @return how long the stop took (so far)
     */
    public Duration duration() {
        return duration;
    }

    /**
     * Whether the task has ended. {@code false} in the report sent when the stop timeout passed with
     * the task still running (it ignores interruption).
     *
     * @return {@code true} if the task's thread has left the task
     */
    public boolean ended() {
        return ended;
    }

    @Override
    public String toString() {
        return "TaskStop{" + reason + ", epoch=0x" + Long.toHexString(leadership.epoch()) + ", "
                + (ended ? "ended after " : "still running after ") + duration.toMillis() + " ms}";
    }
}
