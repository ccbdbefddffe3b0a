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

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The time rules of a leader's task (stop duration, overrun, fixed-rate ticks) on a fake ticker. */
@Timeout(10)
class TaskTimingTest {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Leadership SELF = new Leadership("a", "", 0x10, true);

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void aStopTakesFromTheInterruptToTheReturn() {
        long cancelled = ticker.read();
        long ended = ticker.advance(Duration.ofMillis(3_250)).read();
        assertThat(TaskTiming.stopDuration(TaskStop.Reason.RELINQUISHED, true, cancelled, ended))
                .isEqualTo(Duration.ofMillis(3_250));
        assertThat(TaskTiming.stopDuration(TaskStop.Reason.SESSION_LOST, true, cancelled, cancelled))
                .isZero();
    }

    @Test
    void aTaskThatReturnedByItselfOrWasNeverToldTookNoStopTime() {
        long cancelled = ticker.read();
        long ended = ticker.advance(Duration.ofSeconds(9)).read();
        assertThat(TaskTiming.stopDuration(TaskStop.Reason.TASK_ENDED, true, cancelled, ended))
                .isZero();
        assertThat(TaskTiming.stopDuration(TaskStop.Reason.CLOSED, false, 0, ended))
                .isZero();
    }

    @Test
    void aStopOverrunsWhenItTookLongerThanTheStopTimeoutOrHasNotEnded() {
        assertThat(TaskTiming.overran(stop(STOP_TIMEOUT, true), STOP_TIMEOUT)).isFalse();
        assertThat(TaskTiming.overran(stop(STOP_TIMEOUT.plusNanos(1), true), STOP_TIMEOUT))
                .isTrue();
        assertThat(TaskTiming.overran(stop(STOP_TIMEOUT, false), STOP_TIMEOUT)).isTrue();
        assertThat(TaskTiming.overran(stop(Duration.ZERO, true), STOP_TIMEOUT)).isFalse();
    }

    @Test
    void aScheduledTaskTicksAtAFixedRateAndSkipsTheTicksItMissed() {
        long period = Duration.ofSeconds(1).toNanos();
        long start = ticker.read();
        // A short run: the next tick is one period after the last.
        long now = ticker.advance(Duration.ofMillis(200)).read();
        long next = TaskTiming.nextTick(start, now, period);
        assertThat(next - start).isEqualTo(period);
        // A run of 2.5 periods: the two missed ticks are skipped, not run back to back.
        now = ticker.advance(Duration.ofMillis(800 + 2_500)).read();
        long after = TaskTiming.nextTick(next, now, period);
        assertThat(after - next).isEqualTo(3 * period);
        assertThat(after - now).isPositive().isLessThanOrEqualTo(period);
        // A run ending exactly on a tick: the next tick is a whole period later.
        now = ticker.advance(Duration.ofNanos(after - now)).read();
        assertThat(TaskTiming.nextTick(after, now, period) - now).isEqualTo(period);
    }

    private static TaskStop stop(Duration took, boolean ended) {
        return new TaskStop(SELF, TaskStop.Reason.RELINQUISHED, took, ended);
    }
}
