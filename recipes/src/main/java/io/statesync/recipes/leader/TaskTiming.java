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

/**
 * The time rules of a leader's task, decided on readings of the coordinator's {@link
 * io.statesync.core.Ticker}: how long a task took to stop once it was told to, whether that overran
 * its stop timeout, and when a scheduled task's next tick is due.
 */
final class TaskTiming {
    private TaskTiming() {}

    /**
     * How long a task took to stop, for its {@link TaskStop} report.
     *
     * @param reason why it stopped
     * @param cancelled whether it was told to stop
     * @param cancelledAt the reading when it was told to stop
     * @param endedAt the reading when it returned
     * @return zero if it returned by itself ({@link TaskStop.Reason#TASK_ENDED}) or was never told to
     *     stop; else the time from being told to returning, never negative
     */
    static Duration stopDuration(TaskStop.Reason reason, boolean cancelled, long cancelledAt, long endedAt) {
        if (reason == TaskStop.Reason.TASK_ENDED || !cancelled) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, endedAt - cancelledAt));
    }

    /**
     * Whether a stop report tells of an overrun: the task had not ended, or took longer than its
     * stop timeout to end.
     *
     * @param stop the report
     * @param stopTimeout the election's stop timeout
     * @return {@code true} if it overran
     */
    static boolean overran(TaskStop stop, Duration stopTimeout) {
        return !stop.ended() || stop.duration().compareTo(stopTimeout) > 0;
    }

    /**
     * The next tick of a scheduled task, at a fixed rate: the tick after {@code last}, skipping the
     * ticks already missed (a run that took longer than the period does not cause a burst of runs).
     *
     * @param last the reading the last tick was due at
     * @param now the reading now, after the run
     * @param periodNanos the period, positive
     * @return the reading the next tick is due at, always after {@code now}
     */
    static long nextTick(long last, long now, long periodNanos) {
        long next = last + periodNanos;
        if (next - now <= 0) {
            next += ((now - next) / periodNanos + 1) * periodNanos;
        }
        return next;
    }
}
