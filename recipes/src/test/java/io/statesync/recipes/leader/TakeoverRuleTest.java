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

/** The takeover delay rule on a fake ticker: seconds of delay, tested in milliseconds, no server. */
@Timeout(10)
class TakeoverRuleTest {
    private static final long EPOCH = 0x100;
    private static final long OTHER = 0x200;
    private static final Duration DELAY = Duration.ofSeconds(20);

    private final FakeTicker ticker = new FakeTicker();
    private final TakeoverRule rule = new TakeoverRule();

    @Test
    void aCleanMarkerOurOwnEpochOrOurEarlierLeadershipNeedNoWait() {
        assertThat(TakeoverRule.unclean(0, EPOCH, 0)).isFalse();
        assertThat(TakeoverRule.unclean(EPOCH, EPOCH, 0)).isFalse();
        assertThat(TakeoverRule.unclean(OTHER, EPOCH, OTHER)).isFalse();
        assertThat(TakeoverRule.unclean(OTHER, EPOCH, 0)).isTrue();
        assertThat(TakeoverRule.unclean(OTHER, EPOCH, 0x50)).isTrue();
    }

    @Test
    void theDelayCountsFromWhenTheUncleanEpochWasFirstSeen() {
        assertThat(rule.seen(OTHER, ticker.read())).isTrue();
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isEqualTo(DELAY.toNanos());

        ticker.advance(Duration.ofSeconds(8));
        assertThat(rule.seen(OTHER, ticker.read())).isFalse(); // seen again: the clock keeps running
        assertThat(rule.remainingNanos(DELAY, ticker.read()))
                .isEqualTo(Duration.ofSeconds(12).toNanos());

        ticker.advance(Duration.ofSeconds(12).minusNanos(1));
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isEqualTo(1);
        ticker.advance(Duration.ofNanos(1));
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isZero();
        ticker.advance(Duration.ofHours(1));
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isNegative();
    }

    @Test
    void aNewUncleanEpochStartsTheWaitAgain() {
        rule.seen(OTHER, ticker.read());
        ticker.advance(Duration.ofSeconds(30));
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isNotPositive();

        assertThat(rule.seen(OTHER + 1, ticker.read())).isTrue();
        assertThat(rule.remainingNanos(DELAY, ticker.read())).isEqualTo(DELAY.toNanos());
    }

    @Test
    void aZeroDelayNeverWaits() {
        rule.seen(OTHER, ticker.read());
        assertThat(rule.remainingNanos(Duration.ZERO, ticker.read())).isNotPositive();
    }
}
