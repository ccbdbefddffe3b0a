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
package io.statesync.recipes.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.internal.Deadline;
import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The take's time rules on a fake ticker: no server, no real waiting. */
@Timeout(10)
class TakeClockTest {

    @Test
    void takeExpiresAtItsTimeoutAndItsPassGetsTheSlackBeyond() {
        FakeTicker ticker = new FakeTicker();
        TakeClock clock = new TakeClock(ticker, Duration.ofSeconds(2));

        assertThat(clock.expired()).isFalse();
        assertThat(clock.pass().remainingNanos())
                .isEqualTo(Duration.ofMillis(2_500).toNanos());

        ticker.advance(Duration.ofMillis(1_999));
        assertThat(clock.expired()).isFalse();

        ticker.advance(Duration.ofMillis(1));
        assertThat(clock.expired()).isTrue();
        assertThat(clock.pass().passed()).isFalse();
        assertThat(clock.pass().remainingNanos()).isEqualTo(TakeClock.SLACK.toNanos());

        ticker.advance(TakeClock.SLACK);
        assertThat(clock.pass().passed()).isTrue();
    }

    @Test
    void zeroOrNegativeTimeoutExpiresAtOnceButStillGetsOnePassWithTheSlack() {
        FakeTicker ticker = new FakeTicker();
        for (Duration timeout : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5)}) {
            TakeClock clock = new TakeClock(ticker, timeout);
            assertThat(clock.expired()).isTrue();
            assertThat(clock.pass().remainingNanos()).isEqualTo(TakeClock.SLACK.toNanos());
        }
    }

    @Test
    void aHugeTimeoutDoesNotOverflow() {
        FakeTicker ticker = new FakeTicker();
        TakeClock clock = new TakeClock(ticker, Duration.ofSeconds(Long.MAX_VALUE));
        ticker.advance(Duration.ofDays(365));
        assertThat(clock.expired()).isFalse();
        assertThat(clock.pass().passed()).isFalse();
    }

    @Test
    void aWaitForAChangeLastsAtMostOneSliceAndNothingOncePassed() {
        FakeTicker ticker = new FakeTicker();
        Deadline d = Deadline.after(ticker, Duration.ofSeconds(2));

        assertThat(TakeClock.nextWaitNanos(d)).isEqualTo(TakeClock.WAIT_SLICE_NANOS);
        ticker.advance(Duration.ofMillis(1_800));
        assertThat(TakeClock.nextWaitNanos(d)).isEqualTo(Duration.ofMillis(200).toNanos());
        ticker.advance(Duration.ofMillis(200));
        assertThat(TakeClock.nextWaitNanos(d)).isZero();
        ticker.advance(Duration.ofSeconds(10));
        assertThat(TakeClock.nextWaitNanos(d)).isZero();
    }
}
